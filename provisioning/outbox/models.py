from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DirectoryChange(models.Model):
    """The outbox: "make the directory entry of this object match SQL". Written in the same
    transaction as the change; applied by a worker; re-sent by the sweeper until applied."""

    class Kind(models.TextChoices):
        UNIT = "unit", _("unit")
        PERSON = "person", _("person")
        FUNCTIONAL = "functional", _("functional mailbox")
        PERSON_CERTIFICATES = "person_certs", _("a person's certificates")
        UNIT_CERTIFICATES = "unit_certs", _("a unit's certificates")
        APPLICATION = "application", _("application")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        RUNNING = "running", _("running")
        APPLIED = "applied", _("applied")
        FAILED = "failed", _("failed")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_id = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claim = models.CharField(max_length=32, blank=True)  # which worker run holds a running row
    # enqueued by a bulk operation (an import, many rows at once): applied from their own queue,
    # after any interactive change, so that one person's suspension never waits behind an import
    bulk = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["kind", "object_id", "status"])]
