"""The staff spreadsheet HR already keeps: reading it (XLSX or CSV, Vietnamese or English headers),
writing reports, and the template to download.

Pure parsing, no database. A whole-file problem is a FileError whose message tells the HR admin what to
do; row-level problems belong to the caller, which gets clean strings plus two flags per row:
"__formulas__" (fields whose cell held a formula, value left empty) and "__control__" (fields from which
control characters were removed); on request "__cells__", every cell under the file's own headers.
Rows are streamed, so a 100,000-row file never sits in memory.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import logging
import math
import re
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any, BinaryIO
from xml.parsers import expat

import openpyxl
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

logger = logging.getLogger(__name__)
# openpyxl warns on stderr about what it skips in a workbook (data validation, unknown extensions, no
# default style): noise in the worker log and on import_staff's stderr, and nothing the HR admin can act on
warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")

FIELDS: tuple[str, ...] = ("employee_code", "full_name", "family_name", "middle_name", "given_name", "unit",
                           "position", "category", "personal_email", "phone", "citizen_id")
FORMULAS = "__formulas__"
CONTROL = "__control__"
CELLS = "__cells__"

FIELD_LABELS = {
    "employee_code": gettext_lazy("Employee code"),
    "full_name": gettext_lazy("Full name"),
    "family_name": gettext_lazy("Family name"),
    "middle_name": gettext_lazy("Middle name"),
    "given_name": gettext_lazy("Given name"),
    "unit": gettext_lazy("Unit"),
    "position": gettext_lazy("Position"),
    "category": gettext_lazy("Category"),
    "personal_email": gettext_lazy("Personal email"),
    "phone": gettext_lazy("Phone"),
    "citizen_id": gettext_lazy("Citizen ID"),
}

ALIASES: dict[str, tuple[str, ...]] = {
    "employee_code": ("Mã cán bộ", "Mã CB", "Mã số cán bộ", "Mã nhân viên", "Employee code", "Employee ID"),
    "full_name": ("Họ và tên", "Họ tên", "Full name", "Name"),
    "family_name": ("Họ", "Family name", "Surname", "Last name"),
    "middle_name": ("Tên đệm", "Tên lót", "Middle name"),
    "given_name": ("Tên", "Given name", "First name"),
    "unit": ("Đơn vị", "Mã đơn vị", "Unit", "Unit code", "Agency"),
    "position": ("Chức vụ", "Position", "Title"),
    "category": ("Loại cán bộ", "Ngạch", "Category"),
    "personal_email": ("Email cá nhân", "Thư điện tử cá nhân", "Personal email", "Email", "E-mail"),
    "phone": ("Số điện thoại", "Điện thoại", "SĐT", "Di động", "Số di động", "Mobile", "Phone"),
    "citizen_id": ("Số CCCD", "CCCD", "Số định danh cá nhân", "Citizen ID"),
}

TEMPLATE_HEADERS: dict[str, tuple[str, ...]] = {
    "vi": ("Mã cán bộ", "Họ và tên", "Họ", "Tên đệm", "Tên", "Đơn vị", "Chức vụ", "Loại cán bộ",
           "Email cá nhân", "Số điện thoại", "Số CCCD"),
    "en": ("Employee code", "Full name", "Family name", "Middle name", "Given name", "Unit", "Position",
           "Category", "Personal email", "Phone", "Citizen ID"),
}

TEMPLATE_EXAMPLES: tuple[dict[str, str], ...] = (
    {"employee_code": "QT-000123", "full_name": "Nguyễn Tiến Hoàng", "family_name": "", "middle_name": "",
     "given_name": "", "unit": "000.00.01.H45", "position": "Chuyên viên", "category": "cong_chuc",
     "personal_email": "hoang.nguyen@gmail.com", "phone": "0912 345 678", "citizen_id": ""},
    {"employee_code": "QT-000124", "full_name": "", "family_name": "Niê", "middle_name": "", "given_name": "H'Hen",
     "unit": "000.00.01.H45", "position": "Chuyên viên", "category": "vien_chuc",
     "personal_email": "hhen.nie@gmail.com", "phone": "0987 654 321", "citizen_id": ""},
)

# The template is a document in the language the downloader picked, whatever the page language, and its
# headers must be exactly the ones the reader accepts; so its text is fixed per language (as letters.py
# does), not run through gettext.
_GUIDE: dict[str, dict[str, Any]] = {
    "vi": {
        "data_sheet": "Danh sách cán bộ",
        "guide_sheet": "Hướng dẫn",
        "guide_headers": ("Cột", "Bắt buộc?", "Cách điền"),
        "lines": (
            ("Bắt buộc", "Mã số cán bộ do bộ phận tổ chức cấp, không trùng nhau trong toàn tỉnh. "
             "Ví dụ: QT-000123."),
            ("Bắt buộc, trừ khi đã điền cột Họ và cột Tên",
             "Họ và tên đầy đủ, có dấu. Khi chỉ điền cột này, hệ thống tách tên theo thứ tự họ – tên đệm – tên: "
             "chữ đầu là họ, chữ cuối là tên, các chữ ở giữa là tên đệm. Tên không theo thứ tự đó (ví dụ "
             "H'Hen Niê, Y Moan Êban): để trống cột này và điền các cột Họ, Tên đệm, Tên."),
            ("Bắt buộc nếu cột Họ và tên để trống", "Họ, ví dụ: Nguyễn, Niê."),
            ("Không bắt buộc", "Tên đệm; có thể để trống."),
            ("Bắt buộc nếu cột Họ và tên để trống", "Tên, ví dụ: Hoàng, H'Hen."),
            ("Bắt buộc", "Mã đơn vị (ví dụ 000.00.01.H45) hoặc tên đơn vị đúng như trong hệ thống."),
            ("Không bắt buộc", "Chức vụ, ví dụ: Chuyên viên, Trưởng phòng."),
            ("Không bắt buộc", "Một trong các giá trị: can_bo (cán bộ), cong_chuc (công chức), "
             "vien_chuc (viên chức), hop_dong (hợp đồng)."),
            ("Không bắt buộc", "Địa chỉ email riêng của người đó (không phải email công vụ), dùng để liên hệ "
             "khi kích hoạt tài khoản hoặc đặt lại mật khẩu."),
            ("Không bắt buộc", "Số di động, có thể có dấu cách, ví dụ: 0912 345 678. Để cột ở định dạng "
             "Văn bản (Text) để Excel giữ số 0 ở đầu."),
            ("Không bắt buộc", "Số định danh cá nhân (số căn cước công dân) gồm 12 chữ số. Để cột ở định "
             "dạng Văn bản (Text) để Excel giữ số 0 ở đầu."),
        ),
    },
    "en": {
        "data_sheet": "Staff",
        "guide_sheet": "Instructions",
        "guide_headers": ("Column", "Required?", "What to enter"),
        "lines": (
            ("Required", "The staff code HR gives the person; unique across the province. Example: QT-000123."),
            ("Required unless Family name and Given name are filled",
             "The full name with diacritics. When only this column is filled, the name is split family – "
             "middle – given: the first word is the family name, the last the given name, the words between "
             "the middle name. For names that do not follow that order (e.g. H'Hen Niê, Y Moan Êban), leave "
             "this column empty and fill Family name, Middle name and Given name."),
            ("Required when Full name is empty", "The family name, e.g. Nguyễn, Niê."),
            ("Optional", "The middle name; may be empty."),
            ("Required when Full name is empty", "The given name, e.g. Hoàng, H'Hen."),
            ("Required", "The unit code (e.g. 000.00.01.H45) or the unit's name exactly as in the system."),
            ("Optional", "The position, e.g. Chuyên viên, Trưởng phòng."),
            ("Optional", "One of: can_bo (elected official), cong_chuc (civil servant), vien_chuc (public "
             "employee), hop_dong (contract)."),
            ("Optional", "The person's own e-mail address (not an official one), used to reach them for "
             "account activation and password reset."),
            ("Optional", "Mobile number, spaces allowed, e.g. 0912 345 678. Keep the column formatted as Text "
             "so Excel keeps the leading 0."),
            ("Optional", "The 12-digit personal identification number (citizen ID card). Keep the column "
             "formatted as Text so Excel keeps leading zeros."),
        ),
    },
}

_DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_DEFAULT_MAX_ROWS = 200_000
# zip bomb guard: a real staff list unpacks to a few hundred MB at most and XML compresses ~10-30x
_MAX_UNPACKED = 300 * 1024 * 1024
_MAX_RATIO = 200
_RATIO_FLOOR = 1024 * 1024  # below this an entry cannot hurt, whatever its ratio (tiny XML parts can exceed it)
_HEADER_SCAN = 10  # HR sheets often carry a title row ("DANH SÁCH CÁN BỘ ...") above the headers
_CHUNK = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and also every password-protected .xlsx
_XLSX_EXTENSIONS = {".xlsx", ".xlsm", ".xltx", ".xltm"}
_MACRO_EXTENSIONS = {".xlsm", ".xltm", ".xlam"}
# a staff list is one sheet, often with an instructions sheet or a few per-unit sheets; openpyxl builds an
# object per sheet before reading any, so a workbook of thousands of sheets is refused from its manifest
_MAX_SHEETS = 50
_MAX_PARTS = 2000  # zip entries: a real workbook has a few dozen
_MAX_MANIFEST = 4 * 1024 * 1024  # [Content_Types].xml is read whole: a few KB in a real workbook
# openpyxl keeps the whole shared-strings table in memory as Python objects: about 170 bytes per string
# plus 1 (ASCII) or 2 (Vietnamese) bytes per character (measured with openpyxl 3.1); the table is
# measured before openpyxl reads it, so memory is bounded by what it holds, not by the zip's ratio
_STRING_OVERHEAD = 170
_DEFAULT_MAX_STRINGS_MB = 160
_SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SHEET_TYPES = ("worksheet+xml", "chartsheet+xml", "dialogsheet+xml")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?:\s[^>]*)?>")  # <row ...> and <x:row/>
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")  # category Cc except tab
_EDGE_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_REQUIRED_MARK_RE = re.compile(r"(\s*(\(\*\)|\*|:))+$")
_XLSX_MAX_CELL = 32767
_FORMULA = object()
_NEUTRALISED = ("=", "+", "-", "@")

Row = dict[str, Any]  # {field: str} plus optional FORMULAS / CONTROL: list[str]


class FileError(Exception):
    """The file as a whole cannot be used; `message` is a translated sentence saying what to do."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """An opened staff sheet: its header row and a one-pass stream of its data rows."""

    headers: list[str]
    mapping: dict[int, str]
    unknown_columns: list[str]
    _source: Iterator[tuple[int, list[Any]]] = field(default_factory=lambda: iter(()), repr=False)
    _max_rows: int = field(default=_DEFAULT_MAX_ROWS, repr=False)
    _keep: Any = field(default=None, repr=False)  # a spooled copy of a non-seekable upload

    def rows(self, *, cells: bool = False) -> Iterator[tuple[int, Row]]:
        """(spreadsheet row number counting the header row from 1, {field: cleaned text}) for every row
        that is not fully empty. Only mapped fields are keys, so an absent column is not an empty one. A formula
        cell leaves its field "" and is listed under FORMULAS; fields stripped of control characters are listed
        under CONTROL. With `cells`, CELLS lists the row's cells as text, one per header (a formula cell
        is ""), so the row can be written back as the file had it. Readable once. Raises FileError past the
        row limit or when the file breaks mid-way."""
        count = 0
        for number, raw in self._source:
            record: Row = {}
            formulas: list[str] = []
            control: list[str] = []
            for index, name in self.mapping.items():
                value = raw[index] if index < len(raw) else None
                if value is _FORMULA:
                    record[name] = ""
                    formulas.append(name)
                    continue
                text, had_control = _clean(value)
                record[name] = text
                if had_control:
                    control.append(name)
            if not formulas and not any(record.values()) and _blank_outside(raw, self.mapping):
                continue
            count += 1
            if count > self._max_rows:
                self._source.close()
                raise FileError(_too_many_rows(self._max_rows))
            if formulas:
                record[FORMULAS] = formulas
            if control:
                record[CONTROL] = control
            if cells:
                record[CELLS] = ["" if index >= len(raw) or raw[index] is _FORMULA else _clean(raw[index])[0]
                                 for index in range(len(self.headers))]
            yield number, record


def open_table(fileobj: BinaryIO, filename: str) -> Table:
    """Open an uploaded staff sheet (XLSX or CSV), find its header row and map the columns.

    The file object must stay open while rows() is read. Raises FileError."""
    return _open(fileobj, filename, _field_for, _map_headers)


def open_sheet(fileobj: BinaryIO, filename: str, *, aliases: Mapping[str, Iterable[str]],
               labels: Mapping[str, Any], required: Iterable[str] = ()) -> Table:
    """Open an XLSX or CSV sheet of some other kind than the staff list, with the same guards (size, zip
    bombs, encodings, title rows above the header, row limit) and the same header matching (case, diacritics,
    spaces and a trailing "*" or ":" ignored), but with the caller's columns: `aliases` maps each field name
    to the headers that mean it, `labels` names the fields in messages, and a field of `required` without a
    column is a FileError. Rows come back as open_table's do. The file object must stay open while rows()
    is read. Raises FileError."""
    lookup = _build_lookup(aliases)
    required = tuple(required)

    def field_for(header: str) -> str | None:
        return _lookup_field(lookup, header)

    def map_headers(headers: list[str]) -> tuple[dict[int, str], list[str]]:
        mapping, unknown = _map_columns(headers, field_for, labels)
        present = set(mapping.values())
        missing = [str(labels.get(name, name)) for name in required if name not in present]
        if missing:
            raise FileError(_("The file has no column for: %(columns)s. Add the missing columns to the header "
                              "row and upload the file again.") % {"columns": ", ".join(missing)})
        return mapping, unknown

    return _open(fileobj, filename, field_for, map_headers)


def _open(fileobj: BinaryIO, filename: str, field_for: Callable[[str], str | None],
          map_headers: Callable[[list[str]], tuple[dict[int, str], list[str]]]) -> Table:
    fileobj, keep = _within_size(fileobj, getattr(settings, "IDM_IMPORT_MAX_BYTES", _DEFAULT_MAX_BYTES))
    extension = PurePath(filename or "").suffix.lower()
    if extension == ".xls":
        raise FileError(_("This is an old Excel file (.xls). Open it in Excel, choose Save As and pick "
                          "Excel Workbook (.xlsx) or CSV UTF-8, then upload that file."))
    head = fileobj.read(8)
    fileobj.seek(0)
    max_rows = getattr(settings, "IDM_IMPORT_MAX_ROWS", _DEFAULT_MAX_ROWS)
    if extension in _MACRO_EXTENSIONS:
        raise FileError(_macros())
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        source = _xlsx_source(fileobj, max_rows)
    elif head.startswith(_OLE_MAGIC):
        raise FileError(_("This file is in the old Excel format or is password-protected. Open it in Excel, "
                          "remove any password, choose Save As and pick Excel Workbook (.xlsx) or CSV UTF-8."))
    elif extension in _XLSX_EXTENSIONS:
        raise FileError(_invalid_xlsx())
    else:
        source = _csv_source(fileobj, max_rows)
    try:
        headers, source = _find_header(source, field_for)
        mapping, unknown = map_headers(headers)
    except BaseException:
        source.close()
        raise
    return Table(headers=headers, mapping=mapping, unknown_columns=unknown, _source=source, _max_rows=max_rows,
                 _keep=keep)


def neutralise(value) -> str:
    """IN-04: text a spreadsheet would run as a formula gets a leading apostrophe. Numbers are left as
    they are: a number cannot carry a formula, and "-2" from a number is a value, not an instruction."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r", "\x00"):
        return "'" + text
    return text


