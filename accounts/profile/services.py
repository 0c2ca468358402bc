"""What a signed-in person does to their own credentials and contact points.

- ``password_change``: the current password is proved by a bind *as the person* (PW-12; slapd logs
  the person's bind), the new one passes the one policy and history (``accounts.credentials``), then
  idm writes it; every other session ends (RS-15) and the person is told on every channel (AU-10).
- ``contact_change_start`` / ``contact_change_confirm``: a new personal email or phone needs the
  current password again (SE-06) and a code sent to the *new* address or number, typed back in this
  browser's flow (accounts.codes); then it is saved as verified and the *old* channel is told.
  The same two steps verify the phone already on file, which is what lets reset codes go by SMS.
- ``password_after_login``: at a successful login, upgrade an old hash (PW-15) and notice an
  administrator's forced change (pwdReset).
"""

from __future__ import annotations

import logging

from django.contrib.auth import login as auth_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.codes import code_check, code_claim, code_release, flow_digest
from accounts.credentials import password_is_current, password_problems, password_upgrade, password_write
from accounts.models import OneTimeCode
from accounts.sessions import end_sessions
from accounts.tasks import notify_task, send_contact_code
from directory import gateway
from provisioning.audit.services import audit_record
from provisioning.people import validation
from provisioning.people.models import Person
from provisioning.people.services import person_update

log = logging.getLogger(__name__)
MUST_CHANGE = "idm_must_change_password"  # session key: an administrator set the password


def _channels(person: Person) -> dict:
    """Where notifications go: the personal email on file and the phone once verified."""
    return {"email": person.personal_email, "phone": person.phone if person.phone_verified_at else ""}


def _wrong_password() -> ValidationError:
    return ValidationError({"current": [_("Your current password is not correct.")]})


def password_change(*, request, person: Person, current: str, password: str, password2: str) -> None:
    if not current or not gateway.person_verify_password(person.uid, current):
        audit_record(actor=request.user, action="person.password_change_refused", target=person,
                     source_ip=request.META.get("REMOTE_ADDR"))
        raise _wrong_password()
    problems = password_problems(person, password, password2)
    if not problems and password == current:
        problems = {"password": [_("The new password must be different from the current one.")]}
    if problems:
        raise ValidationError(problems)
    password_write(person, password)
    audit_record(actor=request.user, action="person.password_changed", target=person,
                 source_ip=request.META.get("REMOTE_ADDR"))
    end_sessions(person.uid, keep=request)
    request.session.pop(MUST_CHANGE, None)
    transaction.on_commit(lambda: notify_task.delay(kind="password_changed", uid=person.uid, **_channels(person)))


def _checked_value(kind: str, value: str) -> str:
    c = validation.Checked()
    checked = validation.email(c, value) if kind == "email" else validation.phone(c, value)
    if c.problems or not checked:
        messages = [m for ms in c.errors.values() for m in ms] or [_("Enter a value.")]
        raise ValidationError({"value": messages})
    return checked


PURPOSE = {"email": OneTimeCode.Purpose.VERIFY_EMAIL, "phone": OneTimeCode.Purpose.VERIFY_PHONE}


def contact_change_start(*, request, person: Person, kind: str, value: str, current: str, flow_id: str) -> str:
    """Check the password and the new value, then send a code to the new value. Returns the
    normalised value (shown back so the person sees where the code went)."""
    if kind not in PURPOSE:
        raise ValidationError({"kind": [_("Choose email or phone.")]})
    if not current or not gateway.person_verify_password(person.uid, current):
        raise _wrong_password()
    checked = _checked_value(kind, value)
    digest = flow_digest(flow_id)  # the code itself is made in the worker (LG-02)
    transaction.on_commit(lambda: send_contact_code.delay(person_id=person.pk, kind=kind, target=checked,
                                                          flow=digest))
    audit_record(actor=request.user, action=f"person.{kind}_check_started", target=person,
                 source_ip=request.META.get("REMOTE_ADDR"))
    return checked


def contact_change_confirm(*, request, person: Person, kind: str, flow_id: str, code: str) -> Person:
    otc = code_check(person=person, purpose=PURPOSE.get(kind, ""), flow_id=flow_id, code=code)
    if otc is None or not code_claim(otc):
        raise ValidationError({"code": [_("The code is not correct or has expired. Ask for a new one.")]})
    field = "personal_email" if kind == "email" else "phone"
    old = getattr(person, field)
    old_reachable = kind == "email" or person.phone_verified_at is not None  # SMS only to a proved number
    try:
        with transaction.atomic():
            if old != otc.target:
                person = person_update(actor=request.user, person=person, **{field: otc.target})
            Person.objects.filter(pk=person.pk).update(**{f"{field}_verified_at": timezone.now()})
            audit_record(actor=request.user, action=f"person.{kind}_verified", target=person,
                         source_ip=request.META.get("REMOTE_ADDR"),
                         after={field: otc.target} if old != otc.target else None)
    except ValidationError:
        code_release(otc)
        raise
    person.refresh_from_db()
    if old and old != otc.target:  # the old channel hears of it (SE-06)
        what = _("personal email") if kind == "email" else _("mobile phone")
        channel = {"email": old} if kind == "email" else {"phone": old if old_reachable else ""}
        notify_task.delay(kind="contact_changed", uid=person.uid, what=what, **channel)
    return person


def login_begin(request, user, *, must_change: bool) -> None:
    """Sign the user in: the new session's one row (with the signed-in user in it), last_login and the
    audit row in one commit, a login's only one (on SQLite each commit is a turn of the one write lock; a
    login took five, then two); the response's save then finds the session already written
    (accounts.session_store). ``must_change``: PW-17's pwdReset, which the login's own search read."""
    with transaction.atomic():
        auth_login(request, user)  # a new session id (AU-05)
        if must_change:
            request.session[MUST_CHANGE] = True
        request.session.save()


def password_after_login(request, password: str, *, must_change: bool) -> None:
    """At a successful directory login: notice a forced change (``must_change``: the entry's pwdReset,
    which the login's own search read), else upgrade an old hash."""
    if must_change:
        request.session[MUST_CHANGE] = True  # the change writes a current hash anyway
        return  # (an upgrade now would end the forced change: any write of the password clears pwdReset)
    if password_is_current(request.user.get_username()):
        return  # (every login but the first after a change of scheme: one query)
    person = Person.objects.filter(uid=request.user.get_username()).only("pk", "uid").first()
    if person is None:
        return
    try:
        password_upgrade(person, password)
    except Exception as exc:  # noqa: BLE001 - best effort: the login itself succeeded
        # (two first logins of one person at once both upgrade: one of the directory writes can then meet
        # the other's value; the upgrade is simply done again at the next login)
        log.warning("password upgrade after login skipped: %s", exc.__class__.__name__)
