"""What HR knows (SQL owns it): units and their history, people, the audit trail, and the outbox
of changes the directory must receive."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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


class NamingRule(models.TextChoices):
    GIVEN_INITIALS = "given_initials", _("given name + initials (hoangnt)")
    INITIALS_GIVEN = "initials_given", _("initials + given name (nthoang)")
    GIVEN_DOT_FAMILY = "given_dot_family", _("given name . family name (hoang.nguyen)")


class Unit(models.Model):
    """A node of the organisation tree, as it is today. Its history is in UnitVersion."""

    code = models.CharField(_("unit code"), max_length=35, unique=True, validators=[unit_code_validator])
    name = models.CharField(_("name"), max_length=255)
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
    """One period of a unit's life: its name, kind, parent and settings from valid_from until
    valid_to (exclusive; open-ended when null). Never deleted: the tree as of any past date is
    the set of versions valid on that date."""

    class Change(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")
        RENAMED = "renamed", _("renamed")
        MOVED = "moved", _("moved")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="versions")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mail_domain = models.CharField(max_length=253, blank=True)
    naming_rule = models.CharField(max_length=32, blank=True)
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
    family_name = models.CharField(_("family name"), max_length=64)
    middle_name = models.CharField(_("middle name"), max_length=128, blank=True)
    given_name = models.CharField(_("given name"), max_length=64)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people")
    position = models.CharField(_("position"), max_length=255, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=PersonCategory.choices,
                                default=PersonCategory.CONG_CHUC)
    status = models.CharField(_("status"), max_length=16, choices=PersonStatus.choices, default=PersonStatus.STAGED)
    mail = models.EmailField(_("official email"), max_length=254, unique=True, null=True, blank=True)
    # contact points on file, for activation and password reset (personal data: PR-01)
    personal_email = models.EmailField(_("personal email"), max_length=254, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=16, blank=True, help_text=_("E.164, e.g. +84912345678"))
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
    # names, uid, code and address folded to ASCII lower case: "nguyen tien hoang" finds Nguyễn Tiến Hoàng
    search_text = models.CharField(max_length=600, blank=True, editable=False)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    mailbox_kept_until = models.DateField(_("mailbox kept until"), null=True, blank=True)
    mailbox_removed_on = models.DateField(_("mailbox removed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["family_name", "given_name", "uid"]
        # the staff list sorts by name: an index in that order makes any page a walk, not a sort
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["status", "family_name"]),
                   models.Index(fields=["family_name", "given_name", "uid"], name="person_name_order")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.uid})"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)

    def searchable(self) -> str:
        from provisioning.naming import fold

        return fold(" ".join((self.full_name, self.uid, self.employee_code, self.mail or "")))[:600]


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


class AuditEntry(models.Model):
    """Who changed what, when, from where, with the state before and after (LG-04)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=32)
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]


class DirectoryChange(models.Model):
    """The outbox: "make the directory entry of this object match SQL". Written in the same
    transaction as the change; applied by a worker; re-sent by the sweeper until applied."""

    class Kind(models.TextChoices):
        UNIT = "unit", _("unit")
        PERSON = "person", _("person")
        FUNCTIONAL = "functional", _("functional mailbox")

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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["kind", "object_id", "status"])]


class ImportBatch(models.Model):
    """One uploaded staff spreadsheet: validated into a preview, then committed row by row."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("checking the file")
        PREVIEW = "preview", _("ready to review")
        COMMITTING = "committing", _("importing")
        DONE = "done", _("finished")
        FAILED = "failed", _("could not be read")

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    scope = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              help_text="the unit subtree the uploader may change; null: the whole province")
    filename = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=64)  # server-generated (IN-07)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALIDATING)
    file_error = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    to_create = models.PositiveIntegerField(default=0)
    to_update = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class ImportRow(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        UNCHANGED = "unchanged", _("unchanged")
        REJECT = "reject", _("reject")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    action = models.CharField(max_length=16, choices=Action.choices)
    employee_code = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)  # the cleaned values (never the citizen ID in clear)
    errors = models.JSONField(default=dict, blank=True)  # field -> [messages]
    warnings = models.JSONField(default=list, blank=True)
    proposed_uid = models.CharField(max_length=32, blank=True)
    proposed_mail = models.CharField(max_length=254, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done = models.BooleanField(default=False)
    outcome_error = models.TextField(blank=True)

    class Meta:
        ordering = ["batch_id", "row_number"]
        indexes = [models.Index(fields=["batch", "action"])]


class UsageCollection(models.Model):
    """One collection of mailbox usage for a day: complete, or partial when the mail server (or
    its Redis) could not be read for everyone — a partial day is never read as zero use."""

    class Status(models.TextChoices):
        COMPLETE = "complete", _("complete")
        PARTIAL = "partial", _("partial")

    day = models.DateField(_("day"), db_index=True)
    source = models.CharField(_("source"), max_length=16)  # "dovecot" or "import"
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    mailboxes = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "-started_at"]


class MailboxUsage(models.Model):
    """A mailbox's figures on a day. Unknown stays NULL: a mailbox whose figures could not be
    read that day has no row, never a row of zeros."""

    day = models.DateField(_("day"))
    address = models.CharField(_("address"), max_length=254)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="usage")
    last_login = models.DateTimeField(_("last login"), null=True, blank=True)  # a user login, never a delivery
    bytes_used = models.BigIntegerField(_("bytes used"), null=True, blank=True)
    quota_bytes = models.BigIntegerField(_("quota (bytes)"), null=True, blank=True)
    messages = models.IntegerField(_("messages"), null=True, blank=True)
    messages_sent = models.IntegerField(null=True, blank=True)
    messages_received = models.IntegerField(null=True, blank=True)
    source = models.CharField(max_length=16)
    collected_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "address"]
        constraints = [models.UniqueConstraint(fields=["day", "address"], name="usage_once_a_day")]
        indexes = [models.Index(fields=["person", "day"])]


class QuotaRequest(models.Model):
    """A larger mailbox quota, asked for by the person or their HR officer and decided by the
    unit head, who can never be the one who asked (AC-06)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the unit head")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="quota_requests")
    requested_mb = models.PositiveIntegerField(_("requested quota (MB)"))
    reason = models.CharField(_("reason"), max_length=500)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]


class FunctionalMailbox(models.Model):
    """A unit's official mailbox (vanthu@… for the clerk's office), opened by named delegates."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="functional_mailboxes")
    address = models.CharField(_("address"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=255)
    delegates = models.ManyToManyField(Person, related_name="delegated_mailboxes", blank=True)
    active = models.BooleanField(default=True)
    quota_mb = models.PositiveIntegerField(_("mailbox quota (MB)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address
