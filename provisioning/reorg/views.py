"""The superadmin's reorganisation plans: list, a new merger, its preview, apply or cancel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.scopes import is_superadmin
from directory.errors import DirectoryError
from provisioning.common.forms import add_errors
from provisioning.reorg.forms import DissolveForm, MergeForm, PlanActionForm
from provisioning.reorg.models import UnitPlan
from provisioning.reorg.services import (
    plan_apply,
    plan_cancel,
    plan_dissolve_create,
    plan_merge_create,
    plan_preview,
)


def _superadmin(request: HttpRequest) -> None:
    if not is_superadmin(request.user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    _superadmin(request)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_merge_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("provisioning:plan_detail", pk=plan.pk)
    return render(request, "provisioning/plan_list.html", {"form": form, "dissolve": DissolveForm(prefix="d"),
                  "plans": UnitPlan.objects.all()[:100]}, status=400 if form.errors else 200)


@require_POST
@login_required
def plan_dissolve_new(request: HttpRequest) -> HttpResponse:
    _superadmin(request)
    form = DissolveForm(request.POST, prefix="d")
    if form.is_valid():
        try:
            plan = plan_dissolve_create(actor=request.user, sources=list(form.cleaned_data["units"]),
                                        effective=form.cleaned_data["effective"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("provisioning:plan_detail", pk=plan.pk)
    return render(request, "provisioning/plan_list.html", {"form": MergeForm(), "dissolve": form,
                  "plans": UnitPlan.objects.all()[:100]}, status=400)


@require_GET
@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _superadmin(request)
    plan = get_object_or_404(UnitPlan, pk=pk)
    return render(request, "provisioning/plan_detail.html", {"plan": plan, "preview": plan_preview(plan)})


@require_POST
@login_required
def plan_action(request: HttpRequest, pk: int) -> HttpResponse:
    _superadmin(request)
    plan = get_object_or_404(UnitPlan, pk=pk)
    form = PlanActionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose apply or cancel."))
        if form.cleaned_data["action"] == "apply":
            plan = plan_apply(actor=request.user, plan=plan)
            messages.success(request, _("The plan was applied: %(n)s people and units moved.") % {"n": plan.progress})
        else:
            plan_cancel(actor=request.user, plan=plan)
            messages.success(request, _("The plan was cancelled."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except DirectoryError:
        messages.error(request, _("The directory did not answer; what was done is kept. Apply again to finish."))
    return redirect("provisioning:plan_detail", pk=plan.pk)
