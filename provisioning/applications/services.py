"""Register, rotate and revoke applications' directory accounts. Every change is one transaction: the
row, its audit entry and an outbox row that makes the directory match (directory.py applies it)."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.passwords import hash_password
from provisioning.applications.models import Application
from provisioning.audit.services import audit_record
from provisioning.outbox.models import DirectoryChange
from provisioning.outbox.services import directory_change_enqueue_many
from provisioning.units.models import Unit


def new_secret() -> str:
    """43 characters from the secrets module: 256 bits, ASCII (what an application's LDAP settings accept)."""
    return secrets.token_urlsafe(32)


def _enqueue(app: Application) -> None:
    directory_change_enqueue_many(kind=DirectoryChange.Kind.APPLICATION, object_ids=[app.pk])


def _snapshot(app: Application) -> dict:
    return {"name": app.name, "account": app.account, "unit": app.unit.code, "contact": app.contact}


@transaction.atomic
def application_register(*, actor, name: str, account: str, unit: Unit, contact: str,
                         source_ip: str | None = None) -> tuple[Application, str]:
    """A new application with its own bind account, allowed to read `unit`'s subtree. Returns the
    application and its secret, which exists nowhere else afterwards (only its hash is kept)."""
    name, account, contact = " ".join(name.split()), account.strip().lower(), " ".join(contact.split())
    if unit.closed_on is not None:
        raise ValidationError({"unit": [_("This unit is closed; choose an open one.")]})
    if Application.objects.filter(account=account).exists():
        raise ValidationError({"account": [_("%(account)s is already used by another application, perhaps a revoked "
                                             "one; choose another.") % {"account": account}]})
    secret = new_secret()
    app = Application(name=name, account=account, unit=unit, contact=contact, secret_hash=hash_password(secret),
                      secret_set_at=timezone.now())
    app.full_clean()
    app.save()
    audit_record(actor=actor, action="application.registered", target=app, after=_snapshot(app), source_ip=source_ip)
    _enqueue(app)
    return app, secret


@transaction.atomic
def application_rotate(*, actor, application: Application, source_ip: str | None = None) -> str:
    """A new secret: the old one stops working as soon as the directory has the new hash."""
    app = Application.objects.select_for_update().select_related("unit").get(pk=application.pk)
    if not app.active:
        raise ValidationError(_("This application was revoked; register it again instead."))
    secret = new_secret()
    app.secret_hash, app.secret_set_at = hash_password(secret), timezone.now()
    app.save(update_fields=["secret_hash", "secret_set_at"])
    audit_record(actor=actor, action="application.secret_rotated", target=app, after={"account": app.account},
                 source_ip=source_ip)
    _enqueue(app)
    return secret


@transaction.atomic
def application_revoke(*, actor, application: Application, reason: str = "", source_ip: str | None = None) -> None:
    """Remove the application's account: it can no longer bind. Its record (and name) stays."""
    app = Application.objects.select_for_update().select_related("unit").get(pk=application.pk)
    if not app.active:
        return
    app.revoked_at = timezone.now()
    app.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="application.revoked", target=app, before={"account": app.account},
                 after={"revoked_at": app.revoked_at.isoformat()}, reason=reason, source_ip=source_ip)
    _enqueue(app)
