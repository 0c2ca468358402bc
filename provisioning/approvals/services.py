from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scopes import covers
from provisioning.approvals.models import ApprovalRequest, QuotaRequest
from provisioning.audit.services import audit_record
from provisioning.mailboxes.services import MAX_QUOTA_MB, effective_quota_mb
from provisioning.outbox.models import DirectoryChange
from provisioning.outbox.services import directory_change_enqueue_many
from provisioning.people.models import Person

R = TypeVar("R", bound=ApprovalRequest)


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


def may_decide(user, request: ApprovalRequest) -> bool:
    """A unit head over the person's unit (or above), never the person who asked, nor the
    person the request is about."""
    if user.pk == request.requested_by_id or user.get_username() == request.person.uid:
        return False
    return covers(user, Role.UNIT_HEAD, request.person.unit.path)


def decide(*, actor, request: R, approve: bool, note: str = "", on_approve: Callable[[R], None]) -> R:
    """Record a decision on a pending request of any kind, once: the row is locked, a request
    already decided is refused, and only someone who may decide can. `on_approve` applies
    what was asked for, in the same transaction. Call inside transaction.atomic."""
    request = type(request).objects.select_for_update().select_related("person__unit").get(pk=request.pk)
    if request.status != ApprovalRequest.Status.PENDING:
        raise ValidationError(_("This request was already decided."))
    if not may_decide(actor, request):
        raise PermissionDenied
    request.status = ApprovalRequest.Status.APPROVED if approve else ApprovalRequest.Status.REFUSED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), (note or "")[:500]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        on_approve(request)
    return request


@transaction.atomic
def quota_request_decide(*, actor, request: QuotaRequest, approve: bool, note: str = "") -> QuotaRequest:
    before: dict = {}

    def set_quota(req: QuotaRequest) -> None:
        person = req.person
        person.quota_mb = req.requested_mb
        person.save(update_fields=["quota_mb", "updated_at"])
        directory_change_enqueue_many(kind=DirectoryChange.Kind.PERSON, object_ids=[person.pk])

    before["quota_mb"] = request.person.quota_mb
    request = decide(actor=actor, request=request, approve=approve, note=note, on_approve=set_quota)
    audit_record(actor=actor, action="mailbox.quota_approved" if approve else "mailbox.quota_refused",
                 target=request.person, before=before,
                 after={"quota_mb": request.person.quota_mb, "request": request.pk})
    return request
