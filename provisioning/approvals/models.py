from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from provisioning.people.models import Person


class ApprovalRequest(models.Model):
    """The one request -> decision mechanism: something asked for about a person, decided by a
    unit head over that person's unit, never by whoever asked nor by the person concerned
    (AC-06). Each kind (quota requests today, certificate requests next) adds its own fields and
    decides through provisioning.approvals.services.decide."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the unit head")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="%(class)ss")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class QuotaRequest(ApprovalRequest):
    """A larger mailbox quota, asked for by the person or their HR officer."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="quota_requests")
    requested_mb = models.PositiveIntegerField(_("requested quota (MB)"))
    reason = models.CharField(_("reason"), max_length=500)

    class Meta(ApprovalRequest.Meta):
        pass