def write_report(rows: Iterable[dict[str, object]], columns: list[tuple[str, str]], fmt: str) -> bytes:
    """A report file: one header row of labels, then one row per dict (values looked up by key).
    Every text cell is neutralised; in XLSX numbers stay numbers."""
    if fmt == "xlsx":
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Report"))
        bold = Font(bold=True)
        header = []
        for _key, label in columns:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(str(label)))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append([_xlsx_value(row.get(key)) for key, _label in columns])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    if fmt == "csv":
        text = io.StringIO(newline="")
        writer = csv.writer(text, lineterminator="\r\n")  # RFC 4180: CRLF, quotes doubled, quoted when needed
        writer.writerow([neutralise(str(label)) for _key, label in columns])
        for row in rows:
            writer.writerow([neutralise(row.get(key)) for key, _label in columns])
        return codecs.BOM_UTF8 + text.getvalue().encode("utf-8")  # the BOM makes Excel read UTF-8
    raise ValueError(f"unknown report format {fmt!r}")


def report_chunks(rows: Iterable[dict[str, object]], columns: list[tuple[str, str]], fmt: str,
                  chunk_rows: int = 1000) -> Iterator[bytes]:
    """write_report for a report too big to hold in memory, as chunks for a streaming response: CSV a
    thousand rows at a time; XLSX through openpyxl's write-only mode into a temporary file (a ZIP is
    only readable once it is finished), then read back in 1 MB chunks."""
    if fmt == "csv":
        text = io.StringIO(newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([neutralise(str(label)) for _key, label in columns])
        yield codecs.BOM_UTF8 + text.getvalue().encode("utf-8")
        rows = iter(rows)
        while batch := list(itertools.islice(rows, chunk_rows)):
            text.seek(0)
            text.truncate()
            for row in batch:
                writer.writerow([neutralise(row.get(key)) for key, _label in columns])
            yield text.getvalue().encode("utf-8")
        return
    if fmt != "xlsx":
        raise ValueError(f"unknown report format {fmt!r}")
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Report"))
    bold = Font(bold=True)
    header = []
    for _key, label in columns:
        cell = WriteOnlyCell(sheet, value=_xlsx_value(str(label)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_value(row.get(key)) for key, _label in columns])
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        out.seek(0)
        while chunk := out.read(_CHUNK):
            yield chunk


def template(lang: str, fmt: str) -> bytes:
    """The file HR downloads to fill in: headers in `lang`, two example rows and, in XLSX, a sheet
    explaining every column."""
    if lang not in TEMPLATE_HEADERS:
        raise ValueError(f"unknown template language {lang!r}")
    headers = TEMPLATE_HEADERS[lang]
    if fmt == "csv":
        return write_report(TEMPLATE_EXAMPLES, list(zip(FIELDS, headers, strict=True)), "csv")
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r}")
    guide = _GUIDE[lang]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = guide["data_sheet"]
    sheet.append(headers)
    for example in TEMPLATE_EXAMPLES:
        sheet.append([example[name] for name in FIELDS])
    bold = Font(bold=True)
    for index, name in enumerate(FIELDS, start=1):
        sheet.cell(row=1, column=index).font = bold
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(headers[index - 1]) + 4)
        if name in ("employee_code", "phone", "citizen_id"):
            # Text format, so Excel keeps what HR types there (0912..., 045...) instead of a number
            sheet.column_dimensions[letter].number_format = "@"
            for row in range(2, len(TEMPLATE_EXAMPLES) + 2):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet(guide["guide_sheet"])
    help_sheet.append(guide["guide_headers"])
    for cell in help_sheet[1]:
        cell.font = bold
    for header, (required, text) in zip(headers, guide["lines"], strict=True):
        help_sheet.append((header, required, text))
    for letter, width in (("A", 18), ("B", 30), ("C", 100)):
        help_sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading -----------------------------------------------------------------------------------------

