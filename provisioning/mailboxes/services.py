"""Mailbox exceptions: a larger quota by request, approved by the unit head."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from provisioning.audit.services import audit_record
from provisioning.mailboxes.models import FunctionalMailbox
from provisioning.outbox.models import DirectoryChange
from provisioning.outbox.services import directory_change_enqueue_many
from provisioning.people.models import MailAddress, Person
from provisioning.units.models import Unit
from provisioning.units.selectors import unit_mail_policy, unit_resolved_settings
from provisioning.units.services import unit_version_record

MAX_QUOTA_MB = 100 * 1024


def effective_quota_mb(person: Person) -> int:
    return person.quota_mb or unit_mail_policy(person.unit).quota_for(person.category)


LOCAL_PART_RE = __import__("re").compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


@transaction.atomic
def unit_set_list(*, actor, unit, local_part: str):
    """Give a unit a distribution list at local_part@<its domain>. Addresses are unique across
    people, aliases and lists; an earlier list address stays with the list as an alias."""

    local_part = (local_part or "").strip().lower()
    if not LOCAL_PART_RE.match(local_part):
        raise ValidationError({"list_address": [_("Use lower-case letters, digits, '.', '_' or '-' (at most 64).")]})
    domain, _rule = unit_resolved_settings(unit)
    address = f"{local_part}@{domain}"
    owner = MailAddress.objects.filter(address=address).first()
    if owner is not None and owner.unit_id != unit.pk:
        raise ValidationError({"list_address": [_("%(address)s is already used by someone else; choose another.")
                                                % {"address": address}]})
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = unit.list_address
    if owner is None:
        MailAddress.objects.create(address=address, unit=unit, kind=MailAddress.Kind.LIST)
    unit.list_address = address
    unit.save(update_fields=["list_address", "updated_at"])
    unit_version_record(actor=actor, unit=unit)  # the unit's history keeps its list address
    audit_record(actor=actor, action="unit.list_set", target=unit, before={"list_address": before},
                 after={"list_address": address})
    directory_change_enqueue_many(kind=DirectoryChange.Kind.UNIT, object_ids=[unit.pk])
    return unit


@transaction.atomic
def functional_create(*, actor, unit, local_part: str, name: str, delegates=()):
    """A functional mailbox of the unit at local_part@<its domain>, unique across every address."""

    local_part = (local_part or "").strip().lower()
    if not LOCAL_PART_RE.match(local_part):
        raise ValidationError({"local_part": [_("Use lower-case letters, digits, '.', '_' or '-' (at most 64).")]})
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": [_("This field is required.")]})
    domain, _rule = unit_resolved_settings(unit)
    address = f"{local_part}@{domain}"
    if MailAddress.objects.filter(address=address).exists():
        raise ValidationError({"local_part": [_("%(address)s is already used by someone else; choose another.")
                                              % {"address": address}]})
    fm = FunctionalMailbox.objects.create(unit=unit, address=address, name=name[:255])
    MailAddress.objects.create(address=address, unit=unit, kind=MailAddress.Kind.FUNCTIONAL)
    fm.delegates.set(delegates)
    audit_record(actor=actor, action="mailbox.functional_created", target=fm,
                 after={"address": address, "delegates": sorted(p.uid for p in delegates)})
    directory_change_enqueue_many(kind=DirectoryChange.Kind.FUNCTIONAL, object_ids=[fm.pk])
    return fm


@transaction.atomic
def functional_set_delegates(*, actor, mailbox, delegates) -> None:
    before = sorted(mailbox.delegates.values_list("uid", flat=True))
    mailbox.delegates.set(delegates)
    audit_record(actor=actor, action="mailbox.delegates_changed", target=mailbox, before={"delegates": before},
                 after={"delegates": sorted(p.uid for p in delegates)})
    directory_change_enqueue_many(kind=DirectoryChange.Kind.FUNCTIONAL, object_ids=[mailbox.pk])
