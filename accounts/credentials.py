"""The one place a person's password is checked and written, whatever the path: activation,
change, reset, a help-desk reset's activation, the API (PW-01..PW-08 and PW-16 everywhere).

- ``password_problems``: the policy (``accounts.passwords``), the two entries being equal, and the
  person's last ``IDM_PASSWORD_HISTORY`` passwords (PW-16), as ``{field: [reasons]}``.
- ``password_write``: the directory values (``directory.passwords.password_hashes``: argon2id of the
  NFKC form and, when it differs, of the NFD form, so IMAP clients on either Vietnamese keyboard
  work), then a ``PasswordRecord`` for history. Writing ends an administrator's forced change.
- ``password_upgrade``: at a successful login, when the person's value was not made with the
  current scheme (an entry migrated with {SSHA}, or from before the NFD value existed), it is
  rewritten from the password just proved (PW-15).

People never write userPassword straight to slapd (its access rules refuse it): these functions,
through cn=idm, after a proof of the person's identity (current password, a code), are the path.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PasswordRecord
from accounts.passwords import check_password
from directory import gateway
from directory.passwords import SCHEME, hash_password, matches, password_hashes


def password_context(person) -> list[str]:
    """What a guesser knows about this person (PW-08 context words)."""
    return [person.uid, person.family_name, person.middle_name, person.given_name, person.employee_code,
            person.unit.name if person.unit_id else ""]


def _reused(person, password: str) -> bool:
    depth = settings.IDM_PASSWORD_HISTORY
    if depth <= 0:
        return False
    recent = PasswordRecord.objects.filter(person=person).values_list("hashed", flat=True)[:depth]
    return any(matches(password, hashed) for hashed in recent)


def password_problems(person, password: str, password2: str | None = None) -> dict[str, list[str]]:
    """Every reason the new password cannot be used, by form field; {} when it can."""
    if password2 is not None and password != password2:
        return {"password2": [_("The two passwords are not the same.")]}
    result = check_password(password, context=password_context(person))
    if not result.ok:
        return {"password": result.reasons}
    if _reused(person, password):
        return {"password": [_("You used this password recently. Choose one you have not used before.")]}
    return {}


def _record(person, password: str) -> None:
    now = timezone.now()
    PasswordRecord.objects.create(person=person, hashed=hash_password(password), scheme=SCHEME, created_at=now)
    keep = max(settings.IDM_PASSWORD_HISTORY, 1)
    stale = PasswordRecord.objects.filter(person=person).values_list("pk", flat=True)[keep:]
    PasswordRecord.objects.filter(pk__in=list(stale)).delete()


def password_write(person, password: str) -> None:
    """Write an already-checked password to the directory and remember it. The directory write
    comes first: if it fails (DirectoryUnavailable, NoSuchEntry) nothing is recorded."""
    gateway.person_set_password_hash(person.uid, password_hashes(password))
    with transaction.atomic():
        _record(person, password)


def password_is_current(uid: str) -> bool:
    """Was the latest password of the person ``uid`` written with the current scheme (one query)."""
    return PasswordRecord.objects.filter(person__uid=uid).values_list("scheme", flat=True).first() == SCHEME


def password_upgrade(person, password: str) -> bool:
    """After ``password`` was proved by a bind: rewrite the directory value when it was not made with
    the current scheme. Returns True when it did."""
    latest = PasswordRecord.objects.filter(person=person).only("scheme").first()
    if latest is not None and latest.scheme == SCHEME:
        return False
    password_write(person, password)
    return True
