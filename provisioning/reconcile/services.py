"""Compare SQL and the directory both ways and report (or repair) drift: people missing from
the directory, entries the directory has that SQL does not know, and attributes that differ."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction

from directory import config, gateway
from directory.entries import PERSON_ATTRS, PersonEntry
from provisioning.audit.services import audit_entry, audit_record, audit_save_all
from provisioning.mailboxes.stores import mail_stores_pending, mail_stores_sweep
from provisioning.outbox.models import DirectoryChange
from provisioning.outbox.services import directory_change_enqueue_many, directory_changes_drain
from provisioning.people.directory import people_entries
from provisioning.people.models import Person
from provisioning.units.directory import unit_entry
from provisioning.units.models import Unit
from provisioning.units.selectors import unit_ancestors


@dataclass
class Drift:
    missing_people: list[str] = field(default_factory=list)
    extra_people: list[str] = field(default_factory=list)
    differing_people: dict[str, list[str]] = field(default_factory=dict)
    missing_units: list[str] = field(default_factory=list)
    extra_units: list[str] = field(default_factory=list)
    differing_units: dict[str, list[str]] = field(default_factory=dict)
    # the directory says mailbox, the mail server's store was never created (C-12)
    unprepared_mailboxes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (len(self.missing_people) + len(self.extra_people) + len(self.differing_people)
                + len(self.missing_units) + len(self.extra_units) + len(self.differing_units)
                + len(self.unprepared_mailboxes))


def _diff(want: dict[str, list[str]], have: dict[str, list[str]]) -> list[str]:
    return sorted(a for a in set(want) | set(have) if sorted(want.get(a, [])) != sorted(have.get(a, [])))


def compare() -> Drift:
    drift = Drift()
    ids = list(Person.objects.values_list("pk", flat=True))
    want: dict[str, PersonEntry] = {}
    for start in range(0, len(ids), 5000):
        want.update({e.uid: e for e in people_entries(ids[start:start + 5000]).values()})
    have = {}
    for _dn, attrs in gateway.search(config.current().people_dn, "(objectClass=vnCivilServant)", PERSON_ATTRS):
        e = PersonEntry.from_attrs(attrs)
        have[e.uid] = e
    drift.missing_people = sorted(set(want) - set(have))
    drift.extra_people = sorted(set(have) - set(want))
    for uid in set(want) & set(have):
        d = _diff(want[uid].to_attrs(), have[uid].to_attrs())
        if d:
            drift.differing_people[uid] = d
    drift.unprepared_mailboxes = mail_stores_pending({e.mail for e in have.values() if e.mail and e.mail_enabled})
    units_have = {u.code: u for u in gateway.units_all()}
    units = list(Unit.objects.all())
    by_pk = {u.pk: u for u in units}
    for unit in units:
        ancestors = [by_pk[i] for i in unit.ancestor_ids if i in by_pk]
        entry, _path = unit_entry(unit, ancestors)
        got = units_have.get(unit.code)
        if got is None:
            drift.missing_units.append(unit.code)
        else:
            d = [f for f in ("name", "kind", "mail_domain", "parent_code") if getattr(entry, f) != getattr(got, f)]
            if d:
                drift.differing_units[unit.code] = d
    drift.extra_units = sorted(set(units_have) - {u.code for u in units})
    return drift


@dataclass(frozen=True)
class DirectoryEntry:
    """An entry only the directory has (no SQL row), as the target of an audit entry."""

    pk: str  # the uid or the unit code
    kind: str

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


def repair(drift: Drift, *, actor, source: str, delete_extra: bool = False) -> None:
    """Queue and apply what SQL says for every drifting object; entries SQL does not know are
    removed only when asked (they may be someone's hand-made entries). Every repaired object and
    every deleted entry gets an audit entry with the actor and where the repair came from."""
    people = list(Person.objects.filter(uid__in=drift.missing_people + list(drift.differing_people)))
    units = list(Unit.objects.filter(code__in=drift.missing_units + list(drift.differing_units)).order_by("depth"))
    with transaction.atomic():  # the intent: outbox rows and their audit entries together
        directory_change_enqueue_many(kind=DirectoryChange.Kind.UNIT, object_ids=[u.pk for u in units])
        directory_change_enqueue_many(kind=DirectoryChange.Kind.PERSON, object_ids=[p.pk for p in people])
        entries = [audit_entry(actor=actor, action="directory.repaired", target=p,
                               after=_what_drifted(p.uid in drift.differing_people,
                                                   drift.differing_people.get(p.uid), source)) for p in people]
        entries += [audit_entry(actor=actor, action="directory.repaired", target=u,
                                after=_what_drifted(u.code in drift.differing_units,
                                                    drift.differing_units.get(u.code), source)) for u in units]
        audit_save_all(entries)
    directory_changes_drain()
    if drift.unprepared_mailboxes:
        mail_stores_sweep(resend_after=timedelta(0))  # the stores are the mail server's work: sent again
    if delete_extra:
        for kind, names, delete in (("person", drift.extra_people, gateway.person_delete),
                                    ("unit", drift.extra_units, gateway.unit_delete)):
            for name in names:
                delete(name)
                audit_record(actor=actor, action="directory.extra_deleted", target=DirectoryEntry(name, kind),
                             after={"kind": kind, "source": source})


def _what_drifted(differs: bool, attributes: list[str] | None, source: str) -> dict:
    return {"missing": not differs, "attributes": attributes or [], "source": source}


__all__ = ["Drift", "compare", "repair", "unit_ancestors"]
