"""One-time codes sent to a channel on file (reset, unlock, contact checks): the one mechanism
behind every typed code except activation's printed letter.

- RS-03: eight digits from ``secrets`` (26.6 bits), typed from a phone or a mail, always behind
  the attempt cap and the rate limits of the flows that use them.
- RS-04: only ``keyed_digest`` of the code is stored; a database dump holds no usable code.
- RS-05: single use; issuing a new code for the same person and purpose supersedes the older ones.
- RS-06: a code lives ``CODE_MINUTES`` (≤ 10) from issue by the server clock; ``expires_at`` is
  absolute, so a clock jumping backwards never extends it (C-20).
- RS-07: a code is bound to one person *and* one flow: the flow id is a random value the server
  keeps in the requester's session (never a form field), stored here as a digest. A's code typed
  in B's flow, or in another browser, matches nothing.
- RS-08: ``MAX_ATTEMPTS`` wrong tries kill the code. A try is reserved by a conditional update
  *before* comparing, so concurrent guesses cannot exceed the cap; the right code is then claimed
  with another conditional update, so two submissions of one code cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.db.models import F
from django.utils import timezone

from accounts.models import OneTimeCode
from provisioning.common import protect

CODE_DIGITS = 8
CODE_MINUTES = 10
MAX_ATTEMPTS = 5


def new_flow_id() -> str:
    """A random flow id (128 bits) for the requester's session."""
    return secrets.token_urlsafe(16)


def flow_digest(flow_id: str) -> str:
    """What is stored (and what may travel to a worker) instead of the flow id itself."""
    return protect.keyed_digest(b"idm-code-flow", flow_id or "")


def _digest(code: str) -> str:
    return protect.keyed_digest(b"idm-one-time-code", "".join(ch for ch in (code or "") if ch.isdigit()))


def code_issue(*, person, purpose: str, channel: str, flow_id: str = "", flow: str = "", target: str = "") -> str:
    """A fresh code for this person, purpose and flow; every older live code of the same person and
    purpose stops working. Returns the code in clear: the caller sends it and forgets it."""
    now = timezone.now()
    OneTimeCode.objects.filter(person=person, purpose=purpose, used_at__isnull=True,
                               superseded=False).update(superseded=True)
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    OneTimeCode.objects.create(person=person, purpose=purpose, channel=channel,
                               flow_digest=flow or flow_digest(flow_id),
                               digest=_digest(code), target=target, created_at=now,
                               expires_at=now + dt.timedelta(minutes=CODE_MINUTES))
    return code


def _live(person, purpose: str, flow_id: str, now):
    return OneTimeCode.objects.filter(person=person, purpose=purpose, flow_digest=flow_digest(flow_id),
                                      used_at__isnull=True, superseded=False, expires_at__gt=now,
                                      failed_attempts__lt=MAX_ATTEMPTS)


def code_check(*, person, purpose: str, flow_id: str, code: str) -> OneTimeCode | None:
    """The live code of this person, purpose and flow if ``code`` is it, else None (and a try is
    spent). A match is not yet a use: call ``code_claim`` when the step it guards is about to happen."""
    now = timezone.now()
    current = _live(person, purpose, flow_id, now).order_by("-created_at").first()
    if current is None:
        return None
    reserved = OneTimeCode.objects.filter(pk=current.pk, failed_attempts__lt=MAX_ATTEMPTS,
                                          used_at__isnull=True).update(failed_attempts=F("failed_attempts") + 1)
    if not reserved or not hmac.compare_digest(current.digest, _digest(code)):
        return None  # the reserved try stays spent
    OneTimeCode.objects.filter(pk=current.pk, failed_attempts__gt=0).update(failed_attempts=F("failed_attempts") - 1)
    current.refresh_from_db()
    return current


def code_claim(otc: OneTimeCode) -> bool:
    """Use the code once: True for exactly one caller, however many race."""
    now = timezone.now()
    return bool(OneTimeCode.objects.filter(pk=otc.pk, used_at__isnull=True, superseded=False, expires_at__gt=now,
                                           failed_attempts__lt=MAX_ATTEMPTS).update(used_at=now))


def code_release(otc: OneTimeCode) -> None:
    """Give a claimed code back when the step it guarded could not happen (the directory was away)."""
    OneTimeCode.objects.filter(pk=otc.pk).exclude(used_at=None).update(used_at=None)