def _within_size(fileobj: BinaryIO, limit: int) -> tuple[BinaryIO, Any]:
    """The file, seekable and at offset 0, once it is known to be within `limit` bytes."""
    try:
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        fileobj.seek(0)
        keep = None
    except (AttributeError, OSError, ValueError):
        # not seekable (a raw stream): copy it aside in chunks, stopping as soon as it is too big
        keep = tempfile.SpooledTemporaryFile(max_size=8 * _CHUNK)
        size = 0
        while chunk := fileobj.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                keep.close()
                raise FileError(_too_big(limit))
            keep.write(chunk)
        keep.seek(0)
        fileobj = keep
    if size > limit:
        raise FileError(_too_big(limit))
    if size == 0:
        raise FileError(_("The file is empty. Fill in the template and upload it again."))
    return fileobj, keep


def _too_big(limit: int) -> str:
    return _("The file is larger than %(limit)s. Split it into smaller files and import them one at a time.") % {
        "limit": filesizeformat(limit)}


def _too_many_rows(limit: int) -> str:
    return _("The file has more than %(limit)s rows of staff. Split it into smaller files and import them one "
             "at a time.") % {"limit": number_format(limit, force_grouping=True)}


def _invalid_xlsx() -> str:
    return _("This is not a valid XLSX file. Open it in Excel, choose Save As and pick Excel Workbook (.xlsx) "
             "or CSV UTF-8, then upload that file.")


