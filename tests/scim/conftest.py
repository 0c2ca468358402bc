"""The API's cast (an HR officer of Sở Tài chính with a token, a colleague in Phòng Ngân sách below it, an
outsider in Sở Y tế) speaking SCIM."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import _fresh_cache, cast, superadmin_token  # noqa: F401  (fixtures)

SCIM = "application/scim+json"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


class Scim:
    """The Django test client speaking SCIM with a bearer token."""

    def __init__(self, client, token: str | None):
        self.client, self.token = client, token

    def _h(self, extra=None) -> dict:
        h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return h | (extra or {})

    def get(self, url, params=None, headers=None):
        return self.client.get(f"/scim/v2{url}", params or {}, headers=self._h(headers))

    def send(self, method, url, body=None, headers=None):
        call = getattr(self.client, method)
        return call(f"/scim/v2{url}", json.dumps(body) if body is not None else "", content_type=SCIM,
                    headers=self._h(headers))

    def post(self, url, body=None, headers=None):
        return self.send("post", url, body, headers)


@pytest.fixture
def scim(client, cast):  # noqa: F811
    return Scim(client, cast["token"])


def new_user(unit_code: str, *, family="Lê", middle="Thị", given="Mai", code="NV900", **extra) -> dict:
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "userName": "ignored", "name": {"familyName": family, "middleName": middle, "givenName": given},
            ENTERPRISE: {"employeeNumber": code, "department": unit_code}}
    return body | extra
