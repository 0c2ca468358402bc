"""Mailbox usage pages: for IT leads, every mailbox in their scope; for a person, their own."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.scopes import has_role, province_wide
from provisioning.common import spreadsheets
from provisioning.common.forms import UploadForm
from provisioning.mailboxes.forms import FunctionalMailboxForm
from provisioning.mailboxes.models import FunctionalMailbox
from provisioning.mailboxes.selectors import it_lead_units, latest_day, mailboxes_filtered, with_quota
from provisioning.mailboxes.services import functional_create, functional_set_delegates
from provisioning.mailboxes.usage_import import import_usage
from provisioning.people.models import PersonStatus
from provisioning.units.models import Unit
from provisioning.units.selectors import label_units, unit_choices, unit_managed_by


@require_GET
@login_required
def mailbox_list(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, Role.IT_LEAD):
        raise PermissionDenied
    day = latest_day()
    filters = {k: request.GET.get(k, "") for k in ("unit", "status", "activity", "sort")}
    qs = mailboxes_filtered(request.user, day, unit_code=filters["unit"][:35], status=filters["status"],
                            activity=filters["activity"], sort=filters["sort"] or "name")
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return _export(qs, fmt, day)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    choices = unit_choices(it_lead_units(request.user))
    page.object_list = label_units(with_quota(page.object_list), known=[u for u, _label in choices])
    return render(request, "provisioning/mailbox_list.html", {
        "page": page, "day": day, "units": choices, "statuses": PersonStatus.choices,
        "sort": filters["sort"] or "name", "activity": filters["activity"], "unit": filters["unit"][:35],
        "status": filters["status"], "query_string": request.GET.urlencode()})


def _export(qs, fmt: str, day) -> HttpResponse:
    columns = [("mail", _("Official email")), ("name", _("Name")), ("unit", _("Unit")), ("status", _("Status")),
               ("mailbox", _("Mailbox")),
               ("bytes_used", _("Storage used (bytes)")), ("quota_bytes", _("Quota (bytes)")),
               ("messages", _("Messages")), ("last_login", _("Last login"))]

    def rows():
        for p in with_quota(qs.iterator(chunk_size=2000)):
            yield {"mail": p.mail, "name": p.full_name, "unit": p.unit.name, "status": p.get_status_display(),
                   "mailbox": p.mailbox_state,
                   "bytes_used": p.bytes_used, "quota_bytes": p.quota_bytes, "messages": p.messages,
                   "last_login": timezone.localtime(p.last_login).strftime("%Y-%m-%d %H:%M") if p.last_login else ""}

    # streamed: a province's million mailboxes never sit in memory (CSV a thousand rows at a time)
    response = StreamingHttpResponse(spreadsheets.report_chunks(rows(), columns, fmt),
                                     content_type="text/csv; charset=utf-8" if fmt == "csv" else
                                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="mailboxes-{day or "none"}.{fmt}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def usage_upload(request: HttpRequest) -> HttpResponse:
    """IT leads of provinces whose mail runs elsewhere load its usage export (superadmin or an
    IT lead for the whole province: the figures may cover any unit)."""

    if not province_wide(request.user, Role.IT_LEAD):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.IDM_IMPORT_MAX_BYTES:
            form.add_error("file", _("The file is larger than %(mb)s MB. Split it into smaller files.")
                           % {"mb": settings.IDM_IMPORT_MAX_BYTES // 2**20})
        else:
            result = import_usage(upload, upload.name, actor=request.user, source="web")
            if result.file_error:
                form.add_error("file", result.file_error)
    return render(request, "provisioning/usage_upload.html", {"form": form, "result": result},
                  status=400 if form.errors else 200)


@require_http_methods(["POST"])
@login_required
def functional_mailbox_save(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    """HR officers of the unit (or the superadmin) create a functional mailbox or change its delegates."""
    unit = get_object_or_404(Unit, code=code)
    if not unit_managed_by(request.user, unit):
        raise PermissionDenied
    form = FunctionalMailboxForm(request.POST, unit=unit)
    try:
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        d = form.cleaned_data
        if pk is None:
            functional_create(actor=request.user, unit=unit, local_part=d["local_part"], name=d["name"],
                              delegates=d["delegates"])
            messages.success(request, _("The functional mailbox was created."))
        else:
            mailbox = get_object_or_404(FunctionalMailbox, pk=pk, unit=unit)
            functional_set_delegates(actor=request.user, mailbox=mailbox, delegates=d["delegates"])
            messages.success(request, _("The delegates were saved."))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    return redirect("provisioning:unit_detail", code=unit.code)
