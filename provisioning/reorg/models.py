from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from provisioning.units.models import Unit, UnitKind


class UnitPlan(models.Model):
    """A planned change of the tree. A merger moves the people and units below each source unit to the
    target (an existing unit, or a new one the plan creates), then closes the sources."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("merger")
        DISSOLVE = "dissolve", _("dissolution into the parent units")

    class Status(models.TextChoices):
        DRAFT = "draft", _("planned")
        APPLYING = "applying", _("being applied")
        APPLIED = "applied", _("applied")
        CANCELLED = "cancelled", _("cancelled")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.MERGE)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    effective = models.DateField(_("effective date"))
    sources = models.ManyToManyField(Unit, related_name="+", verbose_name=_("units merged"))
    target = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("into"))
    # a new target unit, created when the plan is applied
    new_code = models.CharField(_("new unit code"), max_length=35, blank=True)
    new_name = models.CharField(_("new unit name"), max_length=255, blank=True)
    new_kind = models.CharField(_("new unit kind"), max_length=16, choices=UnitKind.choices, blank=True)
    new_parent = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    new_domain = models.CharField(_("new unit mail domain"), max_length=253, blank=True)
    note = models.CharField(_("decision or reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveIntegerField(default=0)  # people and units moved so far

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:  # the audit trail's label
        return f"plan {self.pk}: {self.kind} on {self.effective.isoformat()}"
