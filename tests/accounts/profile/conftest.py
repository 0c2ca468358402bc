from __future__ import annotations

import json

import pytest

from accounts.models import Role
from accounts.roles.services import role_grant
from tests import factories

LOGIN = "/accounts/login/"


@pytest.fixture
def eager():
    """Run Celery tasks in-process (the broker path is tested with real workers elsewhere): the
    notification and code tasks' own code runs, against the locmem mail backend and the SMS files."""
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
    syt = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    hoang = factories.person(skhcn, personal_email="hoang.nguyen@gmail.com", phone="0912345678",
                             citizen_id="038095001234")
    hr = factories.person(skhcn, "Phạm", "Thị", "Lan")
    outsider_hr = factories.person(syt, "Đặng", "Văn", "Đức")
    role_grant(actor=None, person=hr, role=Role.HR_ADMIN, unit=skhcn)
    role_grant(actor=None, person=outsider_hr, role=Role.HR_ADMIN, unit=syt)
    return {"hoang": hoang, "hr": hr, "outsider_hr": outsider_hr, "skhcn": skhcn}


def login(client, username: str, password: str = factories.PASSWORD, lang: str = "en"):
    return client.post(LOGIN, {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE=lang)
