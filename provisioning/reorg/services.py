"""Reorganisation plans: merge, dissolve, split, rename, re-parent — plan, preview, edit, apply
(resumable), cancel; and the expiry of the old addresses the plans kept delivering.

Applying goes through the same services as the pages — ``unit_create``, ``unit_update`` (a child unit
re-parented), ``person_transfer`` (a person moved; when the mail domain changes they get an address in
the new domain and the old one stays theirs as an alias, so mail to it keeps arriving), ``unit_close``
— so every step is effective-dated, audited and reaches the directory through the outbox. People move
in batches, each batch in its own transaction, and every step is skipped when already done, so an
apply interrupted by any fault (a killed worker, the directory away) is simply run again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from provisioning.audit.services import audit_entry, audit_record, audit_save_all
from provisioning.certificates import reorg as certificates
from provisioning.common import spreadsheets
from provisioning.common.naming import fold
from provisioning.outbox.models import DirectoryChange
from provisioning.outbox.services import directory_change_enqueue_many
from provisioning.people.models import MailAddress, Person, PersonStatus
from provisioning.people.services import people_follow_domain, person_transfer
from provisioning.reorg.models import PlanAlias, UnitPlan
from provisioning.units.models import Unit, UnitKind, domain_validator, unit_code_validator
from provisioning.units.selectors import unit_resolved_settings
from provisioning.units.services import unit_close, unit_create, unit_update

BATCH = 1000
OPEN_PLANS = (UnitPlan.Status.DRAFT, UnitPlan.Status.APPLYING)


def _moving(unit: Unit):
    return Person.objects.filter(unit=unit).exclude(status=PersonStatus.LEFT)


def _creator(actor):
    return actor if actor is not None and actor.pk else None


def _check_alias_days(alias_days: int | None, errors: dict) -> None:
    if alias_days is not None and not 0 <= alias_days <= 3650:
        errors["alias_days"] = [_("Keep the old addresses for 0 to 3650 days.")]


def _check_open(units: list[Unit], errors: dict, field_name: str = "sources") -> None:
    if any(u.closed_on for u in units):
        errors.setdefault(field_name, []).append(_("A closed unit cannot be part of a plan."))
    busy = UnitPlan.objects.filter(status__in=OPEN_PLANS, sources__in=units).distinct()
    for plan in busy:
        errors.setdefault(field_name, []).append(
            _("%(units)s already belong to plan %(plan)s: edit or cancel that plan first.")
            % {"units": ", ".join(sorted(u.code for u in plan.sources.all() if u in units)), "plan": plan.pk})


def _code_free(code: str, errors: dict, field_name: str, plan: UnitPlan | None = None) -> None:
    try:
        unit_code_validator(code)
    except ValidationError as exc:
        errors.setdefault(field_name, []).extend(exc.messages)
        return
    others = UnitPlan.objects.filter(status__in=OPEN_PLANS).exclude(pk=plan.pk if plan else None)
    taken_by_plan = others.filter(new_code=code).exists() or any(
        p.get("code") == code and not p.get("existing") for o in others.filter(kind=UnitPlan.Kind.SPLIT)
        for p in o.parts)
    if Unit.objects.filter(code=code).exists() or taken_by_plan:
        errors.setdefault(field_name, []).append(_("The code %(code)s is already used by a unit or another plan.")
                                                 % {"code": code})


@transaction.atomic
def plan_merge_create(*, actor, sources: list[Unit], effective: dt.date, target: Unit | None = None,
                      new_code: str = "", new_name: str = "", new_kind: str = "", new_parent: Unit | None = None,
                      new_domain: str = "", note: str = "", alias_days: int | None = None) -> UnitPlan:
    sources = list(dict.fromkeys(sources))
    errors: dict[str, list[str]] = {}
    if not sources:
        errors["sources"] = [_("Choose the units to merge.")]
    if any(u.closed_on for u in sources):
        errors.setdefault("sources", []).append(_("A closed unit cannot be merged again."))
    _check_alias_days(alias_days, errors)
    new_code, new_domain = new_code.strip(), new_domain.strip().lower()
    if (target is None) == (not new_code):
        errors["target"] = [_("Merge into an existing unit, or give the new unit's code and name — one of the two.")]
    if target is not None and any(target.path.startswith(s.path) for s in sources):
        errors["target"] = [_("The units cannot be merged into one of themselves or a unit below them.")]
    if new_code:
        _code_free(new_code, errors, "new_code")
        if not new_name.strip() or not new_kind:
            errors["new_name"] = [_("Give the new unit's name and kind.")]
        if new_parent is not None and any(new_parent.path.startswith(s.path) for s in sources):
            errors["new_parent"] = [_("The new unit cannot sit below a unit that is being merged.")]
        if new_domain:
            try:
                domain_validator(new_domain)
            except ValidationError as exc:
                errors["new_domain"] = exc.messages
            if Unit.objects.filter(mail_domain=new_domain).exclude(pk__in=[s.pk for s in sources]).exists():
                errors.setdefault("new_domain", []).append(_("Another unit already uses the domain %(d)s.")
                                                           % {"d": new_domain})
        elif new_parent is None:
            errors["new_domain"] = [_("A top-level unit needs a mail domain.")]
    if errors:
        raise ValidationError(errors)
    plan = UnitPlan.objects.create(effective=effective, target=target, new_code=new_code, new_name=" ".join(
        new_name.split()), new_kind=new_kind, new_parent=new_parent, new_domain=new_domain, note=note.strip()[:500],
        alias_days=alias_days, created_by=_creator(actor))
    plan.sources.set(sources)
    audit_record(actor=actor, action="plan.created", target=plan, after=_describe(plan))
    return plan


@transaction.atomic
def plan_dissolve_create(*, actor, sources: list[Unit], effective: dt.date, note: str = "",
                         alias_days: int | None = None) -> UnitPlan:
    """Dissolve a level: each unit's people and units go to its own parent (every district of a province
    at once, its communes re-parented to the province), then it closes."""
    sources = list(dict.fromkeys(sources))
    if not sources:
        raise ValidationError({"sources": [_("Choose the units to dissolve.")]})
    if any(u.parent_id is None for u in sources):
        raise ValidationError({"sources": [_("A top-level unit cannot be dissolved into a parent: merge it instead.")]})
    if any(u.closed_on for u in sources):
        raise ValidationError({"sources": [_("A closed unit cannot be dissolved again.")]})
    errors: dict[str, list[str]] = {}
    _check_alias_days(alias_days, errors)
    if errors:
        raise ValidationError(errors)
    plan = UnitPlan.objects.create(kind=UnitPlan.Kind.DISSOLVE, effective=effective, note=note.strip()[:500],
                                   alias_days=alias_days, created_by=_creator(actor))
    plan.sources.set(sources)
    audit_record(actor=actor, action="plan.created", target=plan, after=_describe(plan))
    return plan


@transaction.atomic
def plan_rename_create(*, actor, unit: Unit, new_name: str, effective: dt.date, note: str = "") -> UnitPlan:
    """A unit's legal name changes on ``effective`` (its code, people and addresses stay): the history
    keeps the old name until that day; certificates carrying the old name get change requests."""
    errors: dict[str, list[str]] = {}
    new_name = " ".join((new_name or "").split())
    _check_open([unit], errors)
    if not new_name or len(new_name) > 255:
        errors["new_name"] = [_("Give the unit's new name (at most 255 characters).")]
    elif new_name == unit.name:
        errors["new_name"] = [_("The new name is the unit's name already.")]
    if errors:
        raise ValidationError(errors)
    plan = UnitPlan.objects.create(kind=UnitPlan.Kind.RENAME, effective=effective, new_name=new_name,
                                   note=note.strip()[:500], created_by=_creator(actor))
    plan.sources.set([unit])
    audit_record(actor=actor, action="plan.created", target=plan, after=_describe(plan))
    return plan


@transaction.atomic
def plan_reparent_create(*, actor, sources: list[Unit], new_parent: Unit, effective: dt.date, note: str = "",
                         alias_days: int | None = None) -> UnitPlan:
    """Units move under another parent on ``effective`` (a commune to another province, a department's
    divisions to another department) with their people, mailboxes and history; people whose domain
    changes get an address in the new one and keep the old as an alias."""
    sources = list(dict.fromkeys(sources))
    errors: dict[str, list[str]] = {}
    if not sources:
        errors["sources"] = [_("Choose the units to move.")]
    _check_open(sources, errors)
    _check_alias_days(alias_days, errors)
    if new_parent is None or new_parent.closed_on is not None:
        errors["new_parent"] = [_("Choose the open unit they move under.")]
    elif any(new_parent.path.startswith(s.path) for s in sources):
        errors["new_parent"] = [_("A unit cannot be moved under itself or one of its own units.")]
    elif all(s.parent_id == new_parent.pk for s in sources):
        errors["new_parent"] = [_("These units are already under %(name)s.") % {"name": new_parent.name}]
    if errors:
        raise ValidationError(errors)
    plan = UnitPlan.objects.create(kind=UnitPlan.Kind.REPARENT, effective=effective, new_parent=new_parent,
                                   note=note.strip()[:500], alias_days=alias_days, created_by=_creator(actor))
    plan.sources.set(sources)
    audit_record(actor=actor, action="plan.created", target=plan, after=_describe(plan))
    return plan


def _clean_parts(source: Unit, parts: list[dict], errors: dict, plan: UnitPlan | None = None) -> list[dict]:
    """A split's parts, checked: each an existing open unit (by code) or a new one (code, name, kind);
    ``positions`` (words a person's position contains), ``units`` (codes of the source's units that go
    with it), at most one ``default`` (whoever no rule names)."""
    out, seen_codes, seen_units = [], set(), {}
    children = {u.code: u for u in source.children.filter(closed_on__isnull=True)}
    if len(parts) < 2:
        errors.setdefault("parts", []).append(_("A split needs at least two parts."))
    for i, raw in enumerate(parts, start=1):
        code = (raw.get("code") or "").strip()
        part = {"code": code, "name": " ".join((raw.get("name") or "").split()), "kind": raw.get("kind") or "",
                "positions": [p for p in (" ".join(str(x).split()) for x in raw.get("positions") or []) if p],
                "units": [c.strip() for c in raw.get("units") or [] if c.strip()], "default": bool(raw.get("default"))}
        label = _("Part %(n)s") % {"n": i}
        if not code:
            errors.setdefault("parts", []).append(_("%(part)s: give its unit code.") % {"part": label})
            continue
        if code in seen_codes:
            errors.setdefault("parts", []).append(_("%(part)s: the code %(code)s is given twice.")
                                                  % {"part": label, "code": code})
        seen_codes.add(code)
        existing = Unit.objects.filter(code=code).first()
        if existing is not None:
            part["existing"] = True
            if existing.closed_on is not None or existing.path.startswith(source.path):
                errors.setdefault("parts", []).append(
                    _("%(part)s: %(code)s is closed, or is the unit being split or below it.")
                    % {"part": label, "code": code})
            part["name"], part["kind"] = existing.name, existing.kind
        else:
            part["existing"] = False
            _code_free(code, errors, "parts", plan)
            if not part["name"] or part["kind"] not in UnitKind.values:
                errors.setdefault("parts", []).append(_("%(part)s: a new unit needs a name and a kind.")
                                                      % {"part": label})
        for c in part["units"]:
            if c not in children:
                errors.setdefault("parts", []).append(_("%(part)s: %(code)s is not a unit directly below %(name)s.")
                                                      % {"part": label, "code": c, "name": source.name})
            elif c in seen_units:
                errors.setdefault("parts", []).append(_("%(part)s: %(code)s already goes to %(other)s.")
                                                      % {"part": label, "code": c, "other": seen_units[c]})
            seen_units[c] = code
        out.append(part)
    if sum(1 for p in out if p["default"]) > 1:
        errors.setdefault("parts", []).append(_("Only one part can take everyone the rules do not name."))
    return out


@transaction.atomic
def plan_split_create(*, actor, source: Unit, parts: list[dict], effective: dt.date, note: str = "",
                      alias_days: int | None = None, assignments: dict[str, str] | None = None) -> UnitPlan:
    """Split a unit into several (new or existing units, siblings of the source): its units go where
    ``parts`` list them, its people by the spreadsheet's assignments (employee code -> part code), else
    by their position, else to the default part; then the source closes. The preview lists whoever no
    rule places, and such a plan cannot be applied until they are placed."""
    errors: dict[str, list[str]] = {}
    _check_open([source], errors)
    _check_alias_days(alias_days, errors)
    parts = _clean_parts(source, parts, errors)
    if errors:
        raise ValidationError(errors)
    plan = UnitPlan.objects.create(kind=UnitPlan.Kind.SPLIT, effective=effective, parts=parts,
                                   assignments=assignments or {}, note=note.strip()[:500], alias_days=alias_days,
                                   created_by=_creator(actor))
    plan.sources.set([source])
    audit_record(actor=actor, action="plan.created", target=plan, after=_describe(plan))
    return plan


ASSIGNMENT_COLUMNS = {
    "employee_code": ("Mã cán bộ", "Mã nhân viên", "Mã CBCCVC", "Mã số", "Employee code", "Code"),
    "unit": ("Mã đơn vị mới", "Đơn vị mới", "Mã đơn vị", "Đơn vị", "New unit code", "Unit code", "Unit"),
}


ASSIGNMENT_LABELS = {"employee_code": gettext_lazy("Employee code"), "unit": gettext_lazy("New unit code")}


@dataclass
class RowError:
    number: int
    message: str


def plan_assignments_load(*, actor, plan: UnitPlan, fileobj, filename: str) -> list[RowError]:
    """Read a split's spreadsheet (employee code, new unit code; XLSX or CSV) into the plan's assignments,
    replacing the earlier ones. Each bad row is reported by its number (an unknown or repeated employee
    code, someone outside the unit being split, a unit code that is not one of the parts) and left out;
    the good rows are kept. A file that cannot be read at all is one error on row 0 and changes nothing."""
    _editable(plan)
    source = plan.sources.get()
    parts = {p["code"] for p in plan.parts}
    try:
        table = spreadsheets.open_sheet(fileobj, filename, aliases=ASSIGNMENT_COLUMNS, labels=ASSIGNMENT_LABELS,
                                        required=("employee_code", "unit"))
        rows = list(table.rows())
    except spreadsheets.FileError as exc:
        return [RowError(0, str(exc.message))]
    codes = {r.get("employee_code", "").strip().upper() for _n, r in rows}
    people = dict(Person.objects.annotate(code=Upper("employee_code")).filter(code__in=codes)
                  .values_list("code", "unit_id"))
    good: dict[str, str] = {}
    seen: dict[str, int] = {}
    errors: list[RowError] = []
    for number, row in rows:
        code, target = row.get("employee_code", "").strip(), row.get("unit", "").strip()
        key = code.upper()
        if not code:
            errors.append(RowError(number, _("The employee code is empty.")))
        elif key in seen:
            errors.append(RowError(number, _("Employee %(code)s is already on row %(row)s.")
                                   % {"code": code, "row": seen[key]}))
        elif key not in people:
            errors.append(RowError(number, _("No one has the employee code %(code)s.") % {"code": code}))
        elif people[key] != source.pk:
            errors.append(RowError(number, _("%(code)s does not work in %(unit)s itself (people of the units "
                                             "below it move with their unit).") % {"code": code, "unit": source.name}))
        elif target not in parts:
            errors.append(RowError(number, _("%(unit)s is not one of the plan's parts (%(parts)s).")
                                   % {"unit": target or "—", "parts": ", ".join(sorted(parts))}))
        else:
            good[key] = target
        seen.setdefault(key, number)
    with transaction.atomic():
        plan = UnitPlan.objects.select_for_update().get(pk=plan.pk)
        _editable(plan)
        before = {"assignments": len(plan.assignments)}
        plan.assignments = good
        plan.save(update_fields=["assignments"])
        audit_record(actor=actor, action="plan.assignments_loaded", target=plan, before=before,
                     after={"assignments": len(good), "rejected_rows": len(errors), "file": filename[:200]})
    return errors


def _editable(plan: UnitPlan) -> None:
    if plan.status != UnitPlan.Status.DRAFT:
        raise ValidationError(_("Only a plan that has not started can be changed."))


@transaction.atomic
def plan_edit(*, actor, plan: UnitPlan, effective: dt.date | None = None, note: str | None = None,
              alias_days: int | None = None, clear_alias_days: bool = False, new_name: str | None = None,
              new_parent: Unit | None = None, parts: list[dict] | None = None) -> UnitPlan:
    """Change a plan that has not started: its date, note, how long old addresses keep delivering, a
    renaming's new name, a re-parenting's new parent, a split's parts. Audited with before and after."""
    plan = UnitPlan.objects.select_for_update().get(pk=plan.pk)
    _editable(plan)
    before = _describe(plan)
    errors: dict[str, list[str]] = {}
    fields = []
    if effective is not None and effective != plan.effective:
        plan.effective = effective
        fields.append("effective")
    if note is not None and note.strip()[:500] != plan.note:
        plan.note = note.strip()[:500]
        fields.append("note")
    if (clear_alias_days and plan.alias_days is not None) or (alias_days is not None
                                                              and alias_days != plan.alias_days):
        _check_alias_days(alias_days, errors)
        plan.alias_days = None if clear_alias_days else alias_days
        fields.append("alias_days")
    if new_name is not None and plan.kind == UnitPlan.Kind.RENAME:
        new_name = " ".join(new_name.split())
        if not new_name or len(new_name) > 255:
            errors["new_name"] = [_("Give the unit's new name (at most 255 characters).")]
        plan.new_name = new_name
        fields.append("new_name")
    if new_parent is not None and plan.kind == UnitPlan.Kind.REPARENT:
        if new_parent.closed_on is not None or any(new_parent.path.startswith(s.path) for s in plan.sources.all()):
            errors["new_parent"] = [_("A unit cannot be moved under itself or one of its own units.")]
        plan.new_parent = new_parent
        fields.append("new_parent")
    if parts is not None and plan.kind == UnitPlan.Kind.SPLIT:
        plan.parts = _clean_parts(plan.sources.get(), parts, errors, plan)
        fields.append("parts")
    if errors:
        raise ValidationError(errors)
    if fields:
        plan.save(update_fields=fields)
        audit_record(actor=actor, action="plan.edited", target=plan, before=before, after=_describe(plan))
    return plan