def _not_unicode() -> str:
    return _("The file is not UTF-8 or UTF-16 text. In Excel choose Save As → CSV UTF-8 (Comma delimited), "
             "then upload that file.")


def _macros() -> str:
    return _("This workbook contains macros (.xlsm), which are not accepted. Open it in Excel, choose Save As and "
             "pick Excel Workbook (.xlsx) or CSV UTF-8, then upload that file.")


def _rows_over(limit: int) -> int:
    """How many non-empty rows a file may hold before the staff rows are known to pass `limit`: the header
    row and the title rows that may sit above it."""
    return limit + _HEADER_SCAN


def _xlsx_source(fileobj: BinaryIO, max_rows: int) -> Iterator[tuple[int, list[Any]]]:
    strings = _check_package(fileobj)
    _check_shared_strings(fileobj, strings)
    try:
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types on a damaged file; to the user it is one problem
        logger.info("unreadable XLSX upload (%s)", type(exc).__name__)  # one line: the file is refused, not a bug
        raise FileError(_invalid_xlsx())
    if not workbook.worksheets:
        workbook.close()
        raise FileError(_invalid_xlsx())
    sheet = workbook.worksheets[0]
    # the stored dimension is often wrong (files written by other tools); read what is really there
    sheet.reset_dimensions()
    try:
        _count_xlsx_rows(sheet, max_rows)
    except BaseException:
        workbook.close()
        raise
    return _xlsx_rows(workbook, sheet)


