from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnly(Exception):
    """An audit entry was about to be changed or deleted."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit entries cannot be changed")

    def delete(self):
        raise AppendOnly("audit entries cannot be deleted (old ones expire through audit_expire)")

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if any(not o.hash for o in objs):
            raise AppendOnly("audit entries are saved through audit_record/audit_save_all, which chain them")
        return super().bulk_create(objs, *args, **kwargs)

    def _expire(self) -> int:
        """Only for audit_expire, which moves the chain's anchor past what it deletes."""
        return super().delete()[0]


class AuditEntry(models.Model):
    """Who changed what, when, from where, with the state before and after and the reason given
    (LG-04). Append-only and chained by hash (see chain.py): saved once, never changed or deleted
    except by the retention task."""

    # chain order, assigned under the chain head's lock in the transaction of the change
    seq = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # no database constraint and no SET_NULL: deleting a user must not rewrite (and so break) history
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                              db_constraint=False, related_name="+")
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=32)
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=255, blank=True)
    # the unit the entry is about (a person's unit at the time, the unit itself): who may read it
    unit = models.ForeignKey("provisioning.Unit", null=True, blank=True, on_delete=models.DO_NOTHING,
                             db_constraint=False, related_name="+")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def save(self, *args, **kwargs):
        # an invariant, not behaviour: the services chain an entry; nothing may rewrite one
        if not self._state.adding:
            raise AppendOnly("audit entries cannot be changed")
        if not self.hash:
            raise AppendOnly("audit entries are saved through audit_record, which chains them")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries cannot be deleted")


class AuditChainHead(models.Model):
    """One row: the last entry's place and hash. Writers lock it to take the next places, so the chain
    stays one line however many transactions write at once."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
