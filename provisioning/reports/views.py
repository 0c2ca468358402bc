"""The IT lead's adoption pages: the province overview, a unit's drill-down, exports (CSV, XLSX, the
yearly PDF; the same figures as JSON: provisioning/api/reports.py)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from provisioning.common import spreadsheets
from provisioning.reports.charts import trend_svg
from provisioning.reports.printing import report_pdf
from provisioning.reports.selectors import (
    COLUMNS,
    RANKING_COLUMNS,
    figures,
    may_read_reports,
    per_person_units,
    province_ranking,
    report_tops,
    report_unit,
    trend,
)
from provisioning.units.models import UnitKind


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


def _export(found, fmt: str, day: dt.date, *, ranking: str = "") -> HttpResponse:
    """The page's tables as CSV or XLSX (streamed, as every export), or the yearly report as PDF."""
    name = f"bang-xep-hang-{ranking}-{day.isoformat()}.{fmt}" if ranking else f"bao-cao-{day.isoformat()}.{fmt}"
    if fmt == "pdf":
        response = HttpResponse(report_pdf(found, day), content_type=KINDS[fmt])
    else:
        rows, columns = ((f.ranking_dict() for f in found), RANKING_COLUMNS) if ranking else (_rows(found), COLUMNS)
        response = StreamingHttpResponse(spreadsheets.report_chunks(rows, columns, fmt), content_type=KINDS[fmt])
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


@require_GET
@login_required
def report_ranking(request: HttpRequest) -> HttpResponse:
    """Every unit of one kind in the reader's scopes, ranked across its province (aggregates only)."""
    tops = _scope(request, None)
    day = _day(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in UnitKind.values else UnitKind.DEPARTMENT
    found = province_ranking(day, kind, tops)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _export(found, fmt, day, ranking=kind)
    page = Paginator(found, 100).get_page(request.GET.get("page"))
    return render(request, "provisioning/report_ranking.html", {
        "page": page, "day": day, "is_today": day == timezone.localdate(), "kind": kind, "kinds": UnitKind.choices,
        "provinces": found.provinces, "compared": found.compared,
        "regular_days": settings.IDM_REGULAR_USE_DAYS})
