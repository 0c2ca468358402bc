"""Imports over the API: upload, the worker's check (the preview), its rows, the commit and the progress,
as the import pages do it; an officer sees only their own uploads."""

from __future__ import annotations

import io

import openpyxl
import pytest

from accounts.models import User
from accounts.tokens.services import token_create
from idm.celery import app
from provisioning.imports.models import ImportBatch
from provisioning.people.models import Person
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db
HEADERS = ["Mã cán bộ", "Họ và tên", "Họ", "Tên đệm", "Tên", "Đơn vị", "Chức vụ", "Email cá nhân", "Số điện thoại",
           "Số CCCD"]
ROWS = [["QT-001", "Trần Thị Minh Khai", "", "", "", "000.03.01.H45", "Chuyên viên", "", "", ""],
        ["QT-002", "", "", "", "", "000.03.01.H45", "", "", "", ""]]  # no name


def xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(HEADERS)
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_upload_preview_commit_and_progress(api, cast, eager, django_capture_on_commit_callbacks):
    upload = io.BytesIO(xlsx(ROWS))
    upload.name = "ds.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        created = api.upload("/api/v1/imports/", {"file": upload})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    batch = api.get(f"/api/v1/imports/{pk}/").json()
    assert batch["status"] == "preview" and (batch["to_create"], batch["rejected"]) == (1, 1)
    rejected = api.get(f"/api/v1/imports/{pk}/rows/", {"action": "reject"}).json()["results"]
    assert [r["row_number"] for r in rejected] == [3] and rejected[0]["problems"]
    with django_capture_on_commit_callbacks(execute=True):
        committed = api.post(f"/api/v1/imports/{pk}/commit/")
    assert committed.status_code == 202
    done = api.get(f"/api/v1/imports/{pk}/").json()
    assert done["status"] == "done" and done["created"] == 1 and done["processed"] == 1
    assert Person.objects.get(employee_code="QT-001").unit == cast["ns"]
    assert api.post(f"/api/v1/imports/{pk}/commit/").status_code == 409  # once
    assert api.upload("/api/v1/imports/", {}).status_code == 400


def test_another_officers_import_is_404(client, api, cast):
    other = User.objects.create_superuser("superadmin", password="a local password", source=User.Source.LOCAL)
    batch = ImportBatch.objects.create(uploaded_by=other, filename="x.xlsx", stored_name="x.xlsx")
    assert api.get(f"/api/v1/imports/{batch.pk}/").status_code == 404
    assert api.post(f"/api/v1/imports/{batch.pk}/commit/").status_code == 404
    assert api.get("/api/v1/imports/").json()["count"] == 0
    admin = Api(client, token_create(actor=other, name="script")[1])
    assert admin.get(f"/api/v1/imports/{batch.pk}/").status_code == 200
