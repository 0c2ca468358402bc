"""Django's authentication signals into the audit trail (AU-09); connected in AccountsConfig.ready().
Each receiver only hands over to accounts.auth_events."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from accounts import auth_events, throttle
from accounts.middleware import session_started


def _logged_in(sender, request, user, **kwargs) -> None:
    session_started(request)  # SE-05: the absolute lifetime counts from here
    auth_events.auth_event_record(action=auth_events.LOGIN, login=user.get_username(), request=request, actor=user,
                                  detail={"backend": getattr(user, "backend", "")})


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # credentials has the password masked by Django already; only the login name is kept
    login = str(credentials.get("username", ""))
    auth_events.auth_event_record(action=auth_events.LOGIN_FAILED, login=login, request=request)
    started = throttle.login_failure_record(request, login)  # AU-01: only failures count
    if started:
        auth_events.auth_event_record(action=auth_events.LOCKED, login=login, request=request,
                                      detail={"scope": started})


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is None:  # an anonymous visitor pressed log out: nobody's session ended
        return
    # why the session ended: the user ("logout"), or a middleware that ended it (idle, too old, not active)
    reason = getattr(request, "idm_logout_reason", "logout")
    auth_events.auth_event_record(action=auth_events.LOGOUT, login=user.get_username(), request=request, actor=user,
                                  detail={"reason": reason})


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="accounts.signals.logged_in")
    user_login_failed.connect(_login_failed, dispatch_uid="accounts.signals.login_failed")
    user_logged_out.connect(_logged_out, dispatch_uid="accounts.signals.logged_out")
