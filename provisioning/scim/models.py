"""The one thing SCIM adds to a person: the client's own identifier for them (``externalId``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from provisioning.people.models import Person


class ScimUserLink(models.Model):
    """A provisioning client's identifier for a person (RFC 7643 §3.1 externalId): kept as sent,
    filterable, never interpreted by idm."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="scim_link")
    external_id = models.CharField(_("external id"), max_length=255, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.person_id}: {self.external_id}"
