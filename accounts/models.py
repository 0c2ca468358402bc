from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who can log in. Staff come from the directory (their Django password is
    unusable: the directory checks it); the bootstrap superadmin is local."""

    class Source(models.TextChoices):
        DIRECTORY = "directory", _("directory")
        LOCAL = "local", _("local")

    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.DIRECTORY)
    # the directory's displayName: family, middle and given names in Vietnamese order
    display_name = models.CharField(_("display name"), max_length=255, blank=True)

    def get_full_name(self) -> str:
        return self.display_name or " ".join(p for p in (self.last_name, self.first_name) if p)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Role(models.TextChoices):
    HR_ADMIN = "hr_admin", _("HR officer")
    UNIT_HEAD = "unit_head", _("unit head")
    IT_LEAD = "it_lead", _("IT lead")


class RoleAssignment(models.Model):
    """A person holds a role over a unit and everything below it."""

    person = models.ForeignKey("provisioning.Person", on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    unit = models.ForeignKey("provisioning.Unit", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "role", "unit"], name="role_once")]

    def __str__(self) -> str:  # the audit trail's label: codes, not words, so it reads the same in every language
        return f"{self.person.uid}: {self.role} @ {self.unit.code}"


class ActivationCode(models.Model):
    """A one-time code that lets a new person choose their first password. Only a keyed digest
    is stored (RS-04); issuing a new code supersedes older ones (RS-05)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("personal email")
        LETTER = "letter", _("printed letter")

    person = models.ForeignKey("provisioning.Person", on_delete=models.CASCADE, related_name="activation_codes")
    digest = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    superseded = models.BooleanField(default=False)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class OneTimeCode(models.Model):
    """A short-lived code sent to a channel on file: a password reset or unlock (RS-*), or the
    check of a new personal email or phone (SE-06). Only a keyed digest is stored (RS-04); the
    code is bound to one person *and* one flow (a random id kept in the requester's session,
    stored here as a digest) so A's code can never serve B or another browser (RS-07); it dies
    after MAX_ATTEMPTS wrong tries, at its first use, when a newer one is issued, and at
    ``expires_at`` (≤ 10 minutes, RS-06). See ``accounts.codes``."""

    class Purpose(models.TextChoices):
        RESET = "reset", _("password reset or unlock")
        VERIFY_EMAIL = "verify_email", _("personal email check")
        VERIFY_PHONE = "verify_phone", _("mobile phone check")

    class Channel(models.TextChoices):
        EMAIL = "email", _("personal email")
        SMS = "sms", _("SMS")

    person = models.ForeignKey("provisioning.Person", on_delete=models.CASCADE, related_name="one_time_codes")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    flow_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    # for a contact check: the new address or number being checked (not a secret)
    target = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    superseded = models.BooleanField(default=False)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["person", "purpose", "flow_digest"], name="otc_lookup")]


class PasswordRecord(models.Model):
    """The hashes of a person's recent passwords, newest first, to refuse reusing one (PW-16), and
    the scheme the directory's value was made with, so a login can upgrade an older one (PW-15).
    The hash is an {ARGON2} argon2id value of the NFKC form, the same strength as the directory's;
    only ``settings.IDM_PASSWORD_HISTORY`` records are kept per person."""

    person = models.ForeignKey("provisioning.Person", on_delete=models.CASCADE, related_name="password_records")
    hashed = models.CharField(max_length=255)
    scheme = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["person", "-created_at"], name="pwrecord_recent")]


class ApiToken(models.Model):
    """A system's key to the REST API: it acts as its owner, with the owner's roles and scopes. Only a
    keyed digest of the secret is stored (the secret is shown once, when the token is made); a token
    can be revoked, and may expire. See ``accounts.tokens``."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # the secret's first characters, not secret on their own: tell tokens apart on the page and in logs
    prefix = models.CharField(_("starts with"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:  # the audit trail's label: never the secret
        return f"{self.prefix}… ({self.name})"
