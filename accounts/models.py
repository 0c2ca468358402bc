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
