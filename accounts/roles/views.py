"""The roles page: who holds which role where, granting and revoking (superadmin and HR officers)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from accounts.roles.forms import GrantForm, RevokeForm, RoleFilterForm
from accounts.roles.selectors import (
    assignment_for_grantor,
    assignments_for,
    grantable_people,
    grantable_units,
    grantor_required,
    person_candidates,
)
from accounts.roles.services import grantable_roles, may_revoke, role_grant, role_revoke


def _grant_form(request: HttpRequest, data=None) -> GrantForm:
    who = RoleFilterForm(request.GET).data.get("who", "")[:100]
    return GrantForm(data, units=grantable_units(request.user), people=grantable_people(request.user),
                     candidates=person_candidates(request.user, who), roles=grantable_roles(request.user))


def _page(request: HttpRequest, grant_form: GrantForm, status: int = 200) -> HttpResponse:
    filters = RoleFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    qs = assignments_for(request.user, q=data.get("q", ""), role=data.get("role", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(a, may_revoke(request.user, a)) for a in page.object_list]
    return render(request, "accounts/roles.html", {
        "page": page, "rows": rows, "filters": filters, "grant_form": grant_form, "roles": Role.choices,
        "who": data.get("who", "")}, status=status)


@require_GET
@login_required
def role_list(request: HttpRequest) -> HttpResponse:
    grantor_required(request.user)
    return _page(request, _grant_form(request))


@require_POST
@login_required
def role_grant_view(request: HttpRequest) -> HttpResponse:
    grantor_required(request.user)
    form = _grant_form(request, request.POST)
    if form.is_valid():
        try:
            a = role_grant(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s is now %(role)s of %(unit)s.")
                             % {"name": a.person.full_name, "role": a.get_role_display(), "unit": a.unit.name})
            return redirect("accounts:roles")
    return _page(request, form, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def role_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST revokes."""
    assignment = assignment_for_grantor(request.user, pk)
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            role_revoke(actor=request.user, assignment=assignment, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s is no longer %(role)s of %(unit)s.") % {
                "name": assignment.person.full_name, "role": assignment.get_role_display(),
                "unit": assignment.unit.name})
            return redirect("accounts:roles")
    return render(request, "accounts/role_revoke.html", {"assignment": assignment, "form": form},
                  status=400 if form.errors else 200)
