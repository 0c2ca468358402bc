from __future__ import annotations

from django.db import models

from provisioning.units.models import Unit


class UnitSnapshot(models.Model):
    """One unit's figures on one day: its own people, and its subtree as the tree stood that day.
    Rebuilt by the task; ``snapshot_build(day)`` is idempotent."""

    day = models.DateField(db_index=True)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="snapshots")
    # the unit's kind and its top-level unit (the province) that day: the province-wide ranking compares
    # the units of one kind under one province, as the tree stood that day
    kind = models.CharField(max_length=16, blank=True, default="")
    root = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    staff = models.PositiveIntegerField(default=0)  # active people
    mailbox = models.PositiveIntegerField(default=0)  # of them, with a mailbox issued
    regular = models.PositiveIntegerField(default=0)  # of them, a user login within the window
    personal_cert = models.PositiveIntegerField(default=0)  # of them, a valid personal certificate
    org_cert = models.BooleanField(default=False)  # the unit holds a valid organisational certificate
    pending = models.PositiveIntegerField(default=0)  # quota and certificate requests waiting for a decision
    org_certs = models.PositiveIntegerField(default=0)  # valid organisational certificates the unit holds
    # mailbox use, of the people counted in ``mailbox`` (the latest usage collected on or before the day)
    never_logged_in = models.PositiveIntegerField(default=0)
    inactive_30 = models.PositiveIntegerField(default=0)  # no login in the 30 days before (never included)
    inactive_90 = models.PositiveIntegerField(default=0)
    bytes_used = models.BigIntegerField(default=0)
    quota_bytes = models.BigIntegerField(default=0)
    # the same, summed over the unit's subtree as the tree stood that day (so a page reads one row per unit)
    sub_staff = models.PositiveIntegerField(default=0)
    sub_mailbox = models.PositiveIntegerField(default=0)
    sub_regular = models.PositiveIntegerField(default=0)
    sub_personal_cert = models.PositiveIntegerField(default=0)
    sub_pending = models.PositiveIntegerField(default=0)
    sub_org_certs = models.PositiveIntegerField(default=0)
    sub_never_logged_in = models.PositiveIntegerField(default=0)
    sub_inactive_30 = models.PositiveIntegerField(default=0)
    sub_inactive_90 = models.PositiveIntegerField(default=0)
    sub_bytes_used = models.BigIntegerField(default=0)
    sub_quota_bytes = models.BigIntegerField(default=0)
    sub_units = models.PositiveIntegerField(default=1)
    sub_org_cert_units = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "unit"], name="one_snapshot_per_unit_day")]
        indexes = [models.Index(fields=["day", "kind"], name="snapshot_day_kind")]
