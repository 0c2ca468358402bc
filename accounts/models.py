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

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
