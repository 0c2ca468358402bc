"""Forgotten password, unlock and user-name reminder (not signed in). The code never appears in a URL:
it is typed into a POST form, and the flow lives in the server-side session (RS-07, RS-11)."""

from __future__ import annotations

from dataclasses import asdict
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from accounts.codes import new_flow_id
from accounts.recovery.forms import CodeForm, NewPasswordForm, RecoveryRequestForm, UsernameReminderForm
from accounts.recovery.services import (
    RESET,
    UNLOCK,
    Flow,
    NotVerified,
    Throttled,
    recovery_request,
    recovery_reset,
    recovery_verify,
    username_remind,
)
from accounts.timing import posts_floored
from directory.errors import DirectoryUnavailable
from provisioning.common.forms import add_errors

FLOW = "idm_recovery_flow"  # session: the flow id, its purpose, the person (if any), the verified code


def _no_referrer(view):
    """RS-11: these pages send ``Referrer-Policy: no-referrer``. Under that policy a browser posts the
    page's own forms with ``Origin: null`` (Fetch standard), which Django's CSRF check refuses; a form
    post whose browser also says ``Sec-Fetch-Site: same-origin`` (a header no page can forge) is from
    this site, so its Origin is taken as ours. The CSRF token is checked as on every other form."""
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.META.get("HTTP_ORIGIN") == "null" and request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin":
            request.META["HTTP_ORIGIN"] = f"{request.scheme}://{request.get_host()}"
        response = protected(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def _flow(request: HttpRequest) -> Flow | None:
    data = request.session.get(FLOW)
    return Flow(**data) if data else None


def _request_step(request: HttpRequest, purpose: str, template: str) -> HttpResponse:
    form = RecoveryRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        flow_id, login = new_flow_id(), form.cleaned_data["identifier"]
        try:
            person_id = recovery_request(request=request, purpose=purpose, flow_id=flow_id, **form.cleaned_data)
        except Throttled as exc:
            return render(request, template, {"form": form, "throttled": exc.minutes}, status=429)
        request.session[FLOW] = asdict(Flow(id=flow_id, purpose=purpose, person=person_id, login=login[:64]))
        return redirect("recovery_code")
    return render(request, template, {"form": form}, status=400 if form.errors else 200)


@_no_referrer
@never_cache
@posts_floored  # RS-01: an unknown name answers no sooner than a known one
def forgot_view(request: HttpRequest) -> HttpResponse:
    return _request_step(request, RESET, "accounts/recovery/forgot.html")


@_no_referrer
@never_cache
@posts_floored
def unlock_view(request: HttpRequest) -> HttpResponse:
    return _request_step(request, UNLOCK, "accounts/recovery/unlock.html")


@_no_referrer
@never_cache
def code_view(request: HttpRequest) -> HttpResponse:
    flow = _flow(request)
    if flow is None:  # RS-17: this step only follows a request in this browser
        return redirect("password_forgot")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verified = recovery_verify(request=request, flow=flow, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if flow.purpose == UNLOCK:
                request.session.pop(FLOW, None)
                messages.success(request, _("Your account is unlocked. You can log in now with your password."))
                return redirect("accounts:login")
            request.session[FLOW] = asdict(Flow(**{**asdict(flow), "verified": verified}))
            return redirect("password_reset_new")
    return render(request, "accounts/recovery/code.html", {"form": form, "flow": flow},
                  status=400 if form.errors else 200)


@sensitive_post_parameters("password", "password2")
@_no_referrer
@never_cache
def new_password_view(request: HttpRequest) -> HttpResponse:
    flow = _flow(request)
    if flow is None or not flow.verified:  # RS-17: only after a code verified in this flow
        return redirect("password_forgot")
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recovery_reset(request=request, flow=flow, **form.cleaned_data)
        except DirectoryUnavailable:
            return render(request, "accounts/directory_unavailable.html", status=503)
        except NotVerified:
            request.session.pop(FLOW, None)
            messages.error(request, _("The code has expired. Ask for a new one."))
            return redirect("password_forgot")
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            request.session.flush()  # RS-14: nobody is signed in; the person logs in with the new password
            messages.success(request, _("Your password was changed. Log in with the new password."))
            return redirect("accounts:login")
    return render(request, "accounts/recovery/new_password.html", {"form": form}, status=400 if form.errors else 200)


@_no_referrer
@never_cache
@posts_floored
def username_view(request: HttpRequest) -> HttpResponse:
    form = UsernameReminderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            username_remind(request=request, email=form.cleaned_data["email"])
        except Throttled as exc:
            return render(request, "accounts/recovery/username.html", {"form": form, "throttled": exc.minutes},
                          status=429)
        return render(request, "accounts/recovery/username.html", {"form": UsernameReminderForm(), "sent": True})
    return render(request, "accounts/recovery/username.html", {"form": form}, status=400 if form.errors else 200)
