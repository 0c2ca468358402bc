"""Loading a province's unit tree from a spreadsheet (issues 11, 12): `manage.py import_units` and the
superadmin's page. Real slapd: loaded units reach the directory."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import Workbook

from accounts.models import User
from directory import gateway
from provisioning.audit.models import AuditEntry
from provisioning.units.models import Unit, UnitVersion
from tests import factories

pytestmark = pytest.mark.django_db

TREE = """Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên,Loại,Tên miền thư
000.00.00.H45,Ủy ban nhân dân tỉnh Quảng Trị,,Tỉnh,quangtri.gov.vn
000.00.01.H45,Sở Nội vụ,000.00.00.H45,Sở,
000.01.01.H45,Phòng Tổ chức biên chế,000.00.01.H45,Phòng,
000.00.05.H45,Sở Y tế,000.00.00.H45,department,syt.quangtri.gov.vn
001.00.00.H45,Huyện Gio Linh,000.00.00.H45,Huyện,
001.01.00.H45,Xã Gio Mai,001.00.00.H45,Xã,
"""


def run(tmp_path, text, *args):
    path = tmp_path / "units.csv"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        with translation.override("en"):
            call_command("import_units", str(path), *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_a_whole_tree_loads_parents_first_and_reaches_the_directory(tmp_path, slapd_config):
    code, out, err = run(tmp_path, TREE)
    assert code == 0, err
    assert "6 new, 0 updated, 0 unchanged, 0 refused" in out
    commune = Unit.objects.get(code="001.01.00.H45")
    assert commune.parent.code == "001.00.00.H45" and commune.kind == "commune"
    assert commune.parent.parent.code == "000.00.00.H45"
    assert Unit.objects.get(code="000.00.05.H45").mail_domain == "syt.quangtri.gov.vn"
    assert gateway.unit_get("001.01.00.H45") is not None
    assert AuditEntry.objects.filter(action="unit.created").count() == 6


def test_the_dry_run_changes_nothing(tmp_path):
    code, out, _ = run(tmp_path, TREE, "--dry-run")
    assert code == 0 and "6 new" in out and "nothing was changed" in out
    assert not Unit.objects.exists()


def test_a_reimport_updates_by_code_and_keeps_history(tmp_path):
    run(tmp_path, TREE)
    changed = TREE.replace("Sở Nội vụ,", "Sở Nội vụ tỉnh Quảng Trị,").replace(
        "001.01.00.H45,Xã Gio Mai,001.00.00.H45", "001.01.00.H45,Xã Gio Mai,000.00.00.H45")
    code, out, err = run(tmp_path, changed)
    assert code == 0, err
    assert "0 new, 2 updated, 4 unchanged" in out
    assert Unit.objects.get(code="000.00.01.H45").name == "Sở Nội vụ tỉnh Quảng Trị"
    moved = Unit.objects.get(code="001.01.00.H45")
    assert moved.parent.code == "000.00.00.H45" and moved.depth == 1
    assert UnitVersion.objects.filter(unit__code="000.00.01.H45").count() >= 1
    assert Unit.objects.get(code="000.00.05.H45").mail_domain == "syt.quangtri.gov.vn"


def test_bad_rows_are_refused_with_reasons_and_good_rows_kept(tmp_path):
    bad = TREE + ("002.00.00.H45,Huyện Vô Danh,999.99.99.H45,Huyện,\n"  # unknown parent
                  "003.00.00.H45,Đơn vị \u202eẩn,000.00.00.H45,Sở,\n"  # a bidi control in the name
                  "004.00.00.H45,Đơn vị lạ,000.00.00.H45,Hành tinh,\n"  # unknown kind
                  "005.00.00.H45,Vòng A,006.00.00.H45,Phòng,\n006.00.00.H45,Vòng B,005.00.00.H45,Phòng,\n"  # a cycle
                  "000.00.01.H45,Sở Nội vụ lần hai,000.00.00.H45,Sở,\n"  # a duplicate code
                  "007.00.00.H45,Con của dòng lỗi,002.00.00.H45,Phòng,\n")  # its parent is refused
    code, out, err = run(tmp_path, bad)
    assert code == 1
    assert "6 new" in out and "7 refused" in out
    assert "neither in the file nor in the system" in err
    assert "invisible or control characters" in err
    assert "Unknown kind" in err
    assert "go round in a circle" in err
    assert "already on row" in err
    assert "(002.00.00.H45) cannot be loaded" in err or "Its parent 002.00.00.H45" in err
    assert Unit.objects.count() == 6


def test_row_errors_are_in_vietnamese_by_default(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(TREE + "002.00.00.H45,Huyện Vô Danh,999.99.99.H45,Huyện,\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit), translation.override("vi"):
        call_command("import_units", str(path), stdout=io.StringIO(), stderr=err)
    assert "không có trong tệp cũng như trong hệ thống" in err.getvalue()


def test_a_file_that_is_not_a_unit_list_is_refused_in_one_line(tmp_path):
    code, out, err = run(tmp_path, "a,b,c\n1,2,3\n")
    assert code == 2 and "file rejected" in out and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_the_superadmin_page_checks_then_loads_an_xlsx(client):
    admin = User.objects.create_superuser(username="admin", password="x" * 20, source=User.Source.LOCAL)
    client.force_login(admin, backend="accounts.backends.LocalSuperadminBackend")
    wb = Workbook()
    ws = wb.active
    for line in TREE.strip().splitlines():
        ws.append(line.split(","))
    data = io.BytesIO()
    wb.save(data)

    def upload(dry_run):
        f = io.BytesIO(data.getvalue())
        f.name = "donvi.xlsx"
        return client.post("/units/import/", {"file": f, **({"dry_run": "on"} if dry_run else {})},
                           HTTP_ACCEPT_LANGUAGE="en")

    r = upload(True)
    assert r.status_code == 200 and "What would change" in r.content.decode() and not Unit.objects.exists()
    r = upload(False)
    assert r.status_code == 200 and Unit.objects.count() == 6


def test_only_the_superadmin_may_load_units(client):
    hr = factories.person(factories.unit(factories.province(), "000.00.01.H45", "Sở Nội vụ"))
    client.force_login(User.objects.create_user(username=hr.uid), backend="accounts.backends.DirectoryBackend")
    assert client.get("/units/import/").status_code == 403