def _xlsx_rows(workbook, sheet) -> Iterator[tuple[int, list[Any]]]:
    try:
        # missing rows come back as empty tuples, so counting from 1 gives the row numbers Excel shows
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            yield number, [_FORMULA if _is_formula(cell) else cell.value for cell in cells]
    except FileError:
        raise
    except Exception as exc:
        logger.info("unreadable XLSX worksheet (%s)", type(exc).__name__)
        raise FileError(_invalid_xlsx())
    finally:
        workbook.close()


def _is_formula(cell) -> bool:
    return cell.data_type == "f" or isinstance(cell.value, (ArrayFormula, DataTableFormula))


def _check_package(fileobj: BinaryIO) -> list[str]:
    """Refuse, from the zip's directory and manifest alone, what openpyxl should never be given: a zip bomb,
    a macro workbook, a workbook of thousands of sheets. Returns the shared-strings parts to measure."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            entries = archive.infolist()
            _refuse_zip_bomb(entries)
            names = {entry.filename for entry in entries}
            manifest = archive.getinfo("[Content_Types].xml") if "[Content_Types].xml" in names else None
            if manifest is None or manifest.file_size > _MAX_MANIFEST:
                raise FileError(_invalid_xlsx())
            types = _content_types(archive.read(manifest))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, KeyError,
            NotImplementedError, expat.ExpatError):
        raise FileError(_invalid_xlsx())
    finally:
        fileobj.seek(0)
    if any(name.lower().endswith("vbaproject.bin") for name in names) or any(
            "macroenabled" in kind.lower() for kind in types.values()):
        raise FileError(_macros())
    sheets = sum(1 for kind in types.values() if kind.endswith(_SHEET_TYPES))
    if sheets > _MAX_SHEETS:
        raise FileError(_("The workbook has %(count)s sheets; at most %(max)s are accepted. Copy the sheet with the "
                          "staff list into a new workbook and upload that.") % {
            "count": number_format(sheets, force_grouping=True), "max": _MAX_SHEETS})
    if len(entries) > _MAX_PARTS:
        raise FileError(_too_many_parts())
    found = [part for part, kind in types.items() if kind == _SHARED_STRINGS and part in names]
    return found or (["xl/sharedStrings.xml"] if "xl/sharedStrings.xml" in names else [])


def _too_many_parts() -> str:
    return _("This XLSX file unpacks to far more data than a staff list holds, so it was refused. "
             "Open it in Excel, delete unused rows, columns and sheets, and save it again.")


def _refuse_zip_bomb(entries: list[zipfile.ZipInfo]) -> None:
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio_too_high = entry.file_size > _RATIO_FLOOR and entry.file_size > _MAX_RATIO * max(entry.compress_size, 1)
        if ratio_too_high or total > _MAX_UNPACKED:
            raise FileError(_too_many_parts())


def _expat_parser():
    parser = expat.ParserCreate()

    def no_dtd(*_args):  # a workbook part has no DTD; one here can only be an entity-expansion attack
        raise expat.ExpatError("DTD in a workbook part")

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    return parser


def _content_types(xml: bytes) -> dict[str, str]:
    """[Content_Types].xml: {part name without its leading "/": content type} of every Override."""
    types: dict[str, str] = {}
    parser = _expat_parser()

    def start(name, attrs):
        if name.rpartition(":")[2] == "Override" and "PartName" in attrs:
            types[attrs["PartName"].lstrip("/")] = attrs.get("ContentType", "")

    parser.StartElementHandler = start
    parser.Parse(xml, True)
    return types


class _Enough(Exception):
    """Stops a scan as soon as its answer is known."""


def _check_shared_strings(fileobj: BinaryIO, parts: list[str]) -> None:
    """Refuse a shared-strings table openpyxl could not hold in bounded memory, reading it once as a stream
    and stopping as soon as the budget is spent (a 270 MB table of a 36 MB file is refused after its first
    few MB, before openpyxl keeps any of it)."""
    if not parts:
        return
    budget = getattr(settings, "IDM_IMPORT_MAX_XLSX_STRINGS_MB", _DEFAULT_MAX_STRINGS_MB) * 1024 * 1024
    used = 0

    def start(name, _attrs):
        nonlocal used
        if name.rpartition(":")[2] == "si":
            used += _STRING_OVERHEAD

    def text(data):
        nonlocal used
        used += len(data) if data.isascii() else 2 * len(data)

    try:
        with zipfile.ZipFile(fileobj) as archive:
            for part in parts:
                parser = _expat_parser()
                parser.StartElementHandler, parser.CharacterDataHandler = start, text
                with archive.open(part) as stream:
                    while chunk := stream.read(_CHUNK):
                        parser.Parse(chunk, False)
                        if used > budget:
                            raise _Enough
                    parser.Parse(b"", True)
    except _Enough:
        raise FileError(_("This XLSX file holds far more text than a staff list (its shared-strings table alone "
                          "would need over %(limit)s of memory), so it was refused. Copy the staff rows into a new "
                          "workbook, or save the sheet as CSV UTF-8, and upload that.") % {
            "limit": filesizeformat(budget)})
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, KeyError, NotImplementedError,
            expat.ExpatError):
        raise FileError(_invalid_xlsx())
    finally:
        fileobj.seek(0)


def _count_xlsx_rows(sheet, max_rows: int) -> None:
    """Refuse a sheet of too many rows before any row is checked: its XML is scanned for row tags (fast:
    a regular expression over the stream, nothing kept), stopping at the limit. Rows without cells
    (<row .../>) do not count; rows of empty cells do, which only makes the bound a little early."""
    over = _rows_over(max_rows)
    count = 0
    carry = b""
    try:
        with sheet._get_source() as stream:  # openpyxl's own handle on the sheet's part
            while chunk := stream.read(_CHUNK):
                data = carry + chunk
                cut = data.rfind(b"<")
                if cut != -1 and data.find(b">", cut) == -1:
                    data, carry = data[:cut], data[cut:][:65536]  # a tag split by the chunk: finish it next time
                else:
                    carry = b""
                count += sum(1 for tag in _ROW_TAG.findall(data) if not tag.endswith(b"/>"))
                if count > over:
                    raise FileError(_too_many_rows(max_rows))
    except FileError:
        raise
    except Exception as exc:
        logger.info("unreadable XLSX worksheet (%s)", type(exc).__name__)
        raise FileError(_invalid_xlsx())


class _Borrowed(io.RawIOBase):
    """Lets a TextIOWrapper read the caller's file without closing it when the wrapper goes away."""

    def __init__(self, fileobj: BinaryIO):
        self._fileobj = fileobj

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._fileobj.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _csv_source(fileobj: BinaryIO, max_rows: int) -> Iterator[tuple[int, list[Any]]]:
    head = fileobj.read(4096)
    fileobj.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"  # Excel's "Unicode Text": reads the BOM, then the right byte order
    elif b"\x00" in head and head.count(b"\x00") * 4 > len(head):
        raise FileError(_not_unicode())  # UTF-16 without a BOM, or not text at all
    else:
        encoding = "utf-8-sig"  # with or without the BOM Excel's "CSV UTF-8" writes
    _count_csv_rows(fileobj, encoding, max_rows)
    text = io.TextIOWrapper(io.BufferedReader(_Borrowed(fileobj), _CHUNK), encoding=encoding, errors="strict",
                            newline="")
    return _csv_rows(text)


