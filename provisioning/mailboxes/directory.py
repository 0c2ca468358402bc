from __future__ import annotations

from directory import gateway
from provisioning.mailboxes.models import FunctionalMailbox
from provisioning.outbox.appliers import permanent_failures
from provisioning.people.models import MailAddress, Person, PersonStatus, has_mailbox
from provisioning.units.models import Unit
from provisioning.units.selectors import mail_policies, unit_mail_policy


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
                          member_uids=members, unit_code=unit.code)


def apply_lists_above(unit_paths: set[str]) -> None:
    """Recompute every list whose unit contains one of these units."""
    if not unit_paths:
        return
    for unit in Unit.objects.exclude(list_address=""):
        if any(p.startswith(unit.path) for p in unit_paths):
            apply_unit_list(unit)


def functional_put(fm: FunctionalMailbox) -> None:
    """A functional mailbox and its delegates; a delegate who is not active is left out."""
    quota = unit_mail_policy(fm.unit).default_quota_mb
    gateway.functional_put(address=fm.address, name=fm.name, quota_kib=(fm.quota_mb or quota) * 1024,
                           enabled=fm.active,
                           delegate_uids=[p.uid for p in fm.delegates.all() if p.status == PersonStatus.ACTIVE],
                           unit_code=fm.unit.code)


def apply_functional(ids: list[int]) -> dict[int, Exception]:
    mailboxes = FunctionalMailbox.objects.filter(pk__in=ids).select_related("unit").prefetch_related("delegates")
    return permanent_failures(mailboxes, functional_put, key=lambda fm: fm.pk)


def apply_list_changes(ids_by_kind: dict[str, list[int]]) -> dict[tuple[str, int], Exception]:
    """The outbox's applier for distribution lists: a changed unit's own list, and every list
    above a changed person (after units and people, so the members exist)."""
    units = Unit.objects.filter(pk__in=ids_by_kind.get("unit", [])).order_by("depth")
    failures = {("unit", pk): exc for pk, exc in permanent_failures(units, apply_unit_list, key=lambda u: u.pk).items()}
    people = ids_by_kind.get("person", [])
    if people:
        apply_lists_above(set(Unit.objects.filter(people__pk__in=people).values_list("path", flat=True)))
    return failures


def apply_functional_changes(ids_by_kind: dict[str, list[int]]) -> dict[tuple[str, int], Exception]:
    return {("functional", pk): exc for pk, exc in apply_functional(ids_by_kind.get("functional", [])).items()}
