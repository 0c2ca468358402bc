"""A province whose mail runs elsewhere loads its mail server's usage export (provisioning/usage_import.py
and the import_mail_usage command). Every file is built here: openpyxl for XLSX, plain bytes for CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation

from provisioning.mailboxes.models import MailboxUsage, UsageCollection
from provisioning.mailboxes.usage_import import _parse_size, import_usage
from provisioning.people.models import MailAddress
from tests import factories

pytestmark = pytest.mark.django_db

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)  # 16:00 in Quảng Trị
TODAY = dt.date(2026, 11, 24)
VI = ["Địa chỉ thư", "Lần đăng nhập cuối", "Dung lượng đã dùng", "Thư đã gửi", "Thư đã nhận"]
HOANG = "hoangnt@quangtri.gov.vn"
KHAI = "khaittm@quangtri.gov.vn"


@pytest.fixture(autouse=True)
def english_on_a_known_day():
    with translation.override("en"), time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people():
    unit = factories.unit(factories.province(), "000.00.03.H45", "Sở Tài chính")
    return {"hoang": factories.person(unit), "khai": factories.person(unit, "Trần", "Thị Minh", "Khai")}


def csv_bytes(rows) -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode("utf-8-sig")  # what Excel's "CSV UTF-8" writes


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def load(rows, filename="usage.csv", **kw):
    data = xlsx_bytes(rows) if filename.endswith(".xlsx") else csv_bytes(rows)
    return import_usage(io.BytesIO(data), filename, actor=None, **kw)


def usage(address: str, day: dt.date = TODAY) -> MailboxUsage:
    return MailboxUsage.objects.get(day=day, address=address)


def test_a_csv_with_vietnamese_headers_loads_every_mailbox(people):
    result = load([VI,
                   [HOANG, "20/11/2026 08:30", "1.5 MB", "12", "30"],
                   [KHAI.upper(), "", "2048", "", ""]])
    assert (result.loaded, result.rejected, result.file_error) == (2, [], "")
    hoang = usage(HOANG)
    assert hoang.person == people["hoang"] and hoang.source == "import"
    assert hoang.last_login == dt.datetime(2026, 11, 20, 8, 30, tzinfo=HCM)  # a time without a zone is local
    assert (hoang.bytes_used, hoang.messages_sent, hoang.messages_received) == (1572864, 12, 30)
    khai = usage(KHAI)
    assert khai.person == people["khai"]
    assert khai.last_login is None  # never logged in: NULL, not some date
    assert (khai.bytes_used, khai.messages_sent, khai.messages_received) == (2048, None, None)
    run = UsageCollection.objects.get()
    assert (run.source, run.status, run.day, run.mailboxes) == ("import", "complete", TODAY, 2)
    assert run.finished_at is not None


def test_an_xlsx_with_excel_dates_and_a_day_column_loads_each_row_on_its_day(people):
    result = load([["DANH SÁCH SỬ DỤNG HỘP THƯ"],
                   ["Ngày", "Địa chỉ", "Đăng nhập cuối", "Dung lượng", "Thư đã gửi"],
                   [dt.datetime(2026, 11, 1), HOANG, dt.datetime(2026, 10, 31, 17, 5), 1073741824, 4],
                   [dt.datetime(2026, 11, 2), HOANG, dt.datetime(2026, 11, 2, 7, 0), "1 GiB", 5],
                   [dt.datetime(2026, 11, 2), KHAI, None, 0, None]], "usage.xlsx", day=dt.date(2026, 11, 20))
    assert (result.loaded, result.rejected) == (3, [])
    assert usage(HOANG, dt.date(2026, 11, 1)).last_login == dt.datetime(2026, 10, 31, 17, 5, tzinfo=HCM)
    assert usage(HOANG, dt.date(2026, 11, 2)).messages_sent == 5
    assert usage(KHAI, dt.date(2026, 11, 2)).bytes_used == 0
    assert UsageCollection.objects.get().day == dt.date(2026, 11, 20)  # the run is recorded for the day asked


def test_english_headers_and_iso_times_with_an_offset(people):
    result = load([["Mailbox", "Last login", "Storage", "Messages received"],
                   [HOANG, "2026-11-23T10:00:00Z", "512 KiB", "7"]])
    assert result.rejected == []
    assert usage(HOANG).last_login == dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    assert usage(HOANG).bytes_used == 512 * 1024


def test_bad_rows_are_reported_one_by_one_while_the_good_rows_load(people):
    result = load([["Ngày", *VI],  # a day per row, so no mailbox appears twice on one day
                   ["", "ai.do@quangtri.gov.vn", "", "100", "", ""],            # 2: nobody has this address
                   ["20/11/2026", HOANG, "31/02/2026", "100", "", ""],          # 3: no such date
                   ["20/11/2026", KHAI, "01/12/2026", "100", "", ""],           # 4: in the future
                   ["", "", "", "100", "", ""],                                 # 5: no address
                   ["", "ai.khac@quangtri.gov.vn", "", "-5", "", ""],           # 6: unknown and negative
                   ["21/11/2026", HOANG, "", "nhiều", "", ""],                  # 7: not a number
                   ["22/11/2026", HOANG, "", "", "", ""],                       # 8: no size
                   ["21/11/2026", KHAI, "", "10 MB", "ba", "-1"],               # 9: counts not numbers
                   ["23/11/2026", HOANG, "22/11/2026 21:15", "3 GB", "1", "2"],  # 10: good
                   ["30/11/2026", KHAI, "", "1 MB", "", ""],                    # 11: a day not yet come
                   ["19/11/2026", KHAI, "20/11/2026", "1 MB", "", ""]])         # 12: login after the day
    assert result.loaded == 1
    assert [(row, name) for row, name, _message in result.rejected] == [
        (2, "address"), (3, "last_login"), (4, "last_login"), (5, "address"), (6, "bytes_used"), (6, "address"),
        (7, "bytes_used"), (8, "bytes_used"), (9, "messages_sent"), (9, "messages_received"), (11, "day"),
        (12, "last_login")]
    messages = {(row, name): message for row, name, message in result.rejected}
    assert "Unknown address" in messages[(2, "address")] and "ai.do@quangtri.gov.vn" in messages[(2, "address")]
    assert "future" in messages[(4, "last_login")] and "future" in messages[(11, "day")]
    assert "negative" in messages[(6, "bytes_used")]
    assert result.rejected_rows == 10
    row = MailboxUsage.objects.get()
    assert (row.day, row.address, row.bytes_used) == (dt.date(2026, 11, 23), HOANG, 3 * 1024**3)


def test_rejections_are_in_the_users_language(people):
    with translation.override("vi"):
        result = load([VI, ["ai.do@quangtri.gov.vn", "", "", "", ""]])
    problems = {name: message for _row, name, message in result.rejected}
    assert problems.keys() == {"address", "bytes_used"}
    assert problems["bytes_used"] == "Trường thông tin này là bắt buộc."


def test_an_old_alias_lands_on_the_owners_primary_address(people):
    MailAddress.objects.create(address="hoang.old@quangtri.gov.vn", person=people["hoang"], kind="alias")
    result = load([VI, ["Hoang.Old@QuangTri.gov.vn", "", "4096", "", ""]])
    assert result.rejected == []
    row = MailboxUsage.objects.get()
    assert (row.address, row.person, row.bytes_used) == (HOANG, people["hoang"], 4096)


def test_the_same_mailbox_twice_on_one_day_is_refused_on_the_later_row(people):
    MailAddress.objects.create(address="hoang.old@quangtri.gov.vn", person=people["hoang"], kind="alias")
    result = load([["Ngày", *VI],
                   ["23/11/2026", HOANG, "", "100", "", ""],
                   ["23/11/2026", "hoang.old@quangtri.gov.vn", "", "200", "", ""],  # the same mailbox
                   ["22/11/2026", HOANG, "", "300", "", ""]])                     # another day: fine
    assert [(row, name) for row, name, _m in result.rejected] == [(3, "address")]
    assert "row 2" in result.rejected[0][2]
    assert usage(HOANG, dt.date(2026, 11, 23)).bytes_used == 100
    assert usage(HOANG, dt.date(2026, 11, 22)).bytes_used == 300


def test_importing_the_same_day_again_brings_it_up_to_date_without_duplicates(people):
    load([VI, [HOANG, "", "1 MB", "1", "1"], [KHAI, "", "2 MB", "", ""]])
    result = load([VI, [HOANG, "23/11/2026", "1.5 MB", "3", "4"], [KHAI, "", "2 MB", "", ""]])
    assert result.loaded == 2
    assert MailboxUsage.objects.count() == 2
    hoang = usage(HOANG)
    assert (hoang.bytes_used, hoang.messages_sent, hoang.messages_received) == (1572864, 3, 4)
    assert hoang.last_login == dt.datetime(2026, 11, 23, tzinfo=HCM)
    assert UsageCollection.objects.filter(source="import").count() == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("1.5 MB", 1572864), ("1,5 MB", 1572864), ("1.5MB", 1572864), ("2 KB", 2048), ("2 kib", 2048),
    ("1 GiB", 1024**3), ("0.5 GB", 512 * 1024**2), ("1572864", 1572864), ("1 572 864", 1572864),
    ("1.572.864", 1572864), ("1,572,864", 1572864), ("0", 0), ("300 B", 300),
])
def test_sizes_are_bytes_or_a_number_with_a_binary_unit(text, expected):
    assert _parse_size(text) == (expected, "")


@pytest.mark.parametrize("text", ["-5", "-1.5 MB", "nhiều", "1.5", "1,024", "1.500 MB", "12 TB", "MB", "1..5 MB"])
def test_sizes_that_are_negative_unreadable_or_ambiguous_are_refused(text):
    size, problem = _parse_size(text)
    assert size is None and problem


def test_the_command_loads_a_good_file_and_says_so(people, tmp_path, capsys):
    path = tmp_path / "usage.csv"
    path.write_bytes(csv_bytes([VI, [HOANG, "", "1 MB", "", ""], [KHAI, "", "2 MB", "", ""]]))
    out = io.StringIO()
    call_command("import_mail_usage", str(path), "--day", "2026-11-20", stdout=out)  # exit status 0
    assert out.getvalue().splitlines()[-1] == "import_mail_usage usage.csv: 2 loaded, 0 rejected"
    assert MailboxUsage.objects.filter(day=dt.date(2026, 11, 20)).count() == 2


def test_the_command_lists_rejected_rows_and_exits_1(people, tmp_path):
    path = tmp_path / "usage.csv"
    path.write_bytes(csv_bytes([VI, [HOANG, "", "1 MB", "", ""], ["ai.do@quangtri.gov.vn", "", "-1", "", ""]]))
    report = tmp_path / "rejected.csv"
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as info:
        call_command("import_mail_usage", str(path), "--report", str(report), stdout=out, stderr=err)
    assert info.value.code == 1
    assert out.getvalue().splitlines()[-1] == "import_mail_usage usage.csv: 1 loaded, 1 rejected"
    assert "row 3, Địa chỉ thư: Unknown address" in err.getvalue()
    assert "row 3, Dung lượng đã dùng:" in err.getvalue()
    lines = list(csv.reader(io.StringIO(report.read_bytes().decode("utf-8-sig"))))
    assert lines[0] == ["Row", "Field", "Problem"]
    assert sorted((row, name) for row, name, _problem in lines[1:]) == [("3", "Dung lượng đã dùng"),
                                                                        ("3", "Địa chỉ thư")]
    assert usage(HOANG).bytes_used == 1024**2


def test_the_command_writes_an_xlsx_report(people, tmp_path):
    path = tmp_path / "usage.xlsx"
    path.write_bytes(xlsx_bytes([["Email", "Storage"], ["ai.do@quangtri.gov.vn", 5]]))
    report = tmp_path / "rejected.xlsx"
    with pytest.raises(SystemExit) as info:
        call_command("import_mail_usage", str(path), "--report", str(report), stdout=io.StringIO(),
                     stderr=io.StringIO())
    assert info.value.code == 1
    rows = list(openpyxl.load_workbook(report, read_only=True).worksheets[0].values)
    assert rows[0] == ("Row", "Field", "Problem") and rows[1][:2] == (2, "Email")


def test_an_unreadable_file_exits_2_and_writes_nothing(people, tmp_path):
    path = tmp_path / "usage.csv"
    path.write_bytes(b"\xe3\xe1\xf4")  # cp1258, not UTF-8
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as info:
        call_command("import_mail_usage", str(path), stdout=out, stderr=err)
    assert info.value.code == 2
    assert "UTF-8" in err.getvalue()
    assert out.getvalue().splitlines()[-1] == "import_mail_usage usage.csv: file rejected"
    assert not MailboxUsage.objects.exists() and not UsageCollection.objects.exists()


def test_a_file_without_a_size_column_is_refused_as_a_whole(people):
    result = load([["Địa chỉ", "Đăng nhập cuối"], [HOANG, ""]])
    assert result.file_error and "Storage used" in result.file_error
    assert not MailboxUsage.objects.exists() and not UsageCollection.objects.exists()


def test_a_file_that_breaks_half_way_leaves_nothing_behind(people, settings):
    settings.IDM_IMPORT_MAX_ROWS = 600  # the reader gives up after 600 rows, once 500 have been written
    days = [TODAY - dt.timedelta(days=n) for n in range(1, 700)]
    result = load([["Ngày", "Địa chỉ", "Dung lượng"], *([d.isoformat(), HOANG, "1"] for d in days)])
    assert result.file_error and result.loaded == 0
    assert not MailboxUsage.objects.exists() and not UsageCollection.objects.exists()


def test_the_command_refuses_a_day_not_yet_come(people, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "usage.csv"
    path.write_bytes(csv_bytes([VI, [HOANG, "", "1 MB", "", ""]]))
    with pytest.raises(CommandError):
        call_command("import_mail_usage", str(path), "--day", "2026-11-25")


def test_a_load_is_audited_with_who_loaded_it(people, tmp_path):
    from accounts.models import User
    from provisioning.audit.models import AuditEntry

    admin = User.objects.create_superuser("superadmin", password="a local password", source=User.Source.LOCAL)
    path = tmp_path / "usage.csv"
    path.write_bytes(csv_bytes([["Address", "Storage used"], ["hoangnt@quangtri.gov.vn", "10"],
                                ["nobody@quangtri.gov.vn", "10"]]))
    with pytest.raises(SystemExit):  # one row rejected
        call_command("import_mail_usage", str(path), "--actor", "superadmin", stdout=io.StringIO(),
                     stderr=io.StringIO())
    entry = AuditEntry.objects.get(action="mailbox.usage_imported")
    assert entry.actor == admin and entry.target_type == "usagecollection"
    assert entry.after == {"filename": "usage.csv", "day": TODAY.isoformat(), "loaded": 1, "rejected_rows": 1,
                           "source": "command"}
