"""Render SQL state as directory entries and make the directory match (state, not deltas: a
row applied twice, or late, still leaves the directory equal to SQL)."""

from __future__ import annotations

from collections import defaultdict

from directory import bulk, gateway
from directory.entries import PersonEntry, UnitEntry
from directory.errors import DirectoryError
from provisioning.models import MailAddress, Person, PersonStatus, Unit
from provisioning.units import MailPolicy, mail_policies, unit_ancestors, unit_mail_policy, unit_resolved_settings


def unit_entry(unit: Unit, ancestors: list[Unit]) -> tuple[UnitEntry, list[str]]:
    domain, _rule = unit_resolved_settings(unit, ancestors)
    entry = UnitEntry(code=unit.code, name=unit.name, kind=unit.kind, mail_domain=domain,
                      parent_code=ancestors[-1].code if ancestors else None)
    return entry, [a.code for a in ancestors] + [unit.code]


def has_mailbox(person: Person, policy: MailPolicy) -> bool:
    """A mailbox when HR issued one, or when the unit's policy covers the person's category
    (unless HR withheld it); never after the retention period removed it."""
    if not person.mail or person.mailbox_removed_on is not None:
        return False
    if person.mailbox_decision:
        return person.mailbox_decision == Person.MailboxDecision.ISSUED
    return policy.categories is None or person.category in policy.categories


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
        given_name=person.given_name, employee_code=person.employee_code, category=person.category,
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


def apply_unit(unit: Unit) -> None:
    ancestors = unit_ancestors(unit)
    for i, a in enumerate(ancestors):  # parents must exist first; "make it so" is cheap when they do
        if gateway.read(gateway.unit_dn([x.code for x in ancestors[: i + 1]]), ["1.1"]) is None:
            entry, path = unit_entry(a, ancestors[:i])
            gateway.unit_put(entry, path)
    entry, path = unit_entry(unit, ancestors)
    gateway.unit_put(entry, path)


def list_name(unit: Unit) -> str:
    return f"list-{unit.code}"


def apply_unit_list(unit: Unit) -> None:
    """Make the unit's distribution list hold exactly the active people with a mailbox in the
    unit and below (or remove the list when the unit has none)."""
    if not unit.list_address:
        # a unit that never had a list (nearly all) costs no LDAP round trip
        if MailAddress.objects.filter(unit=unit, kind=MailAddress.Kind.LIST).exists():
            gateway.group_delete(list_name(unit))
        return
    policy = mail_policies()
    members = [p.uid for p in Person.objects.filter(unit__path__startswith=unit.path, status=PersonStatus.ACTIVE,
                                                    mail__isnull=False, mailbox_removed_on__isnull=True)
               if has_mailbox(p, policy(p.unit_id))]
    aliases = list(MailAddress.objects.filter(unit=unit, kind=MailAddress.Kind.LIST)
                   .exclude(address=unit.list_address).values_list("address", flat=True))
    gateway.mail_list_put(list_name(unit), description=unit.name, address=unit.list_address, aliases=aliases,
                          member_uids=members)


def apply_lists_above(unit_paths: set[str]) -> None:
    """Recompute every list whose unit contains one of these units."""
    if not unit_paths:
        return
    for unit in Unit.objects.exclude(list_address=""):
        if any(p.startswith(unit.path) for p in unit_paths):
            apply_unit_list(unit)


def apply_units(ids: list[int]) -> dict[int, DirectoryError]:
    failed = {}
    for unit in Unit.objects.filter(pk__in=ids).order_by("depth"):
        try:
            apply_unit(unit)
            apply_unit_list(unit)
        except DirectoryError as exc:
            if exc.transient:
                raise
            failed[unit.pk] = exc
    return failed


def apply_people(ids: list[int]) -> dict[int, DirectoryError]:
    """Bring these people's entries in line: pipelined adds for the new ones, then "make it
    so" for those that already existed. Returns the permanent failures by person id."""
    entries = people_entries(ids)
    by_uid = {e.uid: pid for pid, e in entries.items()}
    existing, failed = bulk.people_add_pipelined(list(entries.values()))
    out = {by_uid[u]: exc for u, exc in failed.items() if u in by_uid}
    for uid in existing:
        try:
            gateway.person_put(entries[by_uid[uid]])
        except DirectoryError as exc:
            if exc.transient:
                raise
            out[by_uid[uid]] = exc
    apply_lists_above(set(Unit.objects.filter(people__pk__in=ids).values_list("path", flat=True)))
    return out


def apply_functional(ids: list[int]) -> dict[int, DirectoryError]:
    """Functional mailboxes and their delegates; a delegate who is not active is left out."""
    from provisioning.models import FunctionalMailbox

    failed = {}
    for fm in FunctionalMailbox.objects.filter(pk__in=ids).select_related("unit").prefetch_related("delegates"):
        try:
            quota = unit_mail_policy(fm.unit).default_quota_mb
            gateway.functional_put(address=fm.address, name=fm.name, quota_kib=(fm.quota_mb or quota) * 1024,
                                   enabled=fm.active,
                                   delegate_uids=[p.uid for p in fm.delegates.all() if p.status == PersonStatus.ACTIVE])
        except DirectoryError as exc:
            if exc.transient:
                raise
            failed[fm.pk] = exc
    return failed
