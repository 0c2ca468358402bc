"""The cast of the API stories: an HR officer of Sở Tài chính (and its Phòng Ngân sách) with a token,
a colleague there, an outsider in Sở Y tế, an IT lead of the province, the superadmin."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from accounts.models import Role, RoleAssignment, User
from accounts.tokens.services import token_create
from provisioning.people.models import PersonStatus
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the failed-token counter lives there
    yield
    cache.clear()


def directory_user(person) -> User:
    return User.objects.get_or_create(username=person.uid, defaults={"source": User.Source.DIRECTORY})[0]


@pytest.fixture
def cast():
    p = factories.province()
    stc = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    ns = factories.unit(stc, "000.03.01.H45", "Phòng Ngân sách", kind="division")
    syt = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    hr = factories.person(stc, "Phạm", "Thị", "Lan", password=None)
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=stc)
    colleague = factories.person(ns, "Nguyễn", "Tiến", "Hoàng", password=None, status=PersonStatus.ACTIVE)
    outsider = factories.person(syt, "Đặng", "Văn", "Đức", password=None)
    hr_user = directory_user(hr)
    _token, secret = token_create(actor=hr_user, name="HR software")
    return {"p": p, "stc": stc, "ns": ns, "syt": syt, "hr": hr, "hr_user": hr_user, "colleague": colleague,
            "outsider": outsider, "token": secret}


@pytest.fixture
def superadmin_token():
    admin = User.objects.create_superuser("superadmin", password="a local password here", source=User.Source.LOCAL)
    return token_create(actor=admin, name="provisioning script")[1]


class Api:
    """The Django test client speaking JSON with a bearer token."""

    def __init__(self, client, token: str | None, language: str = "en"):
        self.client, self.token, self.language = client, token, language

    def _headers(self, language=None) -> dict:
        h = {"Accept-Language": language or self.language}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        return h

    def get(self, url, params=None, language=None):
        return self.client.get(url, params or {}, headers=self._headers(language))

    def post(self, url, data=None, language=None):
        return self.client.post(url, json.dumps(data or {}), content_type="application/json",
                                headers=self._headers(language))

    def patch(self, url, data=None, language=None):
        return self.client.patch(url, json.dumps(data or {}), content_type="application/json",
                                 headers=self._headers(language))

    def upload(self, url, files: dict):
        return self.client.post(url, files, headers=self._headers())


@pytest.fixture
def api(client, cast):
    return Api(client, cast["token"])