def _count_csv_rows(fileobj: BinaryIO, encoding: str, max_rows: int) -> None:
    """Refuse a file of too many rows before any row is checked: one quick pass of the csv module, counting
    the records that hold anything, stopping at the limit. A file that cannot be decoded is left to the
    reading pass, which says where."""
    over = _rows_over(max_rows)
    count = 0
    text = io.TextIOWrapper(io.BufferedReader(_Borrowed(fileobj), _CHUNK), encoding=encoding, errors="replace",
                            newline="")
    try:
        first = text.readline(_CHUNK)
        reader = csv.reader(itertools.chain([first], text), delimiter=_sniff_delimiter(first))
        for record in reader:
            if any(cell.strip() for cell in record):
                count += 1
                if count > over:
                    raise FileError(_too_many_rows(max_rows))
    except csv.Error:
        pass
    finally:
        text.detach()
        fileobj.seek(0)


def _csv_rows(text: io.TextIOWrapper) -> Iterator[tuple[int, list[Any]]]:
    number = 0
    try:
        first: list[str] = []
        while line := text.readline(_CHUNK):
            first.append(line)
            if line.strip():
                break
        reader = csv.reader(itertools.chain(first, text), delimiter=_sniff_delimiter(first[-1] if first else ""))
        for number, row in enumerate(reader, start=1):
            yield number, row
    except UnicodeDecodeError:
        raise FileError(_not_unicode())
    except csv.Error as exc:
        raise FileError(_("Row %(row)s cannot be read (%(error)s). Check the quotation marks in that row, or save "
                          "the file again as CSV UTF-8.") % {"row": number + 1, "error": exc})


