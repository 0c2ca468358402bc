from __future__ import annotations

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from provisioning.common import naming
from provisioning.common.collation import name_key
from provisioning.common.naming import NameOrder, display_name
from provisioning.units.models import Unit


class PersonStatus(models.TextChoices):
    STAGED = "staged", _("staged")
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    LEFT = "left", _("left")


class PersonCategory(models.TextChoices):
    CAN_BO = "can_bo", _("cán bộ (elected official)")
    CONG_CHUC = "cong_chuc", _("công chức (civil servant)")
    VIEN_CHUC = "vien_chuc", _("viên chức (public employee)")
    HOP_DONG = "hop_dong", _("hợp đồng (contract)")


class Person(models.Model):
    """A civil servant as HR knows them. Their credentials live only in the directory."""

    uid = models.CharField(_("user name"), max_length=32, unique=True)
    employee_code = models.CharField(_("employee code"), max_length=64, unique=True)
    family_name = models.CharField(_("family name"), max_length=64, blank=True)  # empty: a one-word name
    middle_name = models.CharField(_("middle name"), max_length=128, blank=True)
    given_name = models.CharField(_("given name"), max_length=64)
    name_order = models.CharField(_("name order"), max_length=16, choices=NameOrder.choices,
                                  default=NameOrder.FAMILY_FIRST)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people")
    position = models.CharField(_("position"), max_length=255, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=PersonCategory.choices,
                                default=PersonCategory.CONG_CHUC)
    status = models.CharField(_("status"), max_length=16, choices=PersonStatus.choices, default=PersonStatus.STAGED)
    mail = models.EmailField(_("official email"), max_length=254, unique=True, null=True, blank=True)
    # contact points on file, for activation and password reset (personal data: PR-01)
    personal_email = models.EmailField(_("personal email"), max_length=254, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=16, blank=True, help_text=_("E.164, e.g. +84912345678"))
    # set when the person proved they receive mail/SMS there (a code sent to it was entered back); an
    # import or an HR edit that changes the value clears it. Reset codes go by SMS only to a verified phone (RS-16).
    personal_email_verified_at = models.DateTimeField(_("personal email verified at"), null=True, blank=True)
    phone_verified_at = models.DateTimeField(_("mobile phone verified at"), null=True, blank=True)
    # CCCD: encrypted at rest; the keyed digest finds duplicates without decrypting (never listed or exported)
    citizen_id_encrypted = models.TextField(blank=True, editable=False)
    citizen_id_digest = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    class MailboxDecision(models.TextChoices):
        POLICY = "", _("as the unit's policy says")
        ISSUED = "issued", _("issued")
        WITHHELD = "withheld", _("withheld")

    mailbox_decision = models.CharField(_("mailbox"), max_length=16, blank=True, choices=MailboxDecision.choices)
    quota_mb = models.PositiveIntegerField(_("mailbox quota (MB)"), null=True, blank=True,
                                           help_text=_("Leave empty for the unit's default."))
    senior = models.BooleanField(_("department director or above"), default=False,
                                 help_text=_("Leavers' mailboxes are kept longer for senior officials."))
    name_warning = models.CharField(_("name warning"), max_length=255, blank=True)
    # " word word ": names, uid, code and address local part folded to ASCII lower case, each word
    # after a space so a search matches word starts ("nguyen tien hoang" finds Nguyễn Tiến Hoàng)
    search_text = models.CharField(max_length=600, blank=True, editable=False)
    # Vietnamese order (given, family, middle name) as a plain [0-9a-z] string: provisioning.common.collation
    sort_key = models.CharField(max_length=600, blank=True, editable=False)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    mailbox_kept_until = models.DateField(_("mailbox kept until"), null=True, blank=True)
    mailbox_removed_on = models.DateField(_("mailbox removed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["sort_key", "uid"]
        # the staff list sorts by name: an index in that order makes any page a walk, not a sort
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["status", "sort_key"]),
                   models.Index(fields=["sort_key", "uid"], name="person_sort_order")]
        # codes are stored upper case (validation.normalise_employee_code); this keeps "nv001" and "NV001"
        # one person even for a row written some other way
        constraints = [models.UniqueConstraint(Upper("employee_code"), name="person_employee_code_ci_unique")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.uid})"

    @property
    def full_name(self) -> str:
        return display_name(self.family_name, self.middle_name, self.given_name, self.name_order)

    def searchable(self) -> str:
        return naming.search_text(family=self.family_name, middle=self.middle_name, given=self.given_name,
                                  uid=self.uid, employee_code=self.employee_code, mail=self.mail)

    def collation_key(self) -> str:
        return name_key(self.family_name, self.middle_name, self.given_name)[:600]


class PersonPeriod(models.Model):
    """Where a person was and in which status, from ``valid_from`` until the day before ``valid_to``
    (open: still so). A new period starts whenever the unit or the status changes, on the day it
    took effect, so "as of a date" figures (reports, the tree before and after a merge) read the
    person's unit and status exactly, not reconstructed from the audit trail."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="periods")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="person_periods")
    status = models.CharField(max_length=16, choices=PersonStatus.choices)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["person", "valid_from", "pk"]
        indexes = [models.Index(fields=["valid_from", "valid_to"], name="period_span"),
                   models.Index(fields=["unit", "status"], name="period_unit_status")]
        constraints = [models.UniqueConstraint(fields=["person"], condition=models.Q(valid_to__isnull=True),
                                               name="one_open_period_per_person")]


class MailAddress(models.Model):
    """Every address ever given out. An address stays here for good, so it is never handed to
    someone else (mail for a former official never reaches a new person)."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", _("primary address")
        ALIAS = "alias", _("alias")
        LIST = "list", _("distribution list")
        FUNCTIONAL = "functional", _("functional mailbox")

    address = models.CharField(_("address"), max_length=254, unique=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="addresses")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="list_addresses")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["address"]


def has_mailbox(person: Person, policy) -> bool:
    """A mailbox when HR issued one, or when the unit's policy covers the person's category
    (unless HR withheld it); never after the retention period removed it."""
    if not person.mail or person.mailbox_removed_on is not None:
        return False
    if person.mailbox_decision:
        return person.mailbox_decision == Person.MailboxDecision.ISSUED
    return policy.categories is None or person.category in policy.categories