def _describe(plan: UnitPlan) -> dict:
    out = {"kind": plan.kind, "effective": plan.effective.isoformat(), "sources": sorted(
        u.code for u in plan.sources.all()), "note": plan.note, "alias_days": _alias_days(plan)}
    if plan.kind == UnitPlan.Kind.MERGE:
        out["target"] = plan.target.code if plan.target_id else plan.new_code
    elif plan.kind == UnitPlan.Kind.DISSOLVE:
        out["target"] = "(parents)"
    elif plan.kind == UnitPlan.Kind.RENAME:
        out["new_name"] = plan.new_name
    elif plan.kind == UnitPlan.Kind.REPARENT:
        out["new_parent"] = plan.new_parent.code if plan.new_parent_id else ""
    else:
        out["parts"] = [p["code"] for p in plan.parts]
        out["assignments"] = len(plan.assignments)
    return out


def _alias_days(plan: UnitPlan) -> int:
    return plan.alias_days if plan.alias_days is not None else settings.IDM_REORG_ALIAS_DAYS


@dataclass
class Preview:
    people: list[dict] = field(default_factory=list)  # person, from, to, address now, address after
    units: list[Unit] = field(default_factory=list)  # units that move (under the target, a part, a new parent)
    conflicts: list[str] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)  # conflicts that stop the apply until the plan is fixed
    certificates: list = field(default_factory=list)  # valid certificates that get a change request
    lists: list[Unit] = field(default_factory=list)  # units whose distribution list changes members
    new_units: list[str] = field(default_factory=list)  # units the plan creates or renames (organisation certs)
    domain: str = ""

    @property
    def new_addresses(self) -> int:
        return sum(1 for p in self.people if p["after"] != p["now"])


