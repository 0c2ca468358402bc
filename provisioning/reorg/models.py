from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from provisioning.units.models import Unit, UnitKind


class UnitPlan(models.Model):
    """A planned change of the tree. A merger moves the people and units below each source unit to the
    target (an existing unit, or a new one the plan creates), then closes the sources; a split shares
    one unit's people and units among several (``parts``, ``assignments``) and closes it; a renaming
    gives a unit a new legal name; a re-parenting moves units under another parent (``new_parent``)."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("merger")
        DISSOLVE = "dissolve", _("dissolution into the parent units")
        SPLIT = "split", _("split")
        RENAME = "rename", _("renaming")
        REPARENT = "reparent", _("move under another parent")

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
    # how long the old addresses keep delivering after the plan; empty: IDM_REORG_ALIAS_DAYS
    alias_days = models.PositiveIntegerField(_("old addresses kept for (days)"), null=True, blank=True)
    # a split's parts: [{"code", "name", "kind", "existing": bool, "positions": [...], "units": [codes],
    # "default": bool}] and the spreadsheet's assignments {employee code: part code}
    parts = models.JSONField(default=list, blank=True)
    assignments = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveIntegerField(default=0)  # people and units moved so far

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:  # the audit trail's label
        return f"plan {self.pk}: {self.kind} on {self.effective.isoformat()}"


class PlanAlias(models.Model):
    """An old address a plan kept delivering as an alias of a person's new one, until ``expires_on``;
    then the periodic task takes it out of the directory (the address itself stays reserved)."""

    plan = models.ForeignKey(UnitPlan, on_delete=models.PROTECT, related_name="aliases")
    person = models.ForeignKey("provisioning.Person", on_delete=models.PROTECT, related_name="+")
    address = models.CharField(max_length=254, unique=True)
    expires_on = models.DateField(db_index=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["expires_on", "address"]
