"""Render SQL state as directory entries and make the directory match (state, not deltas: a
row applied twice, or late, still leaves the directory equal to SQL)."""

from __future__ import annotations

from collections import defaultdict

from directory import bulk
from directory.entries import PersonEntry
from directory.errors import DirectoryError
from provisioning.common.naming import NameOrder
from provisioning.people.models import MailAddress, Person, PersonStatus, has_mailbox
from provisioning.units.selectors import MailPolicy, mail_policies, unit_mail_policy


def person_entry(person: Person, aliases: list[str] | None = None,
                 policy: MailPolicy | None = None) -> PersonEntry:
    """What the directory must say about a person. Anyone not active cannot log in; their
    mailbox is disabled (kept until the retention ends, then its attributes go; the address
    itself stays reserved in SQL)."""
    if aliases is None:
        aliases = list(person.addresses.filter(kind=MailAddress.Kind.ALIAS).values_list("address", flat=True))
    policy = policy or unit_mail_policy(person.unit)
    mailbox = has_mailbox(person, policy)
    quota_mb = person.quota_mb or policy.quota_for(person.category)
    return PersonEntry(
        uid=person.uid, family_name=person.family_name, middle_name=person.middle_name,
        given_name=person.given_name, given_first=person.name_order == NameOrder.GIVEN_FIRST,
        employee_code=person.employee_code, category=person.category,
        position=person.position, unit_code=person.unit.code, status=person.status,
        mail=person.mail if mailbox else "",
        mail_enabled=mailbox and person.status == PersonStatus.ACTIVE,
        mail_aliases=sorted(aliases) if mailbox else [],
        mail_quota_kib=quota_mb * 1024 if mailbox else None,
    )


def people_entries(ids: list[int]) -> dict[int, PersonEntry]:
    """Entries for many people in three queries."""
    aliases: dict[int, list[str]] = defaultdict(list)
    for pid, address in MailAddress.objects.filter(person_id__in=ids, kind=MailAddress.Kind.ALIAS).values_list(
            "person_id", "address"):
        aliases[pid].append(address)
    people = list(Person.objects.select_related("unit").filter(pk__in=ids))
    policy = mail_policies() if people else None
    return {p.pk: person_entry(p, aliases.get(p.pk, []), policy(p.unit_id)) for p in people}


def apply_people(ids: list[int]) -> dict[int, DirectoryError]:
    """Bring these people's entries in line, every operation pipelined: adds for the new ones, then
    reads and modifies for those that already existed (a merger changes tens of thousands). Returns
    the permanent failures by person id."""
    entries = people_entries(ids)
    by_uid = {e.uid: pid for pid, e in entries.items()}
    failed = bulk.people_put_pipelined(list(entries.values()))
    return {by_uid[u]: exc for u, exc in failed.items() if u in by_uid}


def apply_person_changes(ids_by_kind: dict[str, list[int]]) -> dict[tuple[str, int], Exception]:
    """The outbox's applier for people, in pipelined batches of 2,000."""
    people = list(dict.fromkeys(ids_by_kind.get("person", [])))  # a person queued twice is written once
    failures: dict[tuple[str, int], Exception] = {}
    for start in range(0, len(people), 2000):
        failures.update({("person", pk): exc for pk, exc in apply_people(people[start:start + 2000]).items()})
    return failures