def _target_domain(plan: UnitPlan) -> str:
    if plan.target_id:
        return unit_resolved_settings(plan.target)[0]
    if plan.new_domain:
        return plan.new_domain
    return unit_resolved_settings(plan.new_parent)[0] if plan.new_parent_id else ""


def _source_domain(plan: UnitPlan, source: Unit) -> str:
    """The mail domain the source's people will have: the target's, for a dissolved unit its parent's,
    for a moved unit its own or else its new parent's; a renamed or split unit keeps its own."""
    if plan.kind == UnitPlan.Kind.DISSOLVE:
        return unit_resolved_settings(source.parent)[0] if source.parent_id else ""
    if plan.kind == UnitPlan.Kind.REPARENT:
        return source.mail_domain or unit_resolved_settings(plan.new_parent)[0]
    if plan.kind in (UnitPlan.Kind.RENAME, UnitPlan.Kind.SPLIT):
        return unit_resolved_settings(source)[0]
    return _target_domain(plan)


def _split_places(plan: UnitPlan, source: Unit, people: list[Person]) -> tuple[dict[int, str], dict[int, str]]:
    """Where a split sends each of the source's own people and each unit directly below it: part codes
    by person id and by unit id; someone or something no rule places is missing from the map."""
    default = next((p["code"] for p in plan.parts if p["default"]), None)
    by_unit_code = {c: p["code"] for p in plan.parts for c in p["units"]}
    units = {u.pk: by_unit_code.get(u.code, default) for u in source.children.filter(closed_on__isnull=True)}
    rules = [(p["code"], [fold(x) for x in p["positions"]]) for p in plan.parts]
    assigned = {k.upper(): v for k, v in plan.assignments.items()}
    people_places = {}
    for person in people:
        if person.unit_id != source.pk:
            continue
        place = assigned.get(person.employee_code.upper())
        if place is None:
            position = fold(person.position)
            place = next((code for code, words in rules if any(w and w in position for w in words)), default)
        people_places[person.pk] = place
    return ({k: v for k, v in people_places.items() if v}, {k: v for k, v in units.items() if v})