def _sniff_delimiter(line: str) -> str:
    counts = {delimiter: line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)  # ties keep the first: the comma
    return best if counts[best] else ","


def _find_header(source: Iterator[tuple[int, list[Any]]], field_for: Callable[[str], str | None] | None = None,
                 ) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """The header is the first non-empty row, unless a title row sits above it: then the first of the
    first few non-empty rows that names a known column."""
    field_for = field_for or _field_for
    seen: list[tuple[int, list[Any], list[str]]] = []
    for number, raw in source:
        texts = ["" if value is _FORMULA else _clean(value)[0] for value in raw]
        if not any(texts):
            continue
        seen.append((number, raw, texts))
        if any(field_for(text) for text in texts) or len(seen) == _HEADER_SCAN:
            break
    if not seen:
        raise FileError(_("The file has no rows. Put the column headers in the first row and one person per row "
                          "below them, as in the template."))
    pick = next((i for i, (_n, _r, texts) in enumerate(seen) if any(field_for(t) for t in texts)), 0)
    headers = seen[pick][2]
    while headers and not headers[-1]:
        headers.pop()
    rest = [(number, raw) for number, raw, _texts in seen[pick + 1:]]
    return headers, _chain(rest, source)


def _chain(first: list[tuple[int, list[Any]]], source: Iterator[tuple[int, list[Any]]]):
    try:
        yield from first
        yield from source
    finally:
        source.close()


