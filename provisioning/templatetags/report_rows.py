"""The report's two per-unit tables, one row per child unit, built in Python: at a hundred or more
children (a province's departments, a department's divisions) the template engine's per-variable cost
(lookup, localisation, a URL reverse per row) was most of the page's server time. The output is the
markup the template wrote, cell for cell."""

from __future__ import annotations

from urllib.parse import quote

from django import template
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


def _share(count: int, pct: float | None) -> str:
    return f"{localize(count)} ({'—' if pct is None else f'{localize(pct)}%'})"


def _change(change: int | None) -> str:
    if not change:
        return ""
    return f" <small>(▲{change})</small>" if change > 0 else f" <small>(▼{-change})</small>"


@register.simple_tag
def report_rank_rows(children, day) -> SafeString:
    """The ranking table's rows: rank (and its change), unit (a link to its page as of ``day``), staff,
    mailbox, regular users, personal certificates (count and %), organisational certificate, pending
    requests, score."""
    base, as_of = reverse("provisioning:report_unit", args=["-"])[:-2], day.isoformat()
    yes, no = conditional_escape(gettext("yes")), conditional_escape(gettext("no"))
    rows = []
    for f in children:
        rows.append(
            f'<tr><td>{"—" if f.rank is None else f.rank}{_change(f.rank_change)}</td>'
            f'<td><a href="{base}{conditional_escape(quote(f.unit.code))}/?as_of={as_of}">{conditional_escape(f.name)}'
            f'</a></td><td class="num">{localize(f.staff)}</td><td class="num">{_share(f.mailbox, f.mailbox_pct)}</td>'
            f'<td class="num">{_share(f.regular, f.regular_pct)}</td>'
            f'<td class="num">{_share(f.personal_cert, f.cert_pct)}</td><td>{yes if f.org_cert else no}</td>'
            f'<td class="num">{localize(f.pending)}</td>'
            f'<td class="num">{"—" if f.score is None else localize(f.score)}</td></tr>')
    return mark_safe("\n".join(rows))  # every value above is a number or escaped


@register.simple_tag
def report_usage_rows(children, listed) -> SafeString:
    """The mailbox-use table's rows; the link to each mailbox only for units in the reader's IT scope."""
    mailboxes = reverse("provisioning:mailboxes")
    each, only = gettext("each mailbox"), gettext("aggregates only")
    rows = []
    for f in children:
        storage = f"{filesizeformat(f.bytes_used)} / {filesizeformat(f.quota_bytes)}"
        if f.storage_pct is not None:
            storage += f" ({localize(f.storage_pct)}%)"
        link = format_html('<a href="{}?unit={}&amp;activity=inactive30" class="per-person">{}</a>', mailboxes,
                           quote(f.unit.code, safe="/"), each) if f.unit.pk in listed else \
            format_html('<span class="hint">{}</span>', only)
        rows.append(format_html(
            '<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>'
            '<td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>', f.name, localize(f.mailbox),
            localize(f.never_logged_in), localize(f.inactive_30), localize(f.inactive_90), storage, link))
    return mark_safe("\n".join(rows))  # built by format_html