def plan_preview(plan: UnitPlan) -> Preview:
    """Everything the plan will touch — every person and the address they will have, every unit that
    moves, the distribution lists, the certificates — and every conflict, before anything changes."""
    out = Preview(domain=_target_domain(plan) if plan.kind == UnitPlan.Kind.MERGE else "")
    taken_by_domain: dict[str, set[str]] = {}
    follows: dict[int, bool] = {}  # unit -> its people take the new domain
    if plan.status == UnitPlan.Status.DRAFT and plan.new_code and Unit.objects.filter(code=plan.new_code).exists():
        out.conflicts.append(_("The code %(code)s is now used by another unit.") % {"code": plan.new_code})
    sources = list(plan.sources.order_by("path"))
    if plan.kind == UnitPlan.Kind.MERGE:
        out.new_units.append(plan.target.code if plan.target_id else plan.new_code)
    elif plan.kind == UnitPlan.Kind.RENAME:
        out.new_units += [s.code for s in sources]
    elif plan.kind == UnitPlan.Kind.SPLIT:
        out.new_units += [p["code"] for p in plan.parts]
        if plan.status == UnitPlan.Status.DRAFT:
            for p in plan.parts:
                if not p["existing"] and Unit.objects.filter(code=p["code"]).exists():
                    out.blocking.append(_("The code %(code)s is now used by another unit.") % {"code": p["code"]})
    moved_people: list[int] = []
    for source in sources:
        domain = _source_domain(plan, source)
        if domain not in taken_by_domain:
            taken_by_domain[domain] = set(MailAddress.objects.filter(address__endswith="@" + domain)
                                          .values_list("address", flat=True))
        taken = taken_by_domain[domain]
        people = list(Person.objects.filter(unit__path__startswith=source.path).exclude(status=PersonStatus.LEFT)
                      .select_related("unit").order_by("sort_key", "uid"))
        children = list(source.children.filter(closed_on__isnull=True).order_by("name"))
        person_places, unit_places = ({}, {})
        if plan.kind == UnitPlan.Kind.SPLIT:
            person_places, unit_places = _split_places(plan, source, people)
            for child in children:
                if child.pk not in unit_places:
                    out.blocking.append(_("No part takes the unit %(name)s (%(code)s): list it under a part, or "
                                          "make one part the default.") % {"name": child.name, "code": child.code})
        if plan.kind in (UnitPlan.Kind.MERGE, UnitPlan.Kind.DISSOLVE, UnitPlan.Kind.SPLIT):
            out.units += children
        elif plan.kind == UnitPlan.Kind.REPARENT:
            out.units.append(source)
        for person in people:
            now = person.mail or ""
            after = now
            if person.unit_id not in follows:
                follows[person.unit_id] = _follows_target(person, source, plan)
            if now and domain and now.rpartition("@")[2] != domain and follows[person.unit_id]:
                stem = now.rpartition("@")[0]
                after, n = f"{stem}@{domain}", 1
                while after in taken:
                    n += 1
                    after = f"{stem}{n}@{domain}"
                if n > 1:
                    out.conflicts.append(_("%(wanted)s is taken: %(name)s will get %(after)s (the old address "
                                           "keeps delivering).") % {"wanted": f"{stem}@{domain}",
                                                                     "name": person.full_name, "after": after})
                taken.add(after)
            to = ""
            if plan.kind == UnitPlan.Kind.SPLIT:
                if person.unit_id == source.pk:
                    to = person_places.get(person.pk, "")
                    if not to:
                        out.blocking.append(_("No rule places %(name)s (%(code)s, %(position)s): add them to the "
                                              "spreadsheet, or make one part the default.")
                                            % {"name": person.full_name, "code": person.employee_code,
                                               "position": person.position or "—"})
                    moved_people.append(person.pk)
            elif plan.kind == UnitPlan.Kind.RENAME:
                moved_people += [person.pk] if person.unit_id == source.pk else []
            elif plan.kind != UnitPlan.Kind.REPARENT and person.unit_id == source.pk:
                moved_people.append(person.pk)
            out.people.append({"person": person, "from": person.unit, "to": to, "now": now, "after": after})
    paths = [s.path for s in sources]
    if plan.target_id:
        paths.append(plan.target.path)
    if plan.new_parent_id:
        paths.append(plan.new_parent.path)
    out.lists = [u for u in Unit.objects.exclude(list_address="").order_by("path")
                 if any(p.startswith(u.path) or u.path.startswith(p) for p in paths)]
    unit_ids = [s.pk for s in sources] if plan.kind in (UnitPlan.Kind.RENAME, UnitPlan.Kind.MERGE,
                                                         UnitPlan.Kind.SPLIT, UnitPlan.Kind.DISSOLVE) else []
    out.certificates = certificates.certificates_affected(person_ids=moved_people, unit_ids=unit_ids)
    return out


