"""The yearly report as a PDF: the figures of the units in the reader's scope as of a chosen date, in
Vietnamese whatever the page language (it is filed with the province's yearly report), through the one
PDF path (idm.pdf: WeasyPrint, Debian's fonts, nothing fetched)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import translation

from idm.pdf import render_pdf
from provisioning.reports.selectors import Figures


def vi_number(value) -> str:
    """1.000 and 80,0 — Vietnamese separators; "—" for a figure that does not exist (no staff)."""
    if value is None:
        return "—"
    if isinstance(value, float):
        whole, _sep, decimals = f"{value:,.1f}".partition(".")
        return whole.replace(",", ".") + "," + decimals
    return f"{value:,}".replace(",", ".")


def _row(f: Figures) -> dict:
    pct = {k: vi_number(getattr(f, k)) for k in ("mailbox_pct", "regular_pct", "cert_pct", "storage_pct", "score")}
    counts = {k: vi_number(getattr(f, k)) for k in ("staff", "mailbox", "regular", "personal_cert", "org_certs",
                                                    "org_cert_units", "units", "pending", "never_logged_in",
                                                    "inactive_30", "inactive_90")}
    return {"name": f.name, "code": f.unit.code, "rank": f.rank or "—", "org_cert": f.org_cert,
            "gb_used": vi_number(round(f.bytes_used / 2**30, 1)),
            "gb_quota": vi_number(round(f.quota_bytes / 2**30, 1)),
            "has_staff": bool(f.staff)} | pct | counts


def report_pdf(found: list[Figures], day: dt.date) -> bytes:
    """The PDF of these units' figures (each with the units directly below it) as of ``day``."""
    with translation.override("vi"):
        sections = [{"top": _row(top), "children": [_row(c) for c in top.children]} for top in found]
        return render_pdf("pdf/adoption_report.html", {
            "sections": sections, "day": day, "regular_days": settings.IDM_REGULAR_USE_DAYS,
            "province": found[0].name if found else ""},
            title=f"Báo cáo tình hình sử dụng thư điện tử công vụ và chữ ký số đến ngày {day:%d/%m/%Y}")
