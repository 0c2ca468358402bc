"""HR pages for bulk onboarding: upload -> preview -> commit -> progress -> result."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.scopes import hr_required
from provisioning.common import spreadsheets
from provisioning.common.forms import UploadForm
from provisioning.imports import services as imports
from provisioning.imports import tasks
from provisioning.imports.models import ImportBatch, ImportRow
from provisioning.imports.selectors import batch_for, batches_for, upload_scope
from provisioning.people import validation
from provisioning.people.models import Person


@require_http_methods(["GET", "POST"])
@hr_required
def import_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = imports.import_create(actor=request.user, fileobj=form.cleaned_data["file"],
                                      filename=form.cleaned_data["file"].name, scope=upload_scope(request.user))
        if batch.status == ImportBatch.Status.VALIDATING:
            transaction.on_commit(lambda: tasks.dispatch(tasks.import_validate_task, batch.pk))
        return redirect("provisioning:import", pk=batch.pk)
    batches = Paginator(batches_for(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "provisioning/import_list.html", {"form": form, "batches": batches},
                  status=400 if form.errors else 200)


@require_GET
@hr_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = batch_for(request.user, pk)
    show = request.GET.get("show", "reject" if batch.rejected else "all")
    rows = batch.rows.order_by("row_number")
    if show in ImportRow.Action.values:
        rows = rows.filter(action=show)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    mails = dict(Person.objects.filter(employee_code__in=[r.employee_code for r in page.object_list])
                 .values_list("employee_code", "mail"))
    for r in page.object_list:
        r.mail = mails.get(r.employee_code) if r.action in (ImportRow.Action.CREATE, ImportRow.Action.UPDATE) \
            and batch.status == ImportBatch.Status.DONE else r.proposed_mail
        r.error_list = imports.row_problems(r)  # stored as codes: shown in the reader's language
        r.warning_list = [validation.render(w) for w in r.warnings]
        r.name = r.data.get("full_name") or " ".join(
            x for x in (r.data.get("family_name"), r.data.get("middle_name"), r.data.get("given_name")) if x)
    return render(request, "provisioning/import_detail.html", {
        "batch": batch, "page": page, "show": show, "actions": ImportRow.Action.choices,
        "batch_warnings": imports.batch_warnings(batch)})


@require_GET
@hr_required
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    batch = batch_for(request.user, pk)
    return JsonResponse({"status": batch.status, "processed": batch.processed, "total": batch.total,
                         "created": batch.created, "updated": batch.updated, "rejected": batch.rejected,
                         "failed": batch.failed})


@require_POST
@hr_required
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = batch_for(request.user, pk)
    if batch.status != ImportBatch.Status.PREVIEW:
        messages.error(request, _("This import is not waiting for confirmation."))
        return redirect("provisioning:import", pk=batch.pk)
    if imports.import_commit_claim(batch):
        transaction.on_commit(lambda: tasks.dispatch(tasks.import_commit_task, batch.pk, request.user.pk))
    return redirect("provisioning:import", pk=batch.pk)


@require_GET
@hr_required
def import_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    batch = batch_for(request.user, pk)
    body = imports.error_report(batch, fmt)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8" if fmt == "csv" else
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.{fmt}"'
    return response


@require_GET
@hr_required
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    lang = "vi" if (get_language() or "vi").startswith("vi") else "en"
    body = spreadsheets.template(lang, fmt)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8" if fmt == "csv" else
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = "mau-danh-sach-can-bo" if lang == "vi" else "staff-template"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
