"""Login throttling (AU-01, AU-02), counted by django-ratelimit in the shared Redis cache.

Only failures count (``login_failure_record``, from the user_login_failed signal), keyed on the account
whether or not it exists, so a throttled answer never tells a name that exists from one that does not:

- per account *and* client address: ``IDM_LOGIN_FAILURES_PER_CLIENT`` failures in a 15-minute window
  cool that pair down until the window ends. An attacker at address A slows only himself: the same
  person at address B still logs in (AU-02).
- per account, from every address together: at most ``IDM_LOGIN_FAILURES_PER_ACCOUNT`` in any hour
  (AU-01). django-ratelimit counts in fixed windows, and two neighbouring windows can fall inside one
  hour, so half the figure is allowed per 60-minute window: never more than the figure in any hour.
  Then the account cools down until its window ends (at most 60 minutes); the real person lifts it at
  once with an unlock code (``throttle_clear``, accounts/recovery/).

When Redis cannot be reached the throttle steps aside (logged as a warning) rather than stop every login:
the refusal timing floor and slapd's own cost still slow guessing down, and a web request never waits on
Redis (the same rule as Celery publishing, idm/settings/base.py).

A refused (throttled) attempt is not tried against the directory, so it is not a failure and counts for
nothing: an attacker's refused guesses never push the account towards its own limit.
"""

from __future__ import annotations

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django_ratelimit.core import _get_window, _make_cache_key, get_usage

from directory import gateway

log = logging.getLogger(__name__)

PAIR_MINUTES = 15
ACCOUNT_MINUTES = 60
_GENERATION = "login-throttle-gen:%s"  # bumped by an unlock: every counter of the account starts again
_GENERATION_SECONDS = 2 * ACCOUNT_MINUTES * 60  # longer than any window, so an expired one revives nothing


def account_key(login: str) -> str:
    """One key per account, however it was typed: an official address counts for its uid (an attacker
    alternating the two forms gets no more tries). An unknown name is its own key."""
    login = (login or "").strip().lower()[:254]
    if "@" in login:
        return gateway.uid_for_login(login) or login
    return login


def _client(request) -> str:
    return (request.META.get("REMOTE_ADDR") if request is not None else "") or "-"


def _checks(request, account: str) -> list[tuple[str, str, tuple[int, int]]]:
    gen = _generation(account)
    return [
        ("idm.login.pair", f"{account}|{_client(request)}|{gen}",
         (settings.IDM_LOGIN_FAILURES_PER_CLIENT, PAIR_MINUTES * 60)),
        ("idm.login.account", f"{account}|{gen}",
         (max(settings.IDM_LOGIN_FAILURES_PER_ACCOUNT // 2, 1), ACCOUNT_MINUTES * 60)),
    ]


def usage(request, group: str, value: str, rate: tuple[int, int], increment: bool) -> dict | None:
    """django-ratelimit's count of ``value`` in ``group`` at ``rate`` (limit, seconds); None (no limit)
    when the cache cannot be reached."""
    try:
        return get_usage(request, group=group, key=lambda _g, _r: value, rate=rate, increment=increment)
    except Exception as exc:  # redis.RedisError, OSError: whatever the cache client raises
        log.warning("throttle %s skipped, the cache is unavailable: %s", group, exc.__class__.__name__)
        return None


def _generation(account: str) -> int:
    try:
        return cache.get(_GENERATION % account, 0)
    except Exception as exc:
        log.warning("throttle generation unavailable: %s", exc.__class__.__name__)
        return 0


def login_cooldown_minutes(request, login: str) -> int:
    """0 when this account may try from this address; else the minutes until it may (rounded up).

    Every login asks this, so it only reads: the generation, then both counts in one round trip, under the
    keys django-ratelimit's get_usage counts failures under (its own key functions; the AU-01 and AU-02
    tests fail if the two ever disagree). get_usage itself would cost two round trips a count, one of them
    a write (it creates a missing count at 0)."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return 0
    checks = _checks(request, account_key(login))
    windows = [_get_window(value, seconds) for _, value, (_, seconds) in checks]
    keys = [_make_cache_key(group, window, rate, value, get_usage.ALL)
            for (group, value, rate), window in zip(checks, windows, strict=True)]
    try:
        counts = cache.get_many(keys)
    except Exception as exc:  # the cache is away: so is the throttle (see above)
        log.warning("throttle check skipped, the cache is unavailable: %s", exc.__class__.__name__)
        return 0
    now = int(time.time())
    left = max((window - now for (_, _, (limit, _)), window, key in zip(checks, windows, keys, strict=True)
                if counts.get(key, 0) >= limit), default=0)
    return max(math.ceil(left / 60), 1) if left > 0 else 0


def login_failure_record(request, login: str) -> str:
    """Count one failed login; returns "pair" or "account" when this failure started a cool-down."""
    account = account_key(login)
    started = ""
    for group, value, rate in _checks(request, account):
        counted = usage(request, group, value, rate, increment=True)
        if counted and counted["count"] == counted["limit"]:
            started = started or group.rsplit(".", 1)[1]
    return started


def throttle_clear(uid: str) -> None:
    """Lift every login cool-down of this account (the person proved it is theirs with a code)."""
    key = _GENERATION % account_key(uid)
    try:
        try:
            cache.incr(key)
            cache.touch(key, _GENERATION_SECONDS)
        except ValueError:  # no generation yet
            cache.set(key, 1, _GENERATION_SECONDS)
    except Exception as exc:  # the cache is away: so is the throttle (see above)
        log.warning("throttle not cleared, the cache is unavailable: %s", exc.__class__.__name__)
