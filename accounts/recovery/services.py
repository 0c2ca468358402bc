"""Forgotten password, unlock and user-name reminder: what a person who cannot log in may do.

- ``recovery_request``: a name (uid, official address or employee code) and a channel. The same answer
  for every name (RS-01); a code is made and sent by a worker (RS-02) only to an active person's channel
  on file (RS-09, RS-16); nothing on the account changes (RS-12). Throttled per account and per address,
  SMS per account and day (RS-08).
- ``recovery_verify``: the code typed back in the same browser's flow (RS-07). For an unlock, that is
  the end: the account's login cool-down is lifted, the password is untouched.
- ``recovery_reset``: only after ``recovery_verify`` in this flow (RS-17), the new password twice through
  the one policy (RS-13); the code is claimed before the directory write and given back if the directory
  is away; then every session ends (RS-15), nobody is logged in (RS-14), the person is told (AU-10).
- ``username_remind``: a personal email; when exactly one active person has it, their user name goes there.

Every step is an authentication event in the audit trail (AU-09), named by what was typed.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts import auth_events
from accounts.codes import code_check, code_claim, code_release, flow_digest
from accounts.credentials import password_problems, password_write
from accounts.models import OneTimeCode
from accounts.recovery.tasks import recovery_target, send_recovery_code, send_username_reminder
from accounts.sessions import end_sessions
from accounts.tasks import notify_task
from accounts.throttle import throttle_clear, usage
from directory.errors import DirectoryError
from provisioning.people import validation
from provisioning.people.models import Person, PersonStatus

log = logging.getLogger(__name__)
RESET, UNLOCK = "reset", "unlock"
HOUR, DAY = 3600, 86400


class Throttled(Exception):
    def __init__(self, minutes: int):
        super().__init__(minutes)
        self.minutes = minutes


class NotVerified(Exception):
    """The new-password step without a code verified in this flow (RS-17)."""


@dataclass(frozen=True)
class Flow:
    """What the requester's session keeps between the steps: never a form field (RS-07)."""

    id: str
    purpose: str
    person: int | None
    login: str
    verified: int | None = None


def _count(request, group: str, value: str, limit: int, seconds: int) -> dict | None:
    return usage(request, group, value, (limit, seconds), increment=True)


def _enqueue(task, **kwargs) -> None:
    """After the commit, hand the work to a worker; a broker that cannot be reached is logged, never shown
    (the same for every name, so it tells nothing; the person asks again)."""
    def publish() -> None:
        try:
            task.delay(**kwargs)
        except Exception as exc:  # kombu.exceptions.OperationalError and what lies under it
            log.warning("recovery task not queued, the broker is unavailable: %s", exc.__class__.__name__)
    transaction.on_commit(publish)


