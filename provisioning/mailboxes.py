"""Mailbox exceptions: a larger quota by request, approved by the unit head."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scopes import role_units
from provisioning.audit import audit_record
from provisioning.models import DirectoryChange, Person, QuotaRequest
from provisioning.outbox import directory_change_enqueue_many
from provisioning.units import unit_mail_policy

MAX_QUOTA_MB = 100 * 1024


def effective_quota_mb(person: Person) -> int:
    return person.quota_mb or unit_mail_policy(person.unit).quota_for(person.category)


@transaction.atomic
def quota_request_create(*, actor, person: Person, requested_mb: int, reason: str) -> QuotaRequest:
    reason = " ".join((reason or "").split())
    current = effective_quota_mb(person)
    if not reason:
        raise ValidationError({"reason": [_("Say why the larger quota is needed.")]})
    if requested_mb <= current:
        raise ValidationError({"requested_mb": [_("Ask for more than the current %(mb)s MB.") % {"mb": current}]})
    if requested_mb > MAX_QUOTA_MB:
        raise ValidationError({"requested_mb": [_("At most %(mb)s MB.") % {"mb": MAX_QUOTA_MB}]})
    if person.quota_requests.filter(status=QuotaRequest.Status.PENDING).exists():
        raise ValidationError(_("A request for this mailbox is already waiting for the unit head."))
    request = QuotaRequest.objects.create(person=person, requested_mb=requested_mb, reason=reason[:500],
                                          requested_by=actor)
    audit_record(actor=actor, action="mailbox.quota_requested", target=person,
                 after={"requested_mb": requested_mb, "current_mb": current})
    return request


def may_decide(user, request: QuotaRequest) -> bool:
    """The unit head of the person's unit (or above), never the person who asked, nor the
    person whose mailbox it is."""
    if user.pk == request.requested_by_id or user.get_username() == request.person.uid:
        return False
    paths = role_units(user, Role.UNIT_HEAD)
    return paths is None or any(request.person.unit.path.startswith(p) for p in paths)


@transaction.atomic
def quota_request_decide(*, actor, request: QuotaRequest, approve: bool, note: str = "") -> QuotaRequest:
    request = QuotaRequest.objects.select_for_update().select_related("person__unit").get(pk=request.pk)
    if request.status != QuotaRequest.Status.PENDING:
        raise ValidationError(_("This request was already decided."))
    if not may_decide(actor, request):
        raise PermissionDenied
    request.status = QuotaRequest.Status.APPROVED if approve else QuotaRequest.Status.REFUSED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note[:500]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    person = request.person
    before = {"quota_mb": person.quota_mb}
    if approve:
        person.quota_mb = request.requested_mb
        person.save(update_fields=["quota_mb", "updated_at"])
        directory_change_enqueue_many(kind=DirectoryChange.Kind.PERSON, object_ids=[person.pk])
    audit_record(actor=actor, action="mailbox.quota_approved" if approve else "mailbox.quota_refused",
                 target=person, before=before, after={"quota_mb": person.quota_mb, "request": request.pk})
    return request


LOCAL_PART_RE = __import__("re").compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


@transaction.atomic
def unit_set_list(*, actor, unit, local_part: str):
    """Give a unit a distribution list at local_part@<its domain>. Addresses are unique across
    people, aliases and lists; an earlier list address stays with the list as an alias."""
    from provisioning.models import MailAddress, Unit
    from provisioning.units import unit_resolved_settings

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
    audit_record(actor=actor, action="unit.list_set", target=unit, before={"list_address": before},
                 after={"list_address": address})
    directory_change_enqueue_many(kind=DirectoryChange.Kind.UNIT, object_ids=[unit.pk])
    return unit


@transaction.atomic
def functional_create(*, actor, unit, local_part: str, name: str, delegates=()):
    """A functional mailbox of the unit at local_part@<its domain>, unique across every address."""
    from provisioning.models import FunctionalMailbox, MailAddress
    from provisioning.units import unit_resolved_settings

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
