from __future__ import annotations

from directory import gateway
from directory.entries import UnitEntry
from provisioning.outbox.appliers import permanent_failures
from provisioning.units.models import Unit
from provisioning.units.selectors import (
    unit_ancestors,
    unit_resolved_settings,
)


def unit_entry(unit: Unit, ancestors: list[Unit]) -> tuple[UnitEntry, list[str]]:
    domain, _rule = unit_resolved_settings(unit, ancestors)
    entry = UnitEntry(code=unit.code, name=unit.name, kind=unit.kind, mail_domain=domain,
                      parent_code=ancestors[-1].code if ancestors else None)
    return entry, [a.code for a in ancestors] + [unit.code]


def apply_unit(unit: Unit) -> None:
    ancestors = unit_ancestors(unit)
    for i, a in enumerate(ancestors):  # parents must exist first; "make it so" is cheap when they do
        if gateway.read(gateway.unit_dn([x.code for x in ancestors[: i + 1]]), ["1.1"]) is None:
            entry, path = unit_entry(a, ancestors[:i])
            gateway.unit_put(entry, path)
    entry, path = unit_entry(unit, ancestors)
    gateway.unit_put(entry, path)


def apply_units(ids: list[int]) -> dict[int, Exception]:
    return permanent_failures(Unit.objects.filter(pk__in=ids).order_by("depth"), apply_unit, key=lambda u: u.pk)


def apply_unit_changes(ids_by_kind: dict[str, list[int]]) -> dict[tuple[str, int], Exception]:
    """The outbox's applier for units (registered in ProvisioningConfig.ready)."""
    return {("unit", pk): exc for pk, exc in apply_units(ids_by_kind.get("unit", [])).items()}
