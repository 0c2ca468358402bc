"""What HR knows (SQL owns it): units and their history, people, the audit trail, and the outbox
of changes the directory must receive."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from provisioning.common.naming import NamingRule, validate_visible

unit_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,34}$",
    _("A unit code has 1 to 35 characters: letters, digits, '.', '_' or '-', starting with a letter or digit."),
)


domain_validator = RegexValidator(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    _("Enter a mail domain such as quangtri.gov.vn (lower case, no spaces)."),
)


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("province")
    DEPARTMENT = "department", _("department")
    DIVISION = "division", _("division")
    DISTRICT = "district", _("district")
    COMMUNE = "commune", _("commune")
    AGENCY = "agency", _("agency")
    SCHOOL = "school", _("school")
    HOSPITAL = "hospital", _("hospital")


class Unit(models.Model):
    """A node of the organisation tree, as it is today. Its history is in UnitVersion."""

    code = models.CharField(_("unit code"), max_length=35, unique=True, validators=[unit_code_validator])
    name = models.CharField(_("name"), max_length=255, validators=[validate_visible])
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey("self", verbose_name=_("parent unit"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    mail_domain = models.CharField(_("mail domain"), max_length=253, blank=True, validators=[domain_validator],
                                   help_text=_("Leave empty to inherit the parent unit's domain."))
    naming_rule = models.CharField(_("address rule"), max_length=32, blank=True, choices=NamingRule.choices,
                                   help_text=_("Leave empty to inherit the parent unit's rule."))
    # who gets a mailbox: "all", "none", or categories separated by commas; empty inherits
    mailbox_policy = models.CharField(_("mailbox policy"), max_length=64, blank=True)
    default_quota_mb = models.PositiveIntegerField(_("default mailbox quota (MB)"), null=True, blank=True,
                                                   help_text=_("Leave empty to inherit the parent unit's quota."))
    # default quotas by category, e.g. {"vien_chuc": 512}; a category not listed inherits
    category_quota_mb = models.JSONField(_("default quota by category (MB)"), default=dict, blank=True)
    # the unit's distribution list (everyone with a mailbox in the unit and below), e.g. "sotaichinh@..."
    list_address = models.CharField(_("distribution list address"), max_length=254, blank=True)
    # materialised path of ids, "/1/5/23/": a subtree is one indexed prefix query
    path = models.CharField(max_length=1024, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    valid_from = models.DateField(_("in effect since"))
    # set when the unit was closed (merged into another, dissolved): it is out of the tree from that day on
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(x) for x in self.path.strip("/").split("/") if x][:-1]


class UnitVersion(models.Model):
    """One period of a unit's life: its name, kind, parent and every setting from valid_from until
    valid_to (exclusive; open-ended when null). Never deleted: the tree as of any past date is
    the set of versions valid on that date."""

    class Change(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")
        RENAMED = "renamed", _("renamed")
        MOVED = "moved", _("moved")
        CLOSED = "closed", _("closed")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="versions")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mail_domain = models.CharField(max_length=253, blank=True)
    naming_rule = models.CharField(max_length=32, blank=True)
    # every other setting, so a past date's mail policy, quotas and list address can be read too
    mailbox_policy = models.CharField(max_length=64, blank=True)
    default_quota_mb = models.PositiveIntegerField(null=True, blank=True)
    category_quota_mb = models.JSONField(default=dict, blank=True)
    list_address = models.CharField(max_length=254, blank=True)
    change = models.CharField(max_length=16, choices=Change.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "valid_from"], name="unit_version_once_per_day"),
            models.UniqueConstraint(fields=["unit"], condition=Q(valid_to__isnull=True), name="unit_one_open_version"),
        ]