def _map_headers(headers: list[str]) -> tuple[dict[int, str], list[str]]:
    mapping, unknown = _map_columns(headers, _field_for, FIELD_LABELS)
    where = set(mapping.values())
    missing = [FIELD_LABELS[name] for name in ("employee_code", "unit") if name not in where]
    if "full_name" not in where and not ("family_name" in where and "given_name" in where):
        missing.insert(1, _("Full name (or Family name and Given name)"))
    if missing:
        raise FileError(_("The file has no column for: %(columns)s. Download the template to see the column "
                          "headers to use.") % {"columns": ", ".join(str(label) for label in missing)})
    return mapping, unknown


def _map_columns(headers: list[str], field_for: Callable[[str], str | None],
                 labels: Mapping[str, Any]) -> tuple[dict[int, str], list[str]]:
    """{column index: field} for the headers that name a field, and the headers that name none. Two
    columns for one field are a FileError."""
    mapping: dict[int, str] = {}
    where: dict[str, int] = {}
    unknown: list[str] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        name = field_for(header)
        if name is None:
            unknown.append(header)
        elif name in where:
            first = where[name]
            raise FileError(_("Columns %(first)s and %(second)s both hold %(field)s. Keep one of them and delete "
                              "the other.") % {"first": _column(headers, first), "second": _column(headers, index),
                                               "field": labels.get(name, name)})
        else:
            where[name] = index
            mapping[index] = name
    return mapping, unknown


def _column(headers: list[str], index: int) -> str:
    return _("“%(header)s” (column %(letter)s)") % {"header": headers[index], "letter": get_column_letter(index + 1)}


def header_key(text: str) -> str:
    """A header as the reader compares it (case, spaces, diacritics-insensitive forms aside)."""
    return _header_key(text)


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().replace("_", " ")
    text = " ".join(text.strip(_EDGE_INVISIBLE).split())
    return _REQUIRED_MARK_RE.sub("", text)


def _without_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _build_lookup(fields: Mapping[str, Iterable[str]] = ALIASES) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name, aliases in fields.items():
        for alias in (name, *aliases):
            key = _header_key(alias)
            lookup.setdefault(key, name)
            lookup.setdefault(_without_diacritics(key), name)
    return lookup


_LOOKUP = _build_lookup()


def _field_for(header: str) -> str | None:
    return _lookup_field(_LOOKUP, header)


def _lookup_field(lookup: Mapping[str, str], header: str) -> str | None:
    key = _header_key(header)
    return lookup.get(key) or lookup.get(_without_diacritics(key))


def _blank_outside(raw: list[Any], mapping: dict[int, str]) -> bool:
    """True when every cell outside the mapped columns is empty too."""
    for index, value in enumerate(raw):
        if index in mapping or value is None:
            continue
        if value is _FORMULA or not isinstance(value, str) or value.strip(_EDGE_INVISIBLE + " \t\r\n\xa0"):
            return False
    return True


def _clean(value: Any) -> tuple[str, bool]:
    """The cell as text (NFC, stripped; whole numbers without ".0"; dates ISO) and whether control
    characters had to be removed from it."""
    if value is None:
        return "", False
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    elif isinstance(value, (dt.date, dt.time)):
        text = value.isoformat()
    else:
        text = str(value)
    text = unicodedata.normalize("NFC", text).strip().strip(_EDGE_INVISIBLE).strip()
    if text[:1] == "'" and text[1:2] in _NEUTRALISED:
        text = text[1:]  # what neutralise() added to a report cell: the report goes back in as it is
    if _CONTROL_RE.search(text):
        return _CONTROL_RE.sub("", text).strip(), True
    return text, False


# --- writing -----------------------------------------------------------------------------------------

def _xlsx_value(value: Any) -> Any:
    if isinstance(value, (bool, int, Decimal)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if value is None:
        return None
    # neutralise first, then drop what XML cannot hold: "\x00=1" stays prefixed
    return ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))[:_XLSX_MAX_CELL]
