"""Bulk onboarding from the spreadsheet HR keeps: preview, commit, re-import, bad input."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from directory import gateway
from directory.errors import DirectoryUnavailable
from provisioning.audit.models import AuditEntry
from provisioning.imports import services as imports
from provisioning.imports.models import ImportBatch
from provisioning.outbox.services import directory_changes_drain
from provisioning.people.models import Person, PersonStatus
from provisioning.people.validation import render
from provisioning.reconcile.services import compare
from tests import factories

pytestmark = pytest.mark.django_db
VI_HEADERS = ["Mã cán bộ", "Họ và tên", "Họ", "Tên đệm", "Tên", "Đơn vị", "Chức vụ", "Email cá nhân",
              "Số điện thoại", "Số CCCD"]


def xlsx(rows, headers=VI_HEADERS) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def tree():
    p = factories.province()
    return {"p": p, "stc": factories.unit(p, "000.00.03.H45", "Sở Tài chính"),
            "syt": factories.unit(p, "000.00.05.H45", "Sở Y tế", mail_domain="syt.quangtri.gov.vn"),
            "gl": factories.unit(p, "H45.XA.010", "UBND xã Gio Linh", kind="commune"),
            "gl2": factories.unit(factories.unit(p, "000.00.09.H45", "Sở Xây dựng"), "000.09.01.H45",
                                  "UBND xã Gio Linh", kind="division")}


GOOD = [
    ["QT-001", "Nguyễn Tiến Hoàng", "", "", "", "000.00.03.H45", "Chuyên viên", "hoang@gmail.com", "0912345678", ""],
    ["QT-002", "Trần Thị Minh Khai", "", "", "", "sở  tài CHÍNH", "Phó Giám đốc", "", "912345679", "001190000001"],
    ["QT-003", "", "Niê", "", "H'Hen", "Sở Y tế", "Bác sĩ", "", "", ""],
    ["QT-004", "Nguyễn Tiến Hoàng", "", "", "", "000.00.05.H45", "Điều dưỡng", "", "", ""],
]
BAD = [
    ["QT-101", "", "", "", "", "000.00.03.H45", "", "", "", ""],  # no name
    ["QT-102", "Lê Văn Tám", "", "", "", "Sở Không Tồn Tại", "", "", "", ""],  # unknown unit
    ["QT-103", "Lê Văn Tám", "", "", "", "UBND xã Gio Linh", "", "", "", ""],  # ambiguous unit
    ["QT-104", "Lê Văn Tám", "", "", "", "000.00.03.H45", "", "not-an-email", "12345", "123"],
    ["QT-001", "Phạm Văn Trùng", "", "", "", "000.00.03.H45", "", "", "", ""],  # duplicate code in file
    ["QT-105", "Lê *)(uid=*))(|(uid=* Tám", "", "", "", "000.00.03.H45", "", "", "", ""],
    ["QT-106", "Lê Văn\u200b Tám", "", "", "", "000.00.03.H45", "", "", "", ""],  # zero-width space
    ["QT-107", "Lê Văn " + "A" * 80, "", "", "", "000.00.03.H45", "", "", "", ""],  # overlong given name
    ["QT 108 (bad)", "Lê Văn Tám", "", "", "", "000.00.03.H45", "", "", "", ""],  # bad employee code
]


def run(content: bytes, name="ds.xlsx", commit=True, scope=None) -> ImportBatch:
    batch = imports.import_create(actor=None, fileobj=io.BytesIO(content), filename=name, scope=scope)
    batch = imports.import_validate(batch.pk)
    if commit and batch.status == ImportBatch.Status.PREVIEW:
        batch = imports.import_commit(batch.pk)
        directory_changes_drain()
    return batch


def test_mixed_file_good_rows_go_in_bad_rows_are_explained(tree):
    preview = run(xlsx(GOOD + BAD), commit=False)
    assert (preview.total, preview.to_create, preview.rejected) == (13, 4, 9)
    assert Person.objects.count() == 0  # a preview changes nothing
    rows = {}
    for r in preview.rows.order_by("row_number"):
        rows.setdefault(r.employee_code, r)
    assert rows["QT-001"].proposed_uid == "hoangnt" and rows["QT-004"].proposed_uid == "hoangnt2"
    assert rows["QT-004"].proposed_mail == "hoangnt2@syt.quangtri.gov.vn"
    assert "unit" in rows["QT-102"].errors and "Sở Không Tồn Tại" in render(rows["QT-102"].errors["unit"][0])
    ambiguous = render(rows["QT-103"].errors["unit"][0])
    assert "H45.XA.010" in ambiguous and "000.09.01.H45" in ambiguous
    assert set(rows["QT-104"].errors) == {"personal_email", "phone", "citizen_id"}
    assert [r for r in preview.rows.filter(row_number=6)][0].errors  # the duplicate QT-001 row
    assert "family_name" in rows["QT-105"].errors or "middle_name" in rows["QT-105"].errors
    # codes are upper-cased as read
    assert rows["QT-106"].errors and rows["QT-107"].errors and rows["QT 108 (BAD)"].errors
    done = run(xlsx(GOOD + BAD))
    assert (done.created, done.rejected, done.failed) == (4, 9, 0)
    khai = Person.objects.get(employee_code="QT-002")
    assert (khai.uid, khai.phone, khai.status) == ("khaittm", "+84912345679", PersonStatus.STAGED)
    assert khai.citizen_id_digest and "001190000001" not in khai.citizen_id_encrypted
    assert Person.objects.get(employee_code="QT-003").uid == "hhenn"
    for p in Person.objects.all():
        entry = gateway.person_get(p.uid)
        assert entry is not None and entry.mail == p.mail and entry.status == "staged"
    assert compare().total == 0
    assert AuditEntry.objects.filter(action="person.onboarded").count() == 4


def test_errors_are_in_vietnamese_and_the_report_downloads(tree):
    from django.utils import translation

    with translation.override("vi"):
        batch = run(xlsx(BAD), commit=False)
        report = imports.error_report(batch, "xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(report)).active
    lines = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert lines[0][:len(VI_HEADERS)] == VI_HEADERS and lines[0][-2:] == ["Lỗi", "Dòng trong tệp đã tải lên"]
    assert any("Sở Không Tồn Tại" in (r[-2] or "") for r in lines[1:])
    csv_report = imports.error_report(batch, "csv").decode("utf-8-sig")
    assert "QT-104" in csv_report


def test_reimport_updates_by_employee_code_and_never_duplicates(tree):
    run(xlsx(GOOD))
    again = run(xlsx(GOOD), commit=False)
    assert (again.to_create, again.to_update, again.unchanged, again.already) == (0, 0, 0, 4)
    changed = [list(r) for r in GOOD]
    changed[0][6] = "Trưởng phòng"
    changed[1][5] = "000.00.05.H45"  # Khai moves to the health department
    batch = run(xlsx(changed))
    assert (batch.created, batch.updated, batch.unchanged, batch.already) == (0, 2, 0, 2)
    assert Person.objects.count() == 4
    assert Person.objects.get(employee_code="QT-001").position == "Trưởng phòng"
    khai = Person.objects.get(employee_code="QT-002")
    assert khai.unit.code == "000.00.05.H45" and khai.mail == "khaittm@syt.quangtri.gov.vn"
    assert gateway.person_get("khaittm").mail_aliases == ["khaittm@quangtri.gov.vn"]
    assert compare().total == 0


def test_an_import_records_the_files_sha256_and_each_rows_content_hash(tree):
    import hashlib

    content = xlsx(GOOD)
    batch = run(content)
    assert batch.sha256 == hashlib.sha256(content).hexdigest()
    hashes = list(batch.rows.values_list("content_hash", flat=True))
    assert len(set(hashes)) == 4 and all(len(h) == 64 for h in hashes)
    again = run(xlsx(GOOD), commit=False)  # a new workbook (its own timestamps), the same rows
    assert sorted(again.rows.values_list("content_hash", flat=True)) == sorted(hashes)


def test_the_same_file_uploaded_again_after_a_crash_and_both_committed_creates_nobody_twice(tree):
    """C-16 in one process: the web server died after the upload, HR uploaded the file again; both
    previews exist and both get confirmed. Every person is created once; the second commit reports
    its rows as already imported, not as failures."""
    content = xlsx(GOOD + BAD)
    first = run(content, commit=False)
    second = run(content, commit=False)
    assert first.to_create == second.to_create == 4
    with translation.override("en"):
        assert any(f"import #{first.pk}" in w for w in imports.batch_warnings(second))
    second = imports.import_commit(second.pk)
    first = imports.import_commit(first.pk)
    directory_changes_drain()
    assert (second.created, second.already, second.failed) == (4, 0, 0)
    assert (first.created, first.already, first.failed) == (0, 4, 0)
    assert Person.objects.count() == 4 and len(gateway.people_uids()) == 4
    third = run(content, commit=False)  # and once more: nothing left to do
    assert (third.to_create, third.to_update, third.already, third.rejected) == (0, 0, 4, len(BAD))
    assert compare().total == 0


def test_a_row_changed_by_hand_after_its_import_is_updated_by_a_later_file_not_called_already(tree):
    from provisioning.people.services import person_update

    run(xlsx(GOOD))
    person_update(actor=None, person=Person.objects.get(employee_code="QT-001"), position="Giám đốc")
    again = run(xlsx(GOOD))
    assert (again.updated, again.already) == (1, 3)
    assert Person.objects.get(employee_code="QT-001").position == "Chuyên viên"


def test_a_person_missing_from_a_later_file_is_not_touched(tree):
    run(xlsx(GOOD))
    run(xlsx(GOOD[:1]))
    assert Person.objects.count() == 4
    assert set(Person.objects.values_list("status", flat=True)) == {PersonStatus.STAGED}
    assert len(gateway.people_uids()) == 4


def test_hr_scope_limits_what_a_file_may_touch(tree):
    from django.utils import translation

    with translation.override("en"):
        batch = run(xlsx(GOOD), commit=False, scope=tree["stc"])
    rows = {r.employee_code: r for r in batch.rows.all()}
    assert rows["QT-001"].action == "create" and rows["QT-003"].action == "reject"
    with translation.override("en"):
        assert "outside the units you manage" in render(rows["QT-003"].errors["unit"][0])


@pytest.mark.parametrize("content,name,needle", [
    (b"\xff\xfe\x00\x00garbage", "x.xlsx", "XLSX"),
    (b"M\xe3 c\xe1n b\xf4\xf2,H\xf2o v\xe0 t\xean\nA,B\n", "x.csv", "UTF-8"),  # Windows-1258
    (b"Name,Something\nA,B\n", "x.csv", "no column"),
    (b"", "x.csv", ""),
])
def test_unreadable_files_fail_with_a_message_and_change_nothing(tree, content, name, needle):
    from django.utils import translation

    with translation.override("en"):
        batch = run(content, name=name)
    assert batch.status == ImportBatch.Status.FAILED and batch.file_error
    assert needle.lower() in batch.file_error.lower()
    assert Person.objects.count() == 0


def test_an_oversized_upload_is_refused(tree, settings):
    settings.IDM_IMPORT_MAX_BYTES = 1000
    batch = run(xlsx(GOOD * 20))
    assert batch.status == ImportBatch.Status.FAILED and "MB" in batch.file_error


def test_the_directory_stopped_mid_import_loses_nothing(tree, stack):
    batch = imports.import_validate(imports.import_create(actor=None, fileobj=io.BytesIO(xlsx(GOOD)),
                                                          filename="ds.xlsx", scope=None).pk)
    stack.stop()
    batch = imports.import_commit(batch.pk)
    assert batch.created == 4  # SQL has them, with their outbox rows
    with pytest.raises(DirectoryUnavailable):
        directory_changes_drain()
    stack.start()
    directory_changes_drain()
    directory_changes_drain()  # a second run (duplicate delivery) changes nothing
    assert sorted(gateway.people_uids()) == sorted(Person.objects.values_list("uid", flat=True))
    assert compare().total == 0


def test_import_staff_command(tree, tmp_path):
    good, mixed = tmp_path / "good.xlsx", tmp_path / "mixed.xlsx"
    good.write_bytes(xlsx(GOOD))
    mixed.write_bytes(xlsx(GOOD + BAD))
    out = io.StringIO()
    with pytest.raises(SystemExit) as info:
        call_command("import_staff", str(mixed), "--dry-run", "--report", str(tmp_path / "r.csv"), stdout=out)
    assert info.value.code == 1 and Person.objects.count() == 0
    assert out.getvalue().strip().splitlines()[-1].startswith("import mixed.xlsx (dry run): 13 rows; would create 4")
    assert "QT-104" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    out = io.StringIO()
    call_command("import_staff", str(good), stdout=out)  # every row accepted: exit status 0
    assert out.getvalue().strip().splitlines()[-1] == ("import good.xlsx: 4 rows; created 4, updated 0; 0 unchanged; "
                                                       "0 already imported; 0 rejected; 0 failed")
    assert len(gateway.people_uids()) == 4


def test_import_staff_without_a_report_prints_why_rows_were_refused(tree, tmp_path, monkeypatch):
    mixed = tmp_path / "mixed.xlsx"
    mixed.write_bytes(xlsx(GOOD + BAD))
    err = io.StringIO()
    with translation.override("en"), pytest.raises(SystemExit):
        call_command("import_staff", str(mixed), "--dry-run", stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    refused = {line.split(":")[0] for line in lines if line.startswith("row ")}
    assert len(refused) == 9 and all(line.split(": ", 1)[1] for line in lines if line.startswith("row "))
    assert "row 14: Employee code: Use letters" in err.getvalue()
    monkeypatch.setattr("provisioning.management.commands.import_staff.SHOWN", 3)
    err = io.StringIO()
    with translation.override("en"), pytest.raises(SystemExit):
        call_command("import_staff", str(mixed), "--dry-run", stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert len({line.split(":")[0] for line in lines if line.startswith("row ")}) == 3
    assert lines[-1].startswith("... (every row")


def test_import_staff_exit_status_for_an_unreadable_file(tmp_path):
    bad = tmp_path / "bad.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as info:
        call_command("import_staff", str(bad), "--dry-run", stdout=out, stderr=err)
    assert info.value.code == 2
    assert out.getvalue().strip() == "import bad.xls: file rejected" and ".xlsx" in err.getvalue()


def test_a_code_taken_between_preview_and_commit_fails_only_that_row(tree):
    from provisioning.people.services import person_onboard

    preview = run(xlsx(GOOD), commit=False)
    person_onboard(actor=None, unit=tree["stc"], family="Đỗ", middle="", given="Hải", employee_code="QT-002")
    batch = imports.import_commit(preview.pk)
    assert (batch.created, batch.failed) == (3, 1)
    failed = batch.rows.exclude(outcome_errors={}).get()
    message = " ".join(f"{label}: {m}" for label, m in imports.row_problems(failed)).lower()
    assert failed.employee_code == "QT-002" and ("employee code" in message or "mã cán bộ" in message)
    assert Person.objects.get(employee_code="QT-002").given_name == "Hải"  # the other one is untouched
    assert Person.objects.filter(employee_code__in=["QT-001", "QT-003", "QT-004"]).count() == 3


def test_ldap_metacharacters_in_free_text_fields_are_stored_literally(tree):
    hostile = "*)(uid=*))(|(uid=*"
    rows = [["QT-201", "Lê Văn Tám", "", "", "", "000.00.03.H45", hostile, "", "", ""],
            ["QT-202", "Lê Văn Tư", "", "", "", "000.00.03.H45", 'a,ou=x+y"<>;=\\', "", "", ""]]
    batch = run(xlsx(rows))
    assert batch.created == 2
    assert gateway.person_get("tamlv").position == hostile
    assert gateway.person_get("tulv").position == 'a,ou=x+y"<>;=\\'
    assert [p.uid for p in gateway.people_find(name_contains="*")] == []
    assert compare().total == 0


def test_the_batch_lifecycle_is_audited_with_who_uploaded_and_who_committed(tree):
    from accounts.models import User

    uploader = User.objects.create_user("lanpt", source=User.Source.DIRECTORY)
    committer = User.objects.create_superuser("superadmin", password="a local password", source=User.Source.LOCAL)
    batch = imports.import_create(actor=uploader, fileobj=io.BytesIO(xlsx(GOOD + BAD)), filename="ds.xlsx",
                                  scope=None)
    imports.import_validate(batch.pk)
    imports.import_commit(batch.pk, actor=committer)
    trail = [(e.action, e.actor) for e in AuditEntry.objects.filter(target_type="importbatch").order_by("id")]
    assert trail == [("import.uploaded", uploader), ("import.checked", uploader), ("import.committed", committer)]
    committed = AuditEntry.objects.get(action="import.committed")
    assert committed.target_id == str(batch.pk) and committed.target_label == "ds.xlsx"
    assert (committed.after["created"], committed.after["rejected"]) == (4, 9)
    assert set(AuditEntry.objects.filter(action="person.onboarded").values_list("actor", flat=True)) == {committer.pk}


# the import task runs eagerly here; the directory changes it enqueues are published by name and stay pending
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_the_import_page_commits_as_the_officer_who_pressed_the_button(client, tree,
                                                                      django_capture_on_commit_callbacks):
    from accounts.models import User
    from idm.celery import app

    uploader = User.objects.create_user("lanpt", source=User.Source.DIRECTORY)
    batch = imports.import_validate(imports.import_create(actor=uploader, fileobj=io.BytesIO(xlsx(GOOD)),
                                                          filename="ds.xlsx", scope=None).pk)
    admin = User.objects.create_superuser("superadmin", password="a local password", source=User.Source.LOCAL)
    client.force_login(admin, backend="accounts.backends.LocalSuperadminBackend")
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/imports/{batch.pk}/commit/").status_code == 302
    finally:
        app.conf.task_always_eager = False
    assert AuditEntry.objects.get(action="import.committed").actor == admin
    assert set(AuditEntry.objects.filter(action="person.onboarded").values_list("actor", flat=True)) == {admin.pk}


def test_the_command_records_its_actor(tree, tmp_path):
    from accounts.models import User

    admin = User.objects.create_superuser("superadmin", password="a local password", source=User.Source.LOCAL)
    path = tmp_path / "ds.xlsx"
    path.write_bytes(xlsx(GOOD))
    call_command("import_staff", str(path), "--actor", "superadmin", stdout=io.StringIO())
    trail = [(e.action, e.actor, e.after.get("source")) for e in
             AuditEntry.objects.filter(target_type="importbatch").order_by("id")]
    assert trail == [("import.uploaded", admin, "command"), ("import.checked", admin, None),
                     ("import.committed", admin, None)]
