"""Other government systems that read the directory (document management such as iOffice, the
one-stop shop, public-service portals): each has its own bind account, scoped to one unit's subtree."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from provisioning.units.models import Unit

ACCOUNT_VALIDATOR = RegexValidator(r"^[a-z0-9][a-z0-9-]{1,62}$",
                                   _("Use 2 to 63 lower-case letters, digits or '-', starting with a letter or digit."))


class Application(models.Model):
    name = models.CharField(_("name"), max_length=255)
    # the cn of its directory account: cn=<account>,ou=applications,ou=services,<base>; never reused,
    # so a revoked application's name cannot be taken over by another
    account = models.CharField(_("account name"), max_length=63, unique=True, validators=[ACCOUNT_VALIDATOR])
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="applications", verbose_name=_("unit"))
    contact = models.CharField(_("contact"), max_length=255)
    # {ARGON2} hash of the current secret, as written to userPassword (the outbox applies it from
    # here, since task arguments never carry secrets); the secret itself is shown once and never kept
    secret_hash = models.CharField(max_length=255, editable=False)
    secret_set_at = models.DateTimeField(_("secret set"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return f"{self.name} ({self.account})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
