"""Loading a province (the demo one, or any with the same shape) through the normal services,
so SQL, the audit trail and the directory agree. Running it again changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from accounts.models import Role, RoleAssignment
from accounts.roles.services import role_grant
from provisioning.people.models import Person, PersonStatus
from provisioning.people.services import person_onboard, person_update
from provisioning.units.models import Unit
from provisioning.units.services import unit_create, unit_update

REFORM_DAY = dt.date(2025, 7, 1)  # two-tier local government took effect


@dataclass
class LoadResult:
    units_created: int = 0
    units_updated: int = 0
    people_created: int = 0
    people_updated: int = 0


def load_units(province: dict, units: list[tuple], *, actor=None, effective: dt.date = REFORM_DAY) -> LoadResult:
    result = LoadResult()
    rows = [(province["code"], province["name"], province["kind"], None, province.get("mail_domain"),
             province.get("naming_rule", ""))]
    rows += [(code, name, kind, parent, domain, "") for code, name, kind, parent, domain in units]
    existing = {u.code: u for u in Unit.objects.all()}
    with transaction.atomic():
        for code, name, kind, parent_code, domain, rule in rows:
            parent = existing.get(parent_code) if parent_code else None
            unit = existing.get(code)
            if unit is None:
                existing[code] = unit_create(actor=actor, code=code, name=name, kind=kind, parent=parent,
                                             mail_domain=domain or "", naming_rule=rule, effective=effective)
                result.units_created += 1
                continue
            wanted = {"name": name, "kind": kind, "parent": parent, "mail_domain": domain or ""}
            if rule:
                wanted["naming_rule"] = rule
            if any(getattr(unit, k) != v for k, v in wanted.items()):
                existing[code] = unit_update(actor=actor, unit=unit, **wanted)
                result.units_updated += 1
    return result


def demo_employee_code(unit_code: str, index: int) -> str:
    return f"DEMO-{unit_code}-{index}"


def load_staff(staff: list[tuple], *, actor=None) -> LoadResult:
    result = LoadResult()
    units = {u.code: u for u in Unit.objects.all()}
    counters: dict[str, int] = {}
    people = {p.employee_code: p for p in Person.objects.all()}
    with transaction.atomic():
        for unit_code, family, middle, given, position, category in staff:
            counters[unit_code] = counters.get(unit_code, 0) + 1
            code = demo_employee_code(unit_code, counters[unit_code])
            person = people.get(code)
            if person is None:
                person_onboard(actor=actor, unit=units[unit_code], family=family, middle=middle, given=given,
                               employee_code=code, position=position, category=category,
                               status=PersonStatus.ACTIVE)
                result.people_created += 1
                continue
            wanted = {"family_name": family, "middle_name": middle, "given_name": given, "position": position,
                      "category": category, "unit": units[unit_code], "status": PersonStatus.ACTIVE}
            if any(getattr(person, k) != v for k, v in wanted.items()):
                person_update(actor=actor, person=person, **wanted)
                result.people_updated += 1
    return result


def _grant_once(person: Person, role: str, unit: Unit) -> None:
    """Through the audited service, as the system; a role already held is left as it is."""
    if not RoleAssignment.objects.filter(person=person, role=role, unit=unit).exists():
        role_grant(actor=None, person=person, role=role, unit=unit, reason="demo province")


def grant_demo_roles(province_code: str, hr_unit_code: str) -> list[tuple[str, str, str]]:
    """The demo's HR officers: the first staff member of the home-affairs department for the
    whole province, and the first staff member of every other department for that department."""
    granted = []
    units = {u.code: u for u in Unit.objects.filter(kind="department")}
    province = Unit.objects.get(code=province_code)
    for code, unit in sorted(units.items()):
        person = Person.objects.filter(employee_code=demo_employee_code(code, 1)).first()
        if person is None:
            continue
        scope = province if code == hr_unit_code else unit
        _grant_once(person, Role.HR_ADMIN, scope)
        granted.append((person.uid, person.full_name, scope.name))
    # every department's director decides its mailbox requests
    for unit in units.values():
        for director in Person.objects.filter(unit=unit, position__istartswith="Giám đốc"):
            _grant_once(director, Role.UNIT_HEAD, unit)
    return granted


def grant_demo_it_lead(province_code: str, it_unit_code: str) -> str | None:
    """The IT lead for the whole province: the first staff member of the department that runs
    the service (Sở Khoa học và Công nghệ since the 2025 merger)."""
    person = Person.objects.filter(employee_code=demo_employee_code(it_unit_code, 1)).first()
    if person is None:
        return None
    _grant_once(person, Role.IT_LEAD, Unit.objects.get(code=province_code))
    return person.uid
