"""How long a web session lives (SE-05) and that pages for a signed-in user are never stored (SE-10).

Django's own expiry is absolute only as long as nothing writes to the session; we write the time of
the last activity into it, so both limits are checked here, on the server, on every request:
idle (no request for IDM_SESSION_IDLE_MINUTES) and absolute (IDM_SESSION_MAX_HOURS since login,
however active). The last activity is written at most once a minute, not on every request, so the
idle limit is kept to the minute and a busy page costs no extra session write."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

STARTED = "idm_session_started"  # epoch seconds of the login
SEEN = "idm_session_seen"  # epoch seconds of the last request (to the minute)
TOUCH_EVERY = 60


def session_started(request) -> None:
    """At login (accounts/signals.py): the clocks of the new session start now."""
    request.session[STARTED] = request.session[SEEN] = int(time.time())


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            ended = self._check(request, int(time.time()))
            if ended is not None:
                return ended
        return self.get_response(request)

    @staticmethod
    def _check(request, now: int):
        session = request.session
        started = session.setdefault(STARTED, now)  # a session from before this middleware: from now on
        seen = session.get(SEEN, started)
        idle = now - seen > settings.IDM_SESSION_IDLE_MINUTES * 60
        too_old = now - started > settings.IDM_SESSION_MAX_HOURS * 3600
        if idle or too_old:
            request.idm_logout_reason = "idle" if idle else "expired"  # for the audit row (accounts/signals.py)
            logout(request)
            if idle:
                why = _("You were signed out after %(minutes)s minutes without activity.") % {
                    "minutes": settings.IDM_SESSION_IDLE_MINUTES}
            else:
                why = _("You were signed out %(hours)s hours after logging in.") % {
                    "hours": settings.IDM_SESSION_MAX_HOURS}
            messages.info(request, why)
            return redirect_to_login(request.get_full_path())
        if now - seen >= TOUCH_EVERY:
            session[SEEN] = now
        return None


class NoStoreMiddleware:
    """SE-10: every response to a signed-in user (pages, exports, status polls) may hold personal
    data, so no browser or proxy keeps a copy (the back button after logout shows nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
