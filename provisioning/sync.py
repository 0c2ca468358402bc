"""Render SQL state as directory entries and make the directory match (state, not deltas: a
row applied twice, or late, still leaves the directory equal to SQL)."""

from __future__ import annotations

from directory import gateway
from directory.entries import PersonEntry, UnitEntry
from provisioning.models import DirectoryChange, Person, Unit
from provisioning.units import unit_ancestors, unit_resolved_settings


def unit_entry(unit: Unit, ancestors: list[Unit]) -> tuple[UnitEntry, list[str]]:
    domain, _rule = unit_resolved_settings(unit, ancestors)
    entry = UnitEntry(code=unit.code, name=unit.name, kind=unit.kind, mail_domain=domain,
                      parent_code=ancestors[-1].code if ancestors else None)
    return entry, [a.code for a in ancestors] + [unit.code]


def person_entry(person: Person) -> PersonEntry:
    return PersonEntry(
        uid=person.uid, family_name=person.family_name, middle_name=person.middle_name,
        given_name=person.given_name, employee_code=person.employee_code, category=person.category,
        position=person.position, unit_code=person.unit.code, status=person.status, mail=person.mail or "",
        mail_enabled=bool(person.mail) and person.status == "active",
    )


def apply_unit(unit: Unit) -> None:
    ancestors = unit_ancestors(unit)
    for i, a in enumerate(ancestors):  # parents must exist first; "make it so" is cheap when they do
        if gateway.read(gateway.unit_dn([x.code for x in ancestors[: i + 1]]), ["1.1"]) is None:
            entry, path = unit_entry(a, ancestors[:i])
            gateway.unit_put(entry, path)
    entry, path = unit_entry(unit, ancestors)
    gateway.unit_put(entry, path)


def apply_object(*, kind: str, object_id: int) -> None:
    if kind == DirectoryChange.Kind.UNIT:
        unit = Unit.objects.filter(pk=object_id).first()
        if unit is not None:
            apply_unit(unit)
    elif kind == DirectoryChange.Kind.PERSON:
        person = Person.objects.select_related("unit").filter(pk=object_id).first()
        if person is not None:
            gateway.person_put(person_entry(person))
