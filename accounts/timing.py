"""Refused logins all take about the same time (AU-04).

A wrong password is refused after slapd has checked an Argon2 hash; an unknown, suspended or
not-yet-activated name is refused as soon as the user search finds nothing, one hash (about 20 ms
here) sooner, which would tell an attacker which names exist. So every refused login answers no
sooner than IDM_LOGIN_REFUSAL_MS after it arrived: above a wrong password's usual time, low enough
that a worker is not held for long (throttling, not this, is what slows guessing down)."""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings


def refusals_padded(view):
    """Wraps the login view: a refused login (a POST answered 400) is held until the floor."""

    @wraps(view)
    def padded(request, *args, **kwargs):
        started = time.monotonic()
        response = view(request, *args, **kwargs)
        if request.method == "POST" and response.status_code == 400:
            remaining = settings.IDM_LOGIN_REFUSAL_MS / 1000 - (time.monotonic() - started)
            if remaining > 0:
                time.sleep(remaining)
        return response

    return padded


def posts_floored(view):
    """Wraps a recovery request step (RS-01): every POST answers no sooner than IDM_RECOVERY_FLOOR_MS
    after it arrived, whatever the name typed was (known, unknown, disabled, without a channel)."""

    @wraps(view)
    def floored(request, *args, **kwargs):
        started = time.monotonic()
        response = view(request, *args, **kwargs)
        if request.method == "POST":
            remaining = settings.IDM_RECOVERY_FLOOR_MS / 1000 - (time.monotonic() - started)
            if remaining > 0:
                time.sleep(remaining)
        return response

    return floored