def _follows_target(person: Person, source: Unit, plan: UnitPlan) -> bool:
    """Whether the person's domain will become the new one: yes for the source's own people (they
    move to the target) and for units below that inherit their domain (no domain of their own on the way)."""
    if plan.kind == UnitPlan.Kind.RENAME:
        return False
    if person.unit_id == source.pk:
        return plan.kind != UnitPlan.Kind.REPARENT or not source.mail_domain
    chain = Unit.objects.filter(pk__in=person.unit.ancestor_ids + [person.unit_id], path__startswith=source.path)
    if plan.kind == UnitPlan.Kind.REPARENT:
        return not chain.exclude(mail_domain="").exists()
    return not chain.exclude(pk=source.pk).exclude(mail_domain="").exists()


# ---------------------------------------------------------------- apply


def _keep_aliases(plan: UnitPlan, before: dict[int, str], people: list[Person]) -> None:
    """The old addresses the move turned into aliases keep delivering until the plan's alias period ends."""
    expires = plan.effective + dt.timedelta(days=_alias_days(plan))
    PlanAlias.objects.bulk_create([PlanAlias(plan=plan, person_id=p.pk, address=before[p.pk], expires_on=expires)
                                   for p in people if before.get(p.pk) and p.mail != before[p.pk]],
                                  ignore_conflicts=True)


