"""Requests and their decisions: a person asks for a larger quota; unit heads decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.scopes import has_role
from provisioning.approvals.forms import DecisionForm, QuotaRequestForm
from provisioning.approvals.selectors import pending_quota_requests, quota_request_rows
from provisioning.approvals.services import quota_request_create, quota_request_decide
from provisioning.people.models import Person


@require_http_methods(["POST"])
@login_required
def quota_request_new(request: HttpRequest) -> HttpResponse:
    """A person asks for a larger quota for their own mailbox."""
    person = Person.objects.select_related("unit").filter(uid=request.user.username).first()
    if person is None:
        raise PermissionDenied
    form = QuotaRequestForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        quota_request_create(actor=request.user, person=person, requested_mb=form.cleaned_data["requested_mb"],
                             reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Your request was sent to the unit head."))
    return redirect("me")


@require_http_methods(["GET", "POST"])
@login_required
def quota_requests(request: HttpRequest) -> HttpResponse:
    """Unit heads decide the requests of the people in their units."""
    if not has_role(request.user, Role.UNIT_HEAD):
        raise PermissionDenied
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a request and a decision."))
            return redirect("provisioning:quota_requests")
        req = get_object_or_404(pending_quota_requests(request.user), pk=form.cleaned_data["request"])
        try:
            quota_request_decide(actor=request.user, request=req, approve=form.cleaned_data["decision"] == "approve",
                                 note=form.cleaned_data["note"])
        except (ValidationError, PermissionDenied):
            messages.error(request, _("You cannot decide this request (it may be your own)."))
        else:
            messages.success(request, _("The decision was recorded."))
        return redirect("provisioning:quota_requests")
    return render(request, "provisioning/quota_requests.html", {"rows": quota_request_rows(request.user)})
