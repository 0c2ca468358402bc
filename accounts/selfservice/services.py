"""Activation: a new person chooses their first password with a one-time code that HR sends to
the personal email on file or prints on a letter. Only a keyed digest of the code is stored
(RS-04); a new code supersedes the old ones (RS-05); five wrong tries kill a code (RS-08)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.credentials import password_problems, password_write
from accounts.models import ActivationCode
from accounts.sessions import end_sessions
from directory.errors import NoSuchEntry
from provisioning.audit.services import audit_record
from provisioning.common import protect
from provisioning.people.directory import apply_people
from provisioning.people.models import Person, PersonStatus
from provisioning.people.services import person_set_status

log = logging.getLogger(__name__)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: it is typed from paper
CODE_LENGTH = 12  # 60 bits from the CSPRNG
MAX_ATTEMPTS = 5


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch in ALPHABET)


def _digest(code: str) -> str:
    return protect.keyed_digest(b"idm-activation", _normalise_code(code))


def _legacy_digest(code: str) -> str:
    """How codes issued before IDM_DIGEST_KEY were stored (keyed by SECRET_KEY); they expire within
    IDM_ACTIVATION_DAYS, after which this can go."""
    key = hashlib.sha256(b"idm-activation\0" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, _normalise_code(code).encode(), hashlib.sha256).hexdigest()


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def activation_issue(*, actor, person: Person, channel: str, reset: bool = False) -> str:
    """A fresh code for a person who has not activated yet (or, with ``reset``, for an active person
    whose password the help desk has just voided); older codes stop working."""
    if reset and person.status != PersonStatus.ACTIVE:
        raise ValidationError(_("Only an active account can be reset; %(name)s needs an activation code.")
                              % {"name": person.full_name})
    if not reset and person.status != PersonStatus.STAGED:
        raise ValidationError(_("%(name)s has already activated the account.") % {"name": person.full_name})
    if channel == ActivationCode.Channel.EMAIL and not person.personal_email:
        raise ValidationError(_("%(name)s has no personal email on file; print a letter instead.")
                              % {"name": person.full_name})
    ActivationCode.objects.filter(person=person, used_at__isnull=True, superseded=False).update(superseded=True)
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    ActivationCode.objects.create(
        person=person, digest=_digest(code), channel=channel, issued_by=actor if actor and actor.pk else None,
        expires_at=timezone.now() + dt.timedelta(days=settings.IDM_ACTIVATION_DAYS))
    audit_record(actor=actor, action="person.activation_issued", target=person, after={"channel": channel})
    return format_code(code)


def activation_email(person: Person, code: str, *, reset: bool = False) -> None:
    """The code goes only to the address on file, never one from the request (RS-09); the link
    is built from the configured base URL, never from the Host header (RS-10)."""
    url = settings.IDM_BASE_URL.rstrip("/") + "/activate/"
    if reset:
        body = _(
            "Dear %(name)s,\n\nAt your request, your unit's HR officer has reset your official account. Your old "
            "password no longer works.\n\nUser name: %(uid)s\nActivation code: %(code)s\n\nOpen %(url)s, enter your "
            "user name and this code, and choose a new password. The code works once and expires in %(days)s days."
            "\n\nIf you did not ask for this, contact the provincial IT department."
        ) % {"name": person.full_name, "uid": person.uid, "code": code, "url": url,
             "days": settings.IDM_ACTIVATION_DAYS}
        send_mail(_("Choose a new password for your official account"), body, settings.DEFAULT_FROM_EMAIL,
                  [person.personal_email])
        return
    body = _(
        "Dear %(name)s,\n\nAn official account has been created for you.\n\nUser name: %(uid)s\n"
        "Official email: %(mail)s\nActivation code: %(code)s\n\nOpen %(url)s, enter your user name and this code, "
        "and choose your own password. The code works once and expires in %(days)s days.\n\n"
        "Nobody from the IT department will ever ask you for your password."
    ) % {"name": person.full_name, "uid": person.uid, "mail": person.mail or "-", "code": code, "url": url,
         "days": settings.IDM_ACTIVATION_DAYS}
    send_mail(_("Activate your official account"), body, settings.DEFAULT_FROM_EMAIL, [person.personal_email])


def _generic() -> str:
    """One message for every way a code can be wrong (no enumeration)."""
    return _("The user name or activation code is not correct, or the code has expired. "
             "Ask your unit's HR officer for a new code if needed.")


def _reserve_try(code_id: int) -> bool:
    """Take one of the code's tries before comparing, in one conditional update: however many
    guesses arrive at once, at most MAX_ATTEMPTS of them are ever compared (RS-08)."""
    return bool(ActivationCode.objects.filter(pk=code_id, used_at__isnull=True, superseded=False,
                                              failed_attempts__lt=MAX_ATTEMPTS)
                .update(failed_attempts=F("failed_attempts") + 1))


def _claim(code_id: int, now) -> bool:
    """The code is ours if this conditional update changed the row; 0 rows: someone else has it."""
    return bool(ActivationCode.objects.filter(pk=code_id, used_at__isnull=True, superseded=False, expires_at__gt=now,
                                              failed_attempts__lt=MAX_ATTEMPTS).update(used_at=now))


def activation_redeem(*, uid: str, code: str, password: str, password2: str, source_ip: str | None = None) -> Person:
    """Check the code, set the first password (under the same policy as every password path)
    and make the account active. The code is claimed before the directory hears of the password,
    so two redemptions of one code cannot both write; if the directory is away the claim is
    released and nothing is consumed, as it is when the password is refused."""
    uid = (uid or "").strip().lower()
    # staged: a first activation; active: after a help-desk reset (activation_issue(reset=True))
    person = Person.objects.select_related("unit").filter(
        uid=uid, status__in=(PersonStatus.STAGED, PersonStatus.ACTIVE)).first()
    now = timezone.now()
    current = None
    if person is not None:
        current = ActivationCode.objects.filter(person=person, used_at__isnull=True, superseded=False,
                                                expires_at__gt=now, failed_attempts__lt=MAX_ATTEMPTS).first()
    if current is None or not _reserve_try(current.pk):
        raise ValidationError({"code": [_generic()]})
    if not (hmac.compare_digest(current.digest, _digest(code))
            or hmac.compare_digest(current.digest, _legacy_digest(code))):
        raise ValidationError({"code": [_generic()]})  # the reserved try stays spent
    # the right code: give its try back (a refused password below must not cost one)
    ActivationCode.objects.filter(pk=current.pk, failed_attempts__gt=0).update(failed_attempts=F("failed_attempts") - 1)
    problems = password_problems(person, password, password2)
    if problems:
        raise ValidationError(problems)

    if not _claim(current.pk, now):
        raise ValidationError({"code": [_generic()]})
    try:
        try:
            password_write(person, password)
        except NoSuchEntry:  # the outbox has not created the entry yet: do it now
            apply_people([person.pk])
            password_write(person, password)
        if person.status == PersonStatus.STAGED:
            person = person_set_status(actor=None, person=person, status=PersonStatus.ACTIVE, source_ip=source_ip)
        else:  # a help-desk reset: the account stays active, its sessions end
            audit_record(actor=None, action="person.password_reset_by_activation", target=person,
                         source_ip=source_ip)
            end_sessions(person.uid)
    except Exception:
        # the directory was away (or the status change failed): the person may try again with the same code
        ActivationCode.objects.filter(pk=current.pk, used_at=now).update(used_at=None)
        raise
    apply_people([person.pk])  # active in the directory now, not at the next worker run
    return person
