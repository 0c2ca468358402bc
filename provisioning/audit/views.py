"""The audit trail page: filters, pages, and the same rows as CSV or XLSX."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from provisioning.audit.forms import AuditFilterForm
from provisioning.audit.selectors import audit_filtered, audit_for_reader, in_reader_scope, reads_everything
from provisioning.audit.services import action_label, audit_changes, audit_details, audit_summary
from provisioning.common import spreadsheets
from provisioning.units.models import Unit
from provisioning.units.selectors import label_units, unit_choices

EXPORT_COLUMNS = ["at", "seq", "actor", "action", "action_label", "target_type", "target_id", "target", "unit",
                  "source_ip", "reason", "before", "after", "hash"]


@require_GET
@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    entries = audit_for_reader(request.user)  # 403 unless superadmin, IT lead or HR officer
    units = Unit.objects.all()
    if not reads_everything(request.user):
        units = in_reader_scope(units, request.user, "path")
    form = AuditFilterForm(request.GET or None)
    filters = _filters(form, units)
    entries = audit_filtered(entries, **filters) if filters is not None else entries.none()
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return _export(entries, fmt)
    page = Paginator(entries.select_related("unit").only(
        "seq", "at", "actor_label", "action", "target_label", "unit__path", "unit__name", "unit__code",
        "before", "after", "reason", "source_ip"), 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    label_units([e for e in page.object_list if e.unit is not None], unit=lambda e: e.unit)
    rows = [(e, audit_summary(e), [*audit_details(e), *audit_changes(e)]) for e in page.object_list]
    return render(request, "provisioning/audit_list.html", {
        "form": form, "page": page, "rows": rows, "units": unit_choices(units.only("code", "name", "path")),
        "query_string": request.GET.urlencode()}, status=400 if form.errors else 200)


def _filters(form: AuditFilterForm, units) -> dict | None:
    """The form's filters for audit_filtered; None when the unit asked for is not one of the reader's."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    out = {k: data.get(k) for k in ("person", "actor", "action", "date_from", "date_to")}
    if data.get("unit"):
        unit = units.filter(code=data["unit"]).only("path").first()
        if unit is None:
            return None
        out["unit_path"] = unit.path
    return {k: v for k, v in out.items() if v}


def _export(entries, fmt: str) -> StreamingHttpResponse:
    labels = [_("When"), _("No."), _("Changed by"), _("Action code"), _("Action"), _("Kind"), _("Id"), _("About"),
              _("Unit code"), _("From address"), _("Reason"), _("Before"), _("After"), _("Hash")]
    tz = timezone.get_current_timezone()

    def rows():
        for e in entries.select_related("unit").iterator(chunk_size=2000):
            yield {"at": e.at.astimezone(tz).isoformat(timespec="seconds"), "seq": e.seq, "actor": e.actor_label,
                   "action": e.action, "action_label": action_label(e.action), "target_type": e.target_type,
                   "target_id": e.target_id, "target": e.target_label, "unit": e.unit.code if e.unit else "",
                   "source_ip": e.source_ip or "", "reason": e.reason, "before": _json(e.before),
                   "after": _json(e.after), "hash": e.hash}

    ctype = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = StreamingHttpResponse(spreadsheets.report_chunks(rows(), list(zip(EXPORT_COLUMNS, labels,
                                                                                 strict=True)), fmt),
                                     content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate().isoformat()}.{fmt}"'
    return response


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
