"""Loading a province's whole unit tree from a spreadsheet (issues 11 and 12): unit code, name,
parent code, kind, mail domain — hundreds of units in one go, re-imports update by code.

``tree_plan`` reads and checks every row and says what would happen (the dry run); ``tree_apply``
does it, parents before children, each row through ``unit_create``/``unit_update`` (so each change
is effective-dated, audited and queued for the directory) in its own savepoint: good rows are kept,
a row whose parent failed is reported, never half-written. Used by ``manage.py import_units`` and
the superadmin's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from provisioning.common import naming, spreadsheets
from provisioning.units.models import Unit, UnitKind, domain_validator, unit_code_validator
from provisioning.units.services import unit_create, unit_update

ALIASES = {
    "code": ("Mã đơn vị", "Mã", "Mã ĐVQHNS", "Unit code", "Code"),
    "name": ("Tên đơn vị", "Tên", "Unit name", "Name"),
    "parent": ("Mã đơn vị cấp trên", "Đơn vị cấp trên", "Mã cấp trên", "Parent code", "Parent"),
    "kind": ("Loại đơn vị", "Loại", "Cấp", "Kind", "Type"),
    "mail_domain": ("Tên miền thư", "Tên miền", "Tên miền email", "Mail domain", "Domain"),
}
LABELS = {"code": gettext_lazy("Unit code"), "name": gettext_lazy("Name"), "parent": gettext_lazy("Parent code"),
          "kind": gettext_lazy("Kind"), "mail_domain": gettext_lazy("Mail domain")}
# what provinces write in the Kind column, folded (no diacritics, lower case)
KIND_WORDS = {
    "tinh": UnitKind.PROVINCE, "ubnd tinh": UnitKind.PROVINCE, "so": UnitKind.DEPARTMENT, "ban": UnitKind.DEPARTMENT,
    "so, ban, nganh": UnitKind.DEPARTMENT, "nganh": UnitKind.DEPARTMENT, "phong": UnitKind.DIVISION,
    "chi cuc": UnitKind.DIVISION, "huyen": UnitKind.DISTRICT, "quan": UnitKind.DISTRICT,
    "thi xa": UnitKind.DISTRICT, "thanh pho": UnitKind.DISTRICT, "xa": UnitKind.COMMUNE, "phuong": UnitKind.COMMUNE,
    "thi tran": UnitKind.COMMUNE, "dac khu": UnitKind.COMMUNE, "co quan": UnitKind.AGENCY,
    "don vi su nghiep": UnitKind.AGENCY, "truong": UnitKind.SCHOOL, "truong hoc": UnitKind.SCHOOL,
    "benh vien": UnitKind.HOSPITAL, "trung tam y te": UnitKind.HOSPITAL,
} | {k.value: k.value for k in UnitKind} | {str(k.label): k.value for k in UnitKind}


class Action:
    CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


@dataclass
class PlannedRow:
    number: int
    code: str
    name: str = ""
    parent: str = ""
    kind: str = ""
    mail_domain: str = ""
    action: str = Action.ERROR
    errors: list[str] = field(default_factory=list)
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (before, after)


@dataclass
class Plan:
    rows: list[PlannedRow]
    file_error: str = ""

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def errors(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.action == Action.ERROR]


def _check_row(number: int, raw: dict) -> PlannedRow:
    row = PlannedRow(number=number, code=(raw.get("code") or "").strip())
    name_raw = raw.get("name") or ""
    row.name = naming.clean_name(name_raw)
    row.parent = (raw.get("parent") or "").strip()
    kind_text = naming.fold(raw.get("kind") or "")
    row.mail_domain = (raw.get("mail_domain") or "").strip().lower()
    try:
        unit_code_validator(row.code)
    except ValidationError as exc:
        row.errors.append(_("Unit code “%(code)s”: %(reason)s") % {"code": row.code[:40], "reason": exc.messages[0]}
                          if row.code else _("The unit code is empty."))
    if not row.name:
        row.errors.append(_("The name is empty."))
    elif naming.invisible_character(name_raw) or len(row.name) > 255:
        row.errors.append(_("The name has invisible or control characters, or is longer than 255 characters: "
                            "retype it."))
    row.kind = KIND_WORDS.get(kind_text, "")
    if not row.kind:
        row.errors.append(_("Unknown kind “%(kind)s”: use one of %(kinds)s.")
                          % {"kind": (raw.get("kind") or "")[:40], "kinds": ", ".join(k.value for k in UnitKind)})
    if row.mail_domain:
        try:
            domain_validator(row.mail_domain)
        except ValidationError as exc:
            row.errors.append(exc.messages[0])
    if row.parent and row.parent == row.code:
        row.errors.append(_("A unit cannot be its own parent."))
    return row


def _order(rows: dict[str, PlannedRow], existing: dict[str, Unit]) -> list[PlannedRow]:
    """Parents first; a row whose parent is unknown, in error or in a cycle becomes an error."""
    ordered, state = [], {}  # state: 1 visiting, 2 done

    def visit(row: PlannedRow, trail: list[str]) -> bool:
        if state.get(row.code) == 2:
            return row.action != Action.ERROR
        if state.get(row.code) == 1:
            row.errors.append(_("The parent codes go round in a circle: %(codes)s.")
                              % {"codes": " → ".join(trail + [row.code])})
            return False
        state[row.code] = 1
        ok = not row.errors
        if ok and row.parent:
            parent_row = rows.get(row.parent)
            if parent_row is not None:
                if not visit(parent_row, trail + [row.code]):
                    row.errors.append(_("Its parent %(code)s (row %(row)s) cannot be loaded.")
                                      % {"code": row.parent, "row": parent_row.number})
                    ok = False
            elif row.parent not in existing:
                row.errors.append(_("The parent code %(code)s is neither in the file nor in the system.")
                                  % {"code": row.parent})
                ok = False
        if not ok and not row.errors:
            row.errors.append(_("This row cannot be loaded."))
        row.action = Action.ERROR if row.errors else row.action
        state[row.code] = 2
        ordered.append(row)
        return not row.errors

    for row in rows.values():
        visit(row, [])
    return ordered


def _diff(row: PlannedRow, unit: Unit) -> dict[str, tuple[str, str]]:
    changes = {}
    current_parent = unit.parent.code if unit.parent_id else ""
    for name, before, after in (("name", unit.name, row.name), ("kind", unit.kind, row.kind),
                                ("parent", current_parent, row.parent),
                                ("mail_domain", unit.mail_domain, row.mail_domain or unit.mail_domain)):
        if before != after:
            changes[name] = (before, after)
    return changes


def tree_plan(fileobj: BinaryIO, filename: str) -> Plan:
    """Read and check the file; nothing is written. A file-level problem gives ``file_error``."""
    try:
        table = spreadsheets.open_sheet(fileobj, filename, aliases=ALIASES, labels=LABELS,
                                        required=("code", "name", "kind"))
        raw_rows = list(table.rows())
    except spreadsheets.FileError as exc:
        return Plan(rows=[], file_error=str(exc.message))
    rows: dict[str, PlannedRow] = {}
    duplicates: list[PlannedRow] = []
    for number, raw in raw_rows:
        row = _check_row(number, raw)
        if row.code and row.code in rows:
            row.errors.append(_("The code %(code)s is already on row %(row)s.")
                              % {"code": row.code, "row": rows[row.code].number})
            duplicates.append(row)
        else:
            rows[row.code or f"#row{number}"] = row
    existing = {u.code: u for u in Unit.objects.select_related("parent")}
    for row in rows.values():
        unit = existing.get(row.code)
        if unit is None:
            row.action = Action.CREATE
            if not row.parent and not row.mail_domain:
                row.errors.append(_("A top-level unit needs a mail domain."))
        else:
            row.changes = _diff(row, unit)
            row.action = Action.UPDATE if row.changes else Action.UNCHANGED
    ordered = _order(rows, existing) + duplicates
    for row in ordered:
        if row.errors:
            row.action = Action.ERROR
    return Plan(rows=sorted(ordered, key=lambda r: r.number))


def tree_apply(plan: Plan, *, actor) -> Plan:
    """Apply the plan's good rows, parents first. A row the services refuse becomes an error (its
    children too); the others are kept. Returns the plan with what happened."""
    failed: set[str] = set()
    pending = [r for r in plan.rows if r.action in (Action.CREATE, Action.UPDATE)]
    order = {r.code: i for i, r in enumerate(_order({r.code: r for r in pending},
                                                    {u.code: u for u in Unit.objects.all()}))}
    for row in sorted(pending, key=lambda r: order.get(r.code, 0)):
        if row.parent in failed:
            row.errors.append(_("Its parent %(code)s could not be loaded.") % {"code": row.parent})
            row.action = Action.ERROR
            failed.add(row.code)
            continue
        parent = Unit.objects.filter(code=row.parent).first() if row.parent else None
        try:
            with transaction.atomic():
                if row.action == Action.CREATE:
                    unit_create(actor=actor, code=row.code, name=row.name, kind=row.kind, parent=parent,
                                mail_domain=row.mail_domain)
                else:
                    unit = Unit.objects.get(code=row.code)
                    changes = {"name": row.name, "kind": row.kind, "parent": parent}
                    if row.mail_domain:
                        changes["mail_domain"] = row.mail_domain
                    unit_update(actor=actor, unit=unit, **changes)
        except ValidationError as exc:
            row.errors.extend(m for ms in getattr(exc, "message_dict", {"": exc.messages}).values() for m in ms)
            row.action = Action.ERROR
            failed.add(row.code)
    return plan
