from __future__ import annotations

import json
import re

import pytest
from django.core import mail

from tests import factories

FORGOT, CODE, NEW = "/password/forgot/", "/password/forgot/code/", "/password/forgot/new/"
UNLOCK, USERNAME, LOGIN = "/password/unlock/", "/password/username/", "/accounts/login/"
NEWPW = "mua thu ha noi la vang roi"


@pytest.fixture(autouse=True)
def fast_floors(settings):
    # the timing floors are tested on their own (RS-01); elsewhere they only slow the suite down
    settings.IDM_RECOVERY_FLOOR_MS = 0
    settings.IDM_LOGIN_REFUSAL_MS = 0


@pytest.fixture
def eager():
    from idm.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def sms(settings, tmp_path):
    settings.IDM_SMS_BACKEND = "accounts.sms.FileBackend"
    settings.IDM_SMS_FILE_PATH = str(tmp_path / "sms")

    def read() -> list[dict]:
        folder = tmp_path / "sms"
        return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.exists() else []
    return read


@pytest.fixture
def cast():
    p = factories.province()
    skhcn = factories.unit(p, "000.00.01.H45", "Sở Khoa học và Công nghệ")
    hoang = factories.person(skhcn, personal_email="hoang.nguyen@gmail.com", phone="0912345678", code="NV001")
    lan = factories.person(skhcn, "Phạm", "Thị", "Lan", personal_email="lan.pham@gmail.com", code="NV002")
    return {"hoang": hoang, "lan": lan, "unit": skhcn}


def code_in(text: str) -> str:
    return re.search(r"\b(\d{8})\b", text).group(1)


def last_code() -> str:
    return code_in(mail.outbox[-1].body)


def login(client, username: str, password: str = factories.PASSWORD, ip: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en",
                       REMOTE_ADDR=ip)


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """POST a request step as a browser would, running what it enqueues after the commit."""

    def post(client, identifier: str, channel: str = "email", path: str = FORGOT, ip: str = "127.0.0.1"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, {"identifier": identifier, "channel": channel}, HTTP_ACCEPT_LANGUAGE="en",
                               REMOTE_ADDR=ip)
    return post


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    def do(client, path: str, data: dict, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data, HTTP_ACCEPT_LANGUAGE="en", **extra)
    return do
