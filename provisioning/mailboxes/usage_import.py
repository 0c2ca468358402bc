"""Mailbox usage from a spreadsheet, for provinces whose mail runs on someone else's server.

The other operator exports one row per mailbox: the address, when its owner last logged in, how much it
stores and, optionally, how many messages it sent and received. Headers may be Vietnamese or English and
are matched as the staff list's are (case, diacritics and spaces ignored). Each good row becomes that day's
MailboxUsage row for the address's owner, under the owner's current primary address, so an export that
still lists an old alias lands on the right mailbox. A bad row is reported with the reason and never stops
the good ones; a file that cannot be read at all changes nothing.

Sizes are bytes, or a number with a unit: KB, MB, GB count in powers of 1024 as mail servers and Excel
users mean them (1 KB = 1024 bytes, 1 MB = 1024 KB, 1 GB = 1024 MB), the same as KiB, MiB, GiB.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, BinaryIO

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from provisioning.audit.services import audit_record
from provisioning.common import spreadsheets
from provisioning.common.spreadsheets import FileError
from provisioning.mailboxes.models import MailboxUsage, UsageCollection
from provisioning.people.models import MailAddress

SOURCE = "import"

ALIASES: dict[str, tuple[str, ...]] = {
    "address": ("Địa chỉ", "Địa chỉ thư", "Địa chỉ email", "Email", "E-mail", "Address", "Mailbox"),
    "last_login": ("Lần đăng nhập cuối", "Đăng nhập cuối", "Đăng nhập lần cuối", "Last login"),
    "bytes_used": ("Dung lượng", "Dung lượng đã dùng", "Dung lượng sử dụng", "Bytes used", "Storage",
                   "Storage used"),
    "messages": ("Số thư", "Tổng số thư", "Messages"),
    "messages_sent": ("Thư đã gửi", "Số thư đã gửi", "Messages sent"),
    "messages_received": ("Thư đã nhận", "Số thư đã nhận", "Messages received"),
    "day": ("Ngày", "Day", "Date"),
}
REQUIRED = ("address", "bytes_used")
COUNTS = ("messages", "messages_sent", "messages_received")

_BATCH = 500
_MAX_BIGINT = 2**63 - 1
_MAX_INT = 2**31 - 1
# an export made moments ago on a server whose clock runs a little ahead is not "in the future"
_CLOCK_SKEW = dt.timedelta(minutes=5)

_SPACE = " \u00a0\u202f"
_PLAIN_RE = re.compile(r"\d+")
_SPACED_RE = re.compile(rf"\d{{1,3}}(?:[{_SPACE}]\d{{3}})+")
_GROUPED_RE = re.compile(r"\d{1,3}([.,])\d{3}(?:\1\d{3})+")  # 1.572.864 or 1,572,864: only grouping
_DECIMAL_RE = re.compile(r"(\d+)[.,](\d+)")
_SIZE_RE = re.compile(rf"(?P<sign>[-+\u2212]?)[{_SPACE}]*(?P<number>\d[\d.,{_SPACE}]*?)[{_SPACE}]*"
                      r"(?P<unit>[a-z]*)", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "byte": 1, "bytes": 1,
          "kb": 1024, "kib": 1024, "mb": 1024**2, "mib": 1024**2, "gb": 1024**3, "gib": 1024**3}
_DMY_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


@dataclass
class UsageImportResult:
    loaded: int
    rejected: list[tuple[int, str, str]]  # (row number, field, message in the user's language)
    file_error: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # field -> its header as written in the file

    @property
    def rejected_rows(self) -> int:
        """How many rows were rejected (a row can have a problem in more than one field)."""
        return len({row for row, _field, _message in self.rejected})


def field_labels() -> dict[str, str]:
    """The fields' names in the user's language (for messages and reports)."""
    return {"address": _("Address"), "last_login": _("Last login"), "bytes_used": _("Storage used"),
            "messages": _("Messages"), "messages_sent": _("Messages sent"),
            "messages_received": _("Messages received"), "day": _("Day")}


@dataclass
class _Row:
    number: int
    day: dt.date | None
    address: str
    values: dict[str, Any]
    failed: bool


def import_usage(fileobj: BinaryIO, filename: str, *, actor, day: dt.date | None = None,
                 source: str = "web") -> UsageImportResult:
    """Load a mail usage export (XLSX or CSV) as the figures of `day` (today by default; a Day column
    overrides it row by row). Good rows are written (again the same day: brought up to date, not
    duplicated), bad rows are listed; a file that cannot be read writes nothing and sets `file_error`.
    A load is audited with its actor (None: the system) and `source` (web, command)."""
    today = timezone.localdate()
    day = day or today
    labels = field_labels()
    try:
        table = spreadsheets.open_sheet(fileobj, filename, aliases=ALIASES, labels=labels, required=REQUIRED)
    except FileError as exc:
        return UsageImportResult(loaded=0, rejected=[], file_error=exc.message)
    columns = {name: table.headers[index] for index, name in table.mapping.items()}
    rejected: list[tuple[int, str, str]] = []
    seen: dict[tuple[dt.date, str], int] = {}  # (day, primary address) -> the row that has it
    loaded = 0
    try:
        with transaction.atomic():  # a file that breaks half-way (FileError) leaves nothing behind
            pending: list[_Row] = []
            for number, record in table.rows():
                pending.append(_parse(number, record, day, today, rejected))
                if len(pending) == _BATCH:
                    loaded += _store(pending, seen, rejected)
                    pending = []
            loaded += _store(pending, seen, rejected)
            collection = UsageCollection.objects.create(day=day, source=SOURCE, status=UsageCollection.Status.COMPLETE,
                                                        mailboxes=loaded, finished_at=timezone.now())
            audit_record(actor=actor, action="mailbox.usage_imported", target=collection,
                         after={"filename": filename[:255], "day": day.isoformat(), "loaded": loaded,
                                "rejected_rows": len({row for row, _f, _m in rejected}), "source": source})
    except FileError as exc:
        return UsageImportResult(loaded=0, rejected=[], file_error=exc.message, columns=columns)
    rejected.sort(key=lambda problem: problem[0])
    return UsageImportResult(loaded=loaded, rejected=rejected, columns=columns)


def _parse(number: int, record: dict[str, Any], default_day: dt.date, today: dt.date,
           rejected: list[tuple[int, str, str]]) -> _Row:
    errors: list[tuple[str, str]] = []
    formulas = set(record.get(spreadsheets.FORMULAS, ()))
    for name in formulas:
        errors.append((name, _("The cell holds a formula; paste the values only.")))

    def text(name: str) -> str:
        return "" if name in formulas else record.get(name, "")

    row_day: dt.date | None = default_day
    if text("day"):
        row_day = _parse_day(text("day"))
        if row_day is None:
            errors.append(("day", _("Enter a date such as 2025-07-31 or 31/07/2025.")))
    if row_day is not None and row_day > today:
        errors.append(("day", _("The day %(day)s is in the future.") % {"day": _show_date(row_day)}))
        row_day = None

    address = text("address").casefold()
    if not address and "address" not in formulas:
        errors.append(("address", _("This field is required.")))

    values: dict[str, Any] = {}
    last_login = None
    if text("last_login"):
        last_login = _parse_moment(text("last_login"))
        if last_login is None:
            errors.append(("last_login", _("Enter a date such as 2025-07-31 or 31/07/2025, with or without a time "
                                           "such as 14:30.")))
        elif last_login > timezone.now() + _CLOCK_SKEW:
            errors.append(("last_login", _("%(value)s is in the future.") % {"value": text("last_login")}))
            last_login = None
        elif row_day is not None and timezone.localtime(last_login).date() > row_day:
            errors.append(("last_login", _("%(value)s is after the day of these figures (%(day)s).") % {
                "value": text("last_login"), "day": _show_date(row_day)}))
            last_login = None
    values["last_login"] = last_login

    values["bytes_used"] = None
    if text("bytes_used"):
        size, problem = _parse_size(text("bytes_used"))
        if problem:
            errors.append(("bytes_used", problem))
        values["bytes_used"] = size
    elif "bytes_used" not in formulas:
        errors.append(("bytes_used", _("This field is required.")))

    for name in COUNTS:
        values[name] = None
        if text(name):
            count, problem = _parse_count(text(name))
            if problem:
                errors.append((name, problem))
            values[name] = count

    for name, message in errors:
        rejected.append((number, name, message))
    return _Row(number=number, day=row_day, address=address, values=values, failed=bool(errors))


def _store(rows: list[_Row], seen: dict[tuple[dt.date, str], int], rejected: list[tuple[int, str, str]]) -> int:
    """Resolve the rows' addresses to their owners' mailboxes, refuse repeats, write the good rows."""
    if not rows:
        return 0
    wanted = {row.address for row in rows if row.address}
    owners = {lower: (person_id, mail) for lower, person_id, mail in
              MailAddress.objects.annotate(lower=Lower("address")).filter(lower__in=wanted)
              .values_list("lower", "person_id", "person__mail")}
    good: list[MailboxUsage] = []
    for row in rows:
        if not row.address:
            continue
        owner = owners.get(row.address)
        if owner is None:
            rejected.append((row.number, "address", _("Unknown address: %(address)s was never given to anyone "
                                                      "here.") % {"address": row.address}))
            continue
        person_id, mail = owner
        if not mail:
            rejected.append((row.number, "address", _("The owner of %(address)s has no mailbox.") % {
                "address": row.address}))
            continue
        if row.day is not None:
            first = seen.setdefault((row.day, mail), row.number)
            if first != row.number:
                rejected.append((row.number, "address", _("The mailbox %(address)s is already in row %(row)s for "
                                                          "%(day)s.") % {"address": mail, "row": first,
                                                                         "day": _show_date(row.day)}))
                continue
        if not row.failed:
            good.append(MailboxUsage(day=row.day, address=mail, person_id=person_id, source=SOURCE, **row.values))
    if good:
        MailboxUsage.objects.bulk_create(
            good, update_conflicts=True, unique_fields=["day", "address"],
            update_fields=["person", "last_login", "bytes_used", "messages", "messages_sent", "messages_received",
                           "source", "collected_at"])
    return len(good)


# --- values ------------------------------------------------------------------------------------------

def _parse_day(text: str) -> dt.date | None:
    moment = _parse_naive(text)
    if moment is None or moment.tzinfo is not None or moment.time() != dt.time(0):
        return None
    return moment.date()


def _parse_moment(text: str) -> dt.datetime | None:
    """An aware datetime; a date alone is midnight, a time without an offset is the province's time."""
    moment = _parse_naive(text)
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _parse_naive(text: str) -> dt.datetime | None:
    """ISO 8601 (what an Excel date cell reads as), or dd/mm/yyyy with an optional HH:MM[:SS]."""
    match = _DMY_RE.fullmatch(text)
    try:
        if match:
            d, m, y, hh, mm, ss = match.groups()
            return dt.datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        if not text[:4].isdigit():
            return None
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _show_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _whole(number: str) -> int | None:
    """A whole number written plainly or grouped by spaces, or by dots or commas when there are at least
    two groups (1.572.864); None otherwise."""
    if _PLAIN_RE.fullmatch(number):
        return int(number)
    if _SPACED_RE.fullmatch(number) or _GROUPED_RE.fullmatch(number):
        return int(re.sub(r"\D", "", number))
    return None