def _progress(plan: UnitPlan, n: int) -> None:
    UnitPlan.objects.filter(pk=plan.pk).update(progress=F("progress") + n)


def _transfer_all(plan: UnitPlan, actor, people_query, place, reason: str) -> None:
    """Move people in batches, each batch one transaction; `place(person)` is their new unit."""
    while True:
        batch = list(people_query.order_by("pk")[:BATCH])
        if not batch:
            return
        with transaction.atomic():
            before = {p.pk: p.mail for p in batch}
            moved = [person_transfer(actor=actor, person=p, unit=place(p), on=plan.effective, reason=reason)
                     for p in batch]
            _keep_aliases(plan, before, moved)
            certificates.people_changed_agency(person_ids=[p.pk for p in moved])
            _progress(plan, len(batch))


def _follow_domain(plan: UnitPlan, actor, unit: Unit, reason: str) -> None:
    """The people of a subtree take the domain their units now have (the old address kept as an alias)."""
    last = 0
    while True:
        batch = list(Person.objects.filter(unit__path__startswith=unit.path, mail__isnull=False, pk__gt=last)
                     .exclude(status=PersonStatus.LEFT).select_related("unit").order_by("pk")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        with transaction.atomic():
            before = {p.pk: p.mail for p in batch}
            moved = people_follow_domain(actor=actor, people=batch, reason=reason)
            _keep_aliases(plan, before, batch)
            _progress(plan, moved)


def _target(plan: UnitPlan, actor) -> Unit:
    if plan.target_id:
        return plan.target
    existing = Unit.objects.filter(code=plan.new_code).first()
    if existing is not None:
        return existing
    unit = unit_create(actor=actor, code=plan.new_code, name=plan.new_name, kind=plan.new_kind,
                       parent=plan.new_parent, mail_domain=plan.new_domain, effective=plan.effective)
    UnitPlan.objects.filter(pk=plan.pk).update(target=unit)
    certificates.unit_needs_certificate(unit=unit)  # raised once its people are in: see plan_apply
    return unit


def _apply_merge(plan: UnitPlan, actor) -> None:
    with transaction.atomic():
        merged_into = _target(plan, actor) if plan.kind == UnitPlan.Kind.MERGE else None
    for source in plan.sources.order_by("-depth", "path"):
        if source.closed_on is not None:
            continue  # done before an interruption
        target = merged_into or source.parent
        reason = plan.note or (_("Merger into %(name)s") if merged_into else _("Dissolved into %(name)s")) % {
            "name": target.name}
        for child in source.children.filter(closed_on__isnull=True):
            with transaction.atomic():
                unit_update(actor=actor, unit=child, parent=target, effective=plan.effective)
                _progress(plan, 1)
        _transfer_all(plan, actor, _moving(source), lambda p, t=target: t, reason)
        if unit_resolved_settings(target)[0]:
            _follow_domain(plan, actor, target, reason)
        unit_close(actor=actor, unit=source, effective=plan.effective, reason=reason)
    if merged_into is not None and plan.new_code:
        certificates.unit_needs_certificate(unit=merged_into)


def _apply_rename(plan: UnitPlan, actor) -> None:
    unit = plan.sources.get()
    if unit.name != plan.new_name:
        with transaction.atomic():
            unit_update(actor=actor, unit=unit, name=plan.new_name, effective=plan.effective)
            _progress(plan, 1)
    ids = list(_moving(unit).values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            certificates.people_changed_agency(person_ids=ids[start:start + BATCH])
    certificates.unit_needs_certificate(unit=Unit.objects.get(pk=unit.pk))


def _apply_reparent(plan: UnitPlan, actor) -> None:
    reason = plan.note or _("Moved under %(name)s") % {"name": plan.new_parent.name}
    for source in plan.sources.order_by("-depth", "path"):
        source.refresh_from_db()
        if source.parent_id != plan.new_parent_id:
            with transaction.atomic():
                source = unit_update(actor=actor, unit=source, parent=plan.new_parent, effective=plan.effective)
                _progress(plan, 1)
        _follow_domain(plan, actor, source, reason)


def _split_part(plan: UnitPlan, actor, source: Unit, part: dict) -> Unit:
    existing = Unit.objects.filter(code=part["code"]).first()
    if existing is not None:
        return existing
    unit = unit_create(actor=actor, code=part["code"], name=part["name"], kind=part["kind"], parent=source.parent,
                       mail_domain=source.mail_domain, naming_rule=source.naming_rule, effective=plan.effective)
    settings_ = {k: getattr(source, k) for k in ("mailbox_policy", "default_quota_mb", "category_quota_mb")
                 if getattr(source, k)}
    if settings_:  # the same mail policy and quotas as the unit it comes from
        unit = unit_update(actor=actor, unit=unit, effective=plan.effective, **settings_)
    return unit


def _apply_split(plan: UnitPlan, actor) -> None:
    source = plan.sources.get()
    if source.closed_on is not None:
        return
    people = list(_moving(source))
    person_places, unit_places = _split_places(plan, source, people)
    children = list(source.children.filter(closed_on__isnull=True))
    if len(person_places) < len(people) or len(unit_places) < len(children):
        raise ValidationError(_("Some people or units of %(name)s have no place in the split: see the preview.")
                              % {"name": source.name})
    parts = {}
    for part in plan.parts:
        with transaction.atomic():
            parts[part["code"]] = unit = _split_part(plan, actor, source, part)
            if not part["existing"]:
                _progress(plan, 1)
    reason = plan.note or _("Split of %(name)s") % {"name": source.name}
    for child in children:
        with transaction.atomic():
            unit_update(actor=actor, unit=child, parent=parts[unit_places[child.pk]], effective=plan.effective)
            _progress(plan, 1)
    _transfer_all(plan, actor, _moving(source), lambda p: parts[person_places[p.pk]], reason)
    for unit in parts.values():
        if unit_resolved_settings(unit)[0]:
            _follow_domain(plan, actor, unit, reason)
    unit_close(actor=actor, unit=source, effective=plan.effective, reason=reason)
    for part in plan.parts:
        if not part["existing"]:
            certificates.unit_needs_certificate(unit=parts[part["code"]])


APPLIERS = {UnitPlan.Kind.MERGE: _apply_merge, UnitPlan.Kind.DISSOLVE: _apply_merge,
            UnitPlan.Kind.RENAME: _apply_rename, UnitPlan.Kind.REPARENT: _apply_reparent,
            UnitPlan.Kind.SPLIT: _apply_split}


def plan_apply(*, actor, plan: UnitPlan) -> UnitPlan:
    """Apply a plan whose date has come. Safe to run again after any interruption: each step is
    skipped when already done, people move in batches of their own transactions."""
    with transaction.atomic():
        plan = UnitPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status in (UnitPlan.Status.APPLIED, UnitPlan.Status.CANCELLED):
            return plan
        if plan.effective > timezone.localdate():
            raise ValidationError(_("This plan takes effect on %(day)s; it is applied on that day.")
                                  % {"day": plan.effective.isoformat()})
        if plan.kind == UnitPlan.Kind.SPLIT and plan.status == UnitPlan.Status.DRAFT:
            blocking = plan_preview(plan).blocking
            if blocking:
                raise ValidationError(blocking[:20])
        plan.status = UnitPlan.Status.APPLYING
        plan.save(update_fields=["status"])
    APPLIERS[plan.kind](plan, actor)
    with transaction.atomic():
        UnitPlan.objects.filter(pk=plan.pk).update(status=UnitPlan.Status.APPLIED, applied_at=timezone.now())
        plan.refresh_from_db()
        audit_record(actor=actor, action="plan.applied", target=plan, after=_describe(plan) | {
            "moved": plan.progress, "aliases_kept": plan.aliases.count()})
    return plan


@transaction.atomic
def plan_cancel(*, actor, plan: UnitPlan) -> UnitPlan:
    plan = UnitPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != UnitPlan.Status.DRAFT:
        raise ValidationError(_("Only a plan that has not started can be cancelled."))
    plan.status = UnitPlan.Status.CANCELLED
    plan.save(update_fields=["status"])
    audit_record(actor=actor, action="plan.cancelled", target=plan, after=_describe(plan))
    return plan


def plans_apply_due(today: dt.date | None = None) -> int:
    """The hourly task: apply every plan whose date has come (and finish any interrupted one). A plan
    that cannot be applied (a split with people no rule places) waits, and the others go on."""
    today = today or timezone.localdate()
    due = UnitPlan.objects.filter(status__in=OPEN_PLANS, effective__lte=today).order_by("effective", "pk")
    count = 0
    for plan in due:
        try:
            plan_apply(actor=None, plan=plan)
        except ValidationError:
            continue
        count += 1
    return count


# ---------------------------------------------------------------- old addresses


def aliases_expire(*, today: dt.date | None = None) -> int:
    """The daily task: the old addresses whose period ended stop delivering. Each leaves the person (and
    so the directory entry, through the outbox's bulk path) but its row stays, so the address is never
    given to anyone else; the audit names the person and the address. Returns how many expired."""
    today = today or timezone.localdate()
    done = 0
    while True:
        batch = list(PlanAlias.objects.filter(expires_on__lte=today, removed_at__isnull=True)
                     .select_related("person").order_by("pk")[:BATCH])
        if not batch:
            return done
        with transaction.atomic():
            addresses = [a.address for a in batch]
            for a in batch:  # only while it is still that person's alias (not made primary again)
                MailAddress.objects.filter(address=a.address, person_id=a.person_id,
                                           kind=MailAddress.Kind.ALIAS).update(person=None)
            PlanAlias.objects.filter(pk__in=[a.pk for a in batch]).update(removed_at=timezone.now())
            audit_save_all([audit_entry(actor=None, action="person.alias_expired", target=a.person,
                                        before={"alias": a.address}, after={"plan": a.plan_id})
                            for a in batch])
            directory_change_enqueue_many(kind=DirectoryChange.Kind.PERSON, bulk=True,
                                          object_ids=sorted({a.person_id for a in batch}))
            done += len(addresses)
