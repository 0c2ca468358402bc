"""The signed-in person's own password and contact details (reached from My account)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.codes import new_flow_id
from accounts.profile.forms import CodeForm, ContactChangeForm, PasswordChangeForm
from accounts.profile.services import MUST_CHANGE, contact_change_confirm, contact_change_start, password_change
from directory.errors import DirectoryUnavailable
from provisioning.common.forms import add_errors
from provisioning.people.models import Person

FLOW = "idm_contact_flow"  # session: the flow id and what is being checked


def _me(request: HttpRequest) -> Person:
    return get_object_or_404(Person.objects.select_related("unit"), uid=request.user.get_username(), status="active")


@sensitive_post_parameters("current", "password", "password2")
@never_cache
@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    person = _me(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_change(request=request, person=person, **form.cleaned_data)
        except DirectoryUnavailable:
            return render(request, "accounts/directory_unavailable.html", status=503)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Your password was changed. Other devices have been signed out."))
            return redirect("me")
    return render(request, "accounts/password_change.html", {"form": form, "forced": request.session.get(MUST_CHANGE)},
                  status=400 if form.errors else 200)


@sensitive_post_parameters("current")
@never_cache
@login_required
def contact_change_view(request: HttpRequest) -> HttpResponse:
    person = _me(request)
    form = ContactChangeForm(request.POST or None, initial={"kind": request.GET.get("kind", "email")})
    if request.method == "POST" and form.is_valid():
        flow = new_flow_id()
        try:
            value = contact_change_start(request=request, person=person, flow_id=flow, **form.cleaned_data)
        except DirectoryUnavailable:
            return render(request, "accounts/directory_unavailable.html", status=503)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            request.session[FLOW] = {"id": flow, "kind": form.cleaned_data["kind"], "value": value}
            return redirect("contact_confirm")
    return render(request, "accounts/contact_change.html", {"form": form, "person": person},
                  status=400 if form.errors else 200)


@never_cache
@login_required
def contact_confirm_view(request: HttpRequest) -> HttpResponse:
    person, flow = _me(request), request.session.get(FLOW)
    if not flow:
        return redirect("contact_change")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact_change_confirm(request=request, person=person, kind=flow["kind"], flow_id=flow["id"],
                                   code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            request.session.pop(FLOW, None)
            messages.success(request, _("Saved and confirmed: %(value)s.") % {"value": flow["value"]})
            return redirect("me")
    return render(request, "accounts/contact_confirm.html", {"form": form, "flow": flow},
                  status=400 if form.errors else 200)
