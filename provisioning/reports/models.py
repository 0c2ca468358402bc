from __future__ import annotations

from django.db import models

from provisioning.units.models import Unit


class UnitSnapshot(models.Model):
    """One unit's own figures on one day (its people only, not its subtree: a subtree is summed when
    read, so a unit moved or merged later still adds up under whatever tree is shown). Rebuilt by the
    daily task; ``snapshot_build(day)`` is idempotent."""

    day = models.DateField(db_index=True)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="snapshots")
    staff = models.PositiveIntegerField(default=0)  # active people
    mailbox = models.PositiveIntegerField(default=0)  # of them, with a mailbox issued
    regular = models.PositiveIntegerField(default=0)  # of them, a user login within the window
    personal_cert = models.PositiveIntegerField(default=0)  # of them, a valid personal certificate
    org_cert = models.BooleanField(default=False)  # the unit holds a valid organisational certificate
    pending = models.PositiveIntegerField(default=0)  # requests waiting for a decision

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "unit"], name="one_snapshot_per_unit_day")]