def _parse_size(text: str) -> tuple[int | None, str]:
    """(bytes, "") or (None, the problem)."""
    unknown = _("Enter the size in bytes (a whole number) or as a number with a unit: KB, MB, GB, KiB, MiB or "
                "GiB (1 KB = 1024 bytes).")
    match = _SIZE_RE.fullmatch(text.strip())
    if not match or match["unit"].lower() not in _UNITS:
        return None, unknown
    number, scale = match["number"], _UNITS[match["unit"].lower()]
    whole = _whole(number)
    if whole is not None:
        value = Decimal(whole)
    else:
        decimal = _DECIMAL_RE.fullmatch(number)
        if not decimal:
            return None, unknown
        integer, fraction = decimal.groups()
        if len(fraction) == 3 and integer != "0" and len(integer) <= 3:
            # 1,024 or 1.500: a thousands separator or a decimal one, depending on who wrote it
            return None, _("%(value)s can be read two ways. Write the number without a thousands separator.") % {
                "value": text}
        value = Decimal(f"{integer}.{fraction}")
        if scale == 1:
            return None, _("A size in bytes is a whole number; for a fraction add a unit, such as 1.5 MB.")
    if match["sign"] in ("-", "\u2212") and value:
        return None, _("The size cannot be negative.")
    size = int((value * scale).to_integral_value(rounding=ROUND_HALF_UP))
    if size > _MAX_BIGINT:
        return None, _("The number is too large.")
    return size, ""


def _parse_count(text: str) -> tuple[int | None, str]:
    """(count, "") or (None, the problem)."""
    text = text.strip()
    negative = text[:1] in ("-", "\u2212")
    count = _whole(text.lstrip("+-\u2212").strip(_SPACE))
    if count is None:
        return None, _("Enter a whole number, 0 or more.")
    if negative and count:
        return None, _("Enter a whole number, 0 or more.")
    if count > _MAX_INT:
        return None, _("The number is too large.")
    return count, ""
