"""Authentication events in the audit trail (AU-09): who (the account, and the signed-in actor
if any), what, when (the audit row's time, UTC) and from where (the client address).

Login, failed login and logout are recorded from Django's auth signals (accounts/signals.py).
The self-service flows call ``auth_event_record`` themselves for what has no Django signal:
a reset requested or completed, a password changed, an account locked or unlocked. No secret is
ever passed in: only the login name (normalised), never a password or a code."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from accounts.models import User
from provisioning.audit.models import AuditEntry
from provisioning.audit.services import audit_record

LOGIN = "auth.login"
LOGIN_FAILED = "auth.login_failed"
LOGOUT = "auth.logout"
RESET_REQUESTED = "auth.reset_requested"
RESET_COMPLETED = "auth.reset_completed"
RESET_FAILED = "auth.reset_failed"
PASSWORD_CHANGED = "auth.password_changed"
LOCKED = "auth.locked"
UNLOCKED = "auth.unlocked"
EVENTS = {LOGIN, LOGIN_FAILED, LOGOUT, RESET_REQUESTED, RESET_COMPLETED, RESET_FAILED, PASSWORD_CHANGED, LOCKED,
          UNLOCKED}
_LOGIN_MAX = 64  # the audit row's target id; longer attempted names are cut (they are not accounts)


@dataclass(frozen=True)
class Account:
    """The audit target of an authentication event: the account by its login name, which exists
    even when nobody of that name does (a failed login with an unknown name)."""

    pk: str

    def __str__(self) -> str:
        return self.pk


def normalise_login(login: str) -> str:
    # the same normalisation as the login backends (strip, lower case), so " HoangNT " and
    # "hoangnt" are one account in the trail too (AU-08)
    return (login or "").strip().lower()[:_LOGIN_MAX]


def client_address(request: HttpRequest | None) -> str | None:
    # behind the proxy, idm.proxy.ForwardedForMiddleware has already put the client's address here
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def auth_event_record(*, action: str, login: str, request: HttpRequest | None = None, actor=None,
                      detail: dict | None = None) -> AuditEntry:
    """One audit row for an authentication event. ``login`` is the account concerned (as typed;
    it is normalised here), ``actor`` who did it when signed in (None for a failed login or a
    reset requested by someone not signed in), ``detail`` anything else worth keeping (a channel,
    a reason: never a password or a code)."""
    if action not in EVENTS:
        raise ValueError(f"not an authentication event: {action}")
    return audit_record(actor=actor, action=action, target=_target(login), after=detail or None,
                        source_ip=client_address(request))


def _target(login: str):
    """The person the login names (so the entry is filed under their unit), the local account of that
    name, or "-": a name that is no account is never stored — it may be a password typed in the wrong box."""
    from provisioning.people.models import Person  # accounts sits below provisioning's models at import time

    name = normalise_login(login)
    person = Person.objects.filter(uid=name).first() or (
        Person.objects.filter(mail=name).first() if "@" in name else None)
    if person is not None:
        return person
    if User.objects.filter(username=name).exists():
        return Account(name)
    return Account("-")
