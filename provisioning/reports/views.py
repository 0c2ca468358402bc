"""The IT lead's adoption pages: the province overview, a unit's drill-down, exports (CSV, XLSX, the
yearly PDF; the same figures as JSON: provisioning/api/reports.py)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from provisioning.common import spreadsheets
from provisioning.reports.charts import trend_svg
from provisioning.reports.printing import report_pdf
from provisioning.reports.selectors import (
    COLUMNS,
    figures,
    may_read_reports,
    per_person_units,
    report_tops,
    report_unit,
    trend,
)


def _day(request: HttpRequest) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get("as_of") or "")
    except ValueError:
        return timezone.localdate()
    return min(day, timezone.localdate())


def _scope(request: HttpRequest, code: str | None):
    if not may_read_reports(request.user):
        raise PermissionDenied
    if code is None:
        return report_tops(request.user)
    unit = report_unit(request.user, code)
    if unit is None:
        raise Http404
    return [unit]


def _rows(found):
    for top in found:
        for f in [top, *top.children]:
            yield f.as_dict(children=False)


KINDS = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "pdf": "application/pdf"}


def _export(found, fmt: str, day: dt.date) -> HttpResponse:
    """The page's tables as CSV or XLSX (streamed, as every export), or the yearly report as PDF."""
    name = f"bao-cao-{day.isoformat()}.{fmt}"
    if fmt == "pdf":
        response = HttpResponse(report_pdf(found, day), content_type=KINDS[fmt])
    else:
        response = StreamingHttpResponse(spreadsheets.report_chunks(_rows(found), COLUMNS, fmt),
                                         content_type=KINDS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@login_required
def report_overview(request: HttpRequest, code: str | None = None) -> HttpResponse:
    day = _day(request)
    found = [f for unit in _scope(request, code) for f in figures(day, unit)]
    fmt = request.GET.get("format")
    if fmt in KINDS:
        return _export(found, fmt, day)
    months = [day - dt.timedelta(days=30 * i) for i in range(11, -1, -1)]
    charts = {f.unit.pk: trend_svg(trend(f.unit, months)) for f in found}
    return render(request, "provisioning/report.html", {
        "found": found, "day": day, "is_today": day == timezone.localdate(), "charts": charts, "code": code,
        "regular_days": settings.IDM_REGULAR_USE_DAYS, "listed": per_person_units(request.user, found)})
