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
from provisioning.common.forms import UploadForm, add_errors
from provisioning.reorg.forms import (
    DissolveForm,
    MergeForm,
    PlanActionForm,
    PlanEditForm,
    RenameForm,
    ReparentForm,
    SplitForm,
    parts_from_text,
)
from provisioning.reorg.models import UnitPlan
from provisioning.reorg.services import (
    plan_apply,
    plan_assignments_load,
    plan_cancel,
    plan_dissolve_create,
    plan_edit,
    plan_merge_create,
    plan_preview,
    plan_rename_create,
    plan_reparent_create,
    plan_split_create,
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
    return _list(request, form=form, status=400 if form.errors else 200)


def _list(request: HttpRequest, status: int = 200, **forms) -> HttpResponse:
    context = {"form": MergeForm(), "dissolve": DissolveForm(prefix="d"), "rename": RenameForm(prefix="r"),
               "reparent": ReparentForm(prefix="m"), "split": SplitForm(prefix="s")} | forms
    return render(request, "provisioning/plan_list.html", context | {
        "plans": UnitPlan.objects.prefetch_related("sources").select_related("target")[:100]}, status=status)


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
    return _list(request, dissolve=form, status=400)


def _create(request: HttpRequest, form, create, key: str) -> HttpResponse:
    """A plan form posted: the service creates the plan (its preview next), or the form comes back."""
    if form.is_valid():
        try:
            plan = create(form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("provisioning:plan_detail", pk=plan.pk)
    return _list(request, status=400, **{key: form})


@require_POST
@login_required
def plan_rename_new(request: HttpRequest) -> HttpResponse:
    _superadmin(request)
    return _create(request, RenameForm(request.POST, prefix="r"), lambda d: plan_rename_create(
        actor=request.user, unit=d["unit"], new_name=d["new_name"], effective=d["effective"], note=d["note"]),
        "rename")


@require_POST
@login_required
def plan_reparent_new(request: HttpRequest) -> HttpResponse:
    _superadmin(request)
    return _create(request, ReparentForm(request.POST, prefix="m"), lambda d: plan_reparent_create(
        actor=request.user, sources=list(d["sources"]), new_parent=d["new_parent"], effective=d["effective"],
        note=d["note"], alias_days=d["alias_days"]), "reparent")


@require_POST
@login_required
def plan_split_new(request: HttpRequest) -> HttpResponse:
    _superadmin(request)
    return _create(request, SplitForm(request.POST, prefix="s"), lambda d: plan_split_create(
        actor=request.user, source=d["source"], parts=d["parts"], effective=d["effective"], note=d["note"],
        alias_days=d["alias_days"]), "split")


@require_GET
@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _superadmin(request)
    plan = get_object_or_404(UnitPlan, pk=pk)
    return _detail(request, plan)


def _detail(request: HttpRequest, plan: UnitPlan, status: int = 200, **extra) -> HttpResponse:
    context = {"plan": plan, "edit": PlanEditForm(plan=plan), "upload": UploadForm()} | extra
    if plan.status in (UnitPlan.Status.DRAFT, UnitPlan.Status.APPLYING):
        context["preview"] = plan_preview(plan)
    return render(request, "provisioning/plan_detail.html", context, status=status)


@require_POST
@login_required
def plan_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    _superadmin(request)
    plan = get_object_or_404(UnitPlan, pk=pk)
    form = PlanEditForm(request.POST, plan=plan)
    if form.is_valid():
        d = form.cleaned_data
        try:
            plan_edit(actor=request.user, plan=plan, effective=d["effective"], note=d["note"],
                      alias_days=d["alias_days"], clear_alias_days=d["alias_days"] is None,
                      new_name=d.get("new_name") or None,
                      parts=parts_from_text(d["parts"]) if d.get("parts") else None)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The plan was changed."))
            return redirect("provisioning:plan_detail", pk=plan.pk)
    return _detail(request, plan, status=400, edit=form)


@require_POST
@login_required
def plan_assignments(request: HttpRequest, pk: int) -> HttpResponse:
    _superadmin(request)
    plan = get_object_or_404(UnitPlan, pk=pk, kind=UnitPlan.Kind.SPLIT)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, plan, status=400, upload=form)
    upload = form.cleaned_data["file"]
    try:
        row_errors = plan_assignments_load(actor=request.user, plan=plan, fileobj=upload, filename=upload.name)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("provisioning:plan_detail", pk=plan.pk)
    plan.refresh_from_db()
    if not row_errors:
        messages.success(request, _("%(n)s people assigned from the spreadsheet.") % {"n": len(plan.assignments)})
    return _detail(request, plan, row_errors=row_errors)  # the good rows are kept, the bad ones listed


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
