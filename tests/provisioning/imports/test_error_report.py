"""The error report HR fixes and uploads again, and row errors in the reader's language."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.utils import translation

from accounts.models import User
from provisioning.imports import services as imports
from provisioning.imports.models import ImportBatch, ImportRow
from provisioning.people.models import Person
from tests import factories

pytestmark = pytest.mark.django_db
# the file as HR keeps it: its own header names (aliases), a column we do not use, a title row
HEADERS = ["Mã CB", "Họ tên", "Đơn vị", "Ghi chú", "Điện thoại", "CCCD"]
GOOD = [
    ["QT-001", "Nguyễn Tiến Hoàng", "000.00.03.H45", "mới", "0912345678", ""],
    ["QT-002", "Trần Thị Minh Khai", "000.00.03.H45", "", "", "001190000001"],
    ["QT-003", "Lê Văn Tư", "000.00.03.H45", "", "", ""],
]
BAD = [
    ["QT-101", "Lê Văn Tám", "Sở Không Tồn Tại", "chuyển từ huyện", "12345", "001190000002"],
    ["QT-102", "Phạm Thị Hoa", "000.00.03.H45", "=cmd|' /C calc'!A0", "0912 345 67x", ""],
]


@pytest.fixture
def tree():
    p = factories.province()
    return {"p": p, "stc": factories.unit(p, "000.00.03.H45", "Sở Tài chính")}


def xlsx(headers, rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH CÁN BỘ"])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_file(headers, rows) -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text).writerows([headers, *rows])
    return text.getvalue().encode("utf-8")


def upload(content: bytes, name: str) -> ImportBatch:
    batch = imports.import_create(actor=None, fileobj=io.BytesIO(content), filename=name, scope=None)
    return imports.import_validate(batch.pk)


def read_report(body: bytes, fmt: str) -> list[list[str]]:
    if fmt == "csv":
        return [row for row in csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""))]
    ws = openpyxl.load_workbook(io.BytesIO(body)).active
    return [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]


def write_back(lines: list[list[str]], fmt: str) -> bytes:
    if fmt == "csv":
        text = io.StringIO(newline="")
        csv.writer(text, lineterminator="\r\n").writerows(lines)
        return text.getvalue().encode("utf-8-sig")
    wb = openpyxl.Workbook()
    for line in lines:
        wb.active.append(line)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_error_report_holds_the_rejected_rows_as_uploaded_and_goes_back_in_once_fixed(tree, fmt):
    with translation.override("vi"):
        batch = upload(csv_file(HEADERS, GOOD + BAD), "ds.csv")  # CSV: "=cmd..." is text, not a formula
        assert (batch.to_create, batch.rejected) == (3, 2)
        imports.import_commit(batch.pk)
    with translation.override("en"):
        lines = read_report(imports.error_report(batch, fmt), fmt)
    header, body = lines[0], lines[1:]
    assert header[:len(HEADERS)] == HEADERS  # the file's own headers, in its order
    assert len(body) == 2
    for line, original in zip(body, BAD, strict=True):
        cells = line[:len(HEADERS)]
        expected = [str(c) for c in original]
        expected[3] = "'" + expected[3] if expected[3].startswith("=") else expected[3]  # neutralised
        assert cells == expected  # every cell, the citizen ID too (kept encrypted, decrypted for HR)
    problems = header.index("Problems")
    assert "Unknown unit" in body[0][problems] and "Phone" in body[0][problems]
    assert "not a Vietnamese mobile number" in body[1][problems]
    # the citizen ID never sits in clear in the database
    for row in ImportRow.objects.all():
        assert "001190000002" not in repr(row.data) + repr(row.cells)

    # HR fixes the cells in the report and uploads it as it is
    fixed = [list(line) for line in lines]
    fixed[1][2] = "000.00.03.H45"
    fixed[1][4] = "0912345670"
    fixed[2][4] = "0912345671"
    with translation.override("vi"):
        again = upload(write_back(fixed, fmt), f"loi.{fmt}")
        assert (again.status, again.to_create, again.rejected) == (ImportBatch.Status.PREVIEW, 2, 0)
        done = imports.import_commit(again.pk)
    assert done.created == 2
    tam = Person.objects.get(employee_code="QT-101")
    assert tam.phone == "+84912345670" and tam.citizen_id_digest
    assert Person.objects.get(employee_code="QT-102").phone == "+84912345671"
    assert Person.objects.count() == 5


def test_a_failed_commit_row_is_in_the_report_with_its_cells(tree):
    from provisioning.people.services import person_onboard

    with translation.override("vi"):
        batch = upload(xlsx(HEADERS, GOOD), "ds.xlsx")
        person_onboard(actor=None, unit=tree["stc"], family="Đỗ", middle="", given="Hải", employee_code="QT-002")
        batch = imports.import_commit(batch.pk)
    assert batch.failed == 1
    with translation.override("en"):
        lines = read_report(imports.error_report(batch, "csv"), "csv")
    assert len(lines) == 2 and lines[1][:len(HEADERS)] == GOOD[1]
    assert "Employee code" in lines[1][lines[0].index("Problems")]
    with translation.override("vi"):
        lines = read_report(imports.error_report(batch, "csv"), "csv")
    assert "Mã cán bộ" in lines[1][lines[0].index("Lỗi")]


def test_row_errors_are_shown_in_the_readers_language_not_the_workers(client, tree):
    with translation.override("vi"):  # the worker's language
        batch = upload(xlsx(HEADERS, BAD), "ds.xlsx")
    admin = User.objects.create_superuser("superadmin", password="a local password", source=User.Source.LOCAL)
    client.force_login(admin, backend="accounts.backends.LocalSuperadminBackend")
    english = client.get(f"/imports/{batch.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Unknown unit “Sở Không Tồn Tại”" in english
    assert "is not a Vietnamese mobile number" in english
    assert "Đơn vị không" not in english and "không phải" not in english
    assert "Columns not used: Ghi chú" in english
    vietnamese = client.get(f"/imports/{batch.pk}/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Unknown unit" not in vietnamese and "Vietnamese mobile number" not in vietnamese
    with translation.override("vi"):
        expected = translation.gettext("“%(value)s” is not a Vietnamese mobile number (for example 0912 345 678).")
    assert expected % {"value": "12345"} in vietnamese
    report = client.get(f"/imports/{batch.pk}/errors.csv", HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig")
    assert "Unknown unit" in report and "Problems" in report
    report = client.get(f"/imports/{batch.pk}/errors.csv", HTTP_ACCEPT_LANGUAGE="vi").content.decode("utf-8-sig")
    assert "Unknown unit" not in report and expected % {"value": "12345"} in report


def test_rows_stored_before_codes_still_read(client, tree):
    with translation.override("vi"):
        batch = upload(xlsx(HEADERS, BAD[:1]), "ds.xlsx")
    row = batch.rows.get()
    row.errors = {"unit": ["Đơn vị cũ không tồn tại"]}
    row.warnings = ["Một cảnh báo cũ"]
    row.save(update_fields=["errors", "warnings"])
    admin = User.objects.create_superuser("superadmin", password="a local password", source=User.Source.LOCAL)
    client.force_login(admin, backend="accounts.backends.LocalSuperadminBackend")
    page = client.get(f"/imports/{batch.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Đơn vị cũ không tồn tại" in page and "Một cảnh báo cũ" in page
