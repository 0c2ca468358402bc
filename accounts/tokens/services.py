"""API tokens: made and revoked by their owner, checked on every API request.

A token is ``idm_`` and 43 random URL-safe characters (256 bits). Only its keyed digest is stored
(``provisioning.common.protect.keyed_digest``: a stolen database gives no usable token, and the
digest finds the row in one indexed look-up). A token acts as its owner, so it can never do more than
the owner could on the pages; it stops working when revoked, when it expires, when the owner's
account is disabled, and when the owner (a person of the directory) is no longer active."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, Role, User
from accounts.scopes import has_role
from provisioning.audit.services import audit_record
from provisioning.common.protect import keyed_digest
from provisioning.people.models import Person, PersonStatus

PREFIX = "idm_"
MAX_ACTIVE = 20  # per owner: a forgotten loop cannot pile up thousands of live keys
LAST_USED_EVERY = dt.timedelta(minutes=1)  # at most one write a minute per token, however busy the caller


def _digest(secret: str) -> str:
    return keyed_digest(b"idm-api-token", secret)


def may_hold_tokens(user: User) -> bool:
    """HR officers, IT leads and the superadmin: the people whose work the API serves."""
    return user.is_authenticated and (has_role(user, Role.HR_ADMIN) or has_role(user, Role.IT_LEAD))


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


@transaction.atomic
def token_create(*, actor: User, name: str, expires_on: dt.date | None = None) -> tuple[ApiToken, str]:
    """Make a token for `actor`; returns it and its secret, which is never stored and cannot be shown again.
    `expires_on` is the last day it works (local time); None: until revoked."""
    if not may_hold_tokens(actor):
        raise PermissionDenied
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": [_("Name the token after the system that will use it.")]})
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationError({"expires_on": [_("The last day cannot be in the past.")]})
    if tokens_active(actor).count() >= MAX_ACTIVE:
        raise ValidationError(_("You already have %(n)s working tokens: revoke one you no longer use first.")
                              % {"n": MAX_ACTIVE})
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name[:100], prefix=secret[:12], digest=_digest(secret),
                                    expires_at=_end_of(expires_on) if expires_on else None)
    audit_record(actor=actor, action="token.created", target=token,
                 after={"name": token.name, "expires_at": token.expires_at.isoformat() if token.expires_at else None})
    return token, secret


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token of `actor`'s at once; revoking one already revoked changes nothing."""
    if token.user_id != actor.pk:
        raise PermissionDenied
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        token.refresh_from_db(fields=["revoked_at"])
        audit_record(actor=actor, action="token.revoked", target=token, after={"name": token.name})
    return token


def tokens_of(user: User):
    return ApiToken.objects.filter(user=user)


def tokens_active(user: User):
    now = timezone.now()
    return tokens_of(user).filter(revoked_at__isnull=True).exclude(expires_at__lte=now)


def token_user(secret: str) -> tuple[User, ApiToken] | None:
    """The owner a presented secret acts as, and its token; None when the secret is unknown, revoked or
    expired, or the owner may no longer sign in. Records when the token was last used."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(secret), revoked_at__isnull=True).first()
    now = timezone.now()
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    user = token.user
    if not user.is_active:
        return None
    # the same rule as a web session (ActivePersonMiddleware): a suspended or departed person's keys stop
    if user.source == User.Source.DIRECTORY and not Person.objects.filter(
            uid=user.username, status=PersonStatus.ACTIVE).exists():
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return user, token