def _throttle(request, checks: list[tuple[str, str, int, int]]) -> None:
    """Count this request under every (group, key, limit, seconds); Throttled when one is over."""
    worst = 0
    for group, value, limit, seconds in checks:
        usage = _count(request, group, value, limit, seconds)
        if usage and usage["should_limit"]:
            worst = max(worst, usage["time_left"], 60)
    if worst:
        raise Throttled(-(-worst // 60))


def person_for_identifier(identifier: str) -> Person | None:
    """The one person this uid, official address or employee code names, exactly (after NFC and
    ASCII lower case): uids and official addresses are ASCII, so a name with any other character
    matches no one, and nothing is case-folded onto another person's address (RS-09)."""
    value = unicodedata.normalize("NFC", identifier or "").strip()
    if not value or not value.isascii():
        return None
    low = value.lower()
    found = list(Person.objects.filter(Q(uid=low) | Q(mail=low) | Q(employee_code=value)
                                       | Q(employee_code=value.upper()))[:2])
    return found[0] if len(found) == 1 else None


def recovery_request(*, request, purpose: str, identifier: str, channel: str, flow_id: str) -> int | None:
    """Ask for a reset or unlock code. Returns the person's id to keep in the flow (None: nobody it
    could go to). Raises Throttled. The answer the requester sees never depends on the result."""
    person = person_for_identifier(identifier)
    account = f"p{person.pk}" if person else (identifier or "").strip().lower()[:254]
    _throttle(request, [
        ("idm.recovery.account", account, settings.IDM_RECOVERY_REQUESTS_PER_ACCOUNT, HOUR),
        ("idm.recovery.client", request.META.get("REMOTE_ADDR") or "-", settings.IDM_RECOVERY_REQUESTS_PER_CLIENT,
         HOUR),
    ])
    if channel not in OneTimeCode.Channel.values:
        channel = OneTimeCode.Channel.EMAIL
    reachable = person if recovery_target(person, channel) else None
    if reachable and channel == OneTimeCode.Channel.SMS:
        sms = _count(request, "idm.recovery.sms", str(person.pk), settings.IDM_RECOVERY_SMS_PER_DAY, DAY)
        reachable = None if sms and sms["should_limit"] else reachable  # RS-08: SMS costs money
    digest = flow_digest(flow_id)  # the code itself is made by the worker
    person_id = reachable.pk if reachable else 0
    _enqueue(send_recovery_code, person_id=person_id, purpose=purpose, channel=channel, flow=digest)
    auth_events.auth_event_record(action=auth_events.RESET_REQUESTED, login=identifier, request=request,
                                  detail={"purpose": purpose, "channel": channel, "sent": bool(reachable)})
    return reachable.pk if reachable else None


def _code_refused() -> ValidationError:
    return ValidationError({"code": [_("The code is not correct or has expired. Check it, or ask for a new one.")]})


def _notify(kind: str, person: Person) -> None:
    channels = {"email": person.personal_email, "phone": person.phone if person.phone_verified_at else ""}
    transaction.on_commit(lambda: notify_task.delay(kind=kind, uid=person.uid, **channels))


def recovery_verify(*, request, flow: Flow, code: str) -> int:
    """Check the code typed in this flow. For a reset, returns the code's id to keep in the flow for the
    next step; for an unlock, lifts the account's login cool-down. ValidationError when it is wrong."""
    person = Person.objects.filter(pk=flow.person, status=PersonStatus.ACTIVE).first() if flow.person else None
    otc = code_check(person=person, purpose=OneTimeCode.Purpose.RESET, flow_id=flow.id, code=code) if person else None
    if otc is None or (flow.purpose == UNLOCK and not code_claim(otc)):
        auth_events.auth_event_record(action=auth_events.RESET_FAILED, login=flow.login, request=request,
                                      detail={"purpose": flow.purpose, "reason": "code"})
        raise _code_refused()
    if flow.purpose == UNLOCK:
        throttle_clear(person.uid)
        auth_events.auth_event_record(action=auth_events.UNLOCKED, login=person.uid, request=request,
                                      detail={"channel": otc.channel})
        _notify("account_unlocked", person)
    return otc.pk


def recovery_reset(*, request, flow: Flow, password: str, password2: str) -> Person:
    """Set the new password after a verified code. NotVerified out of order (RS-17); ValidationError for
    a refused password (the code survives) or a code that died meanwhile; DirectoryError passes through
    with the code given back, so the person can try again when the directory is back."""
    otc = None
    if flow.purpose == RESET and flow.verified:
        otc = OneTimeCode.objects.filter(pk=flow.verified, purpose=OneTimeCode.Purpose.RESET,
                                         flow_digest=flow_digest(flow.id), person_id=flow.person).first()
    person = Person.objects.filter(pk=otc.person_id, status=PersonStatus.ACTIVE).first() if otc else None
    if person is None:
        raise NotVerified
    problems = password_problems(person, password, password2)
    if problems:
        raise ValidationError(problems)
    if not code_claim(otc):
        auth_events.auth_event_record(action=auth_events.RESET_FAILED, login=person.uid, request=request,
                                      detail={"reason": "expired"})
        raise NotVerified
    try:
        password_write(person, password)
    except DirectoryError:
        code_release(otc)
        raise
    end_sessions(person.uid)
    throttle_clear(person.uid)
    auth_events.auth_event_record(action=auth_events.RESET_COMPLETED, login=person.uid, request=request,
                                  detail={"channel": otc.channel})
    _notify("password_reset", person)
    return person


def username_remind(*, request, email: str) -> None:
    """Mail the user name to this personal email when exactly one active person has it (exact match
    after the same normalisation as when it was stored: never a case-insensitive match, RS-09)."""
    checked = validation.email(validation.Checked(), email)
    _throttle(request, [
        ("idm.recovery.username", checked or email.strip()[:254], 3, HOUR),
        ("idm.recovery.client", request.META.get("REMOTE_ADDR") or "-", settings.IDM_RECOVERY_REQUESTS_PER_CLIENT,
         HOUR),
    ])
    found = list(Person.objects.filter(personal_email=checked, status=PersonStatus.ACTIVE)[:2]) if checked else []
    person_id = found[0].pk if len(found) == 1 else 0
    _enqueue(send_username_reminder, person_id=person_id)
