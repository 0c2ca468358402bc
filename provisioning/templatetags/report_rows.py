"""The report's two per-unit tables, one row per child unit, built in Python: at a hundred or more
children (a province's departments, a department's divisions) the template engine's per-variable cost
(lookup, localisation, a URL reverse per row) was most of the page's server time. The output is the
markup the template wrote, cell for cell."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from django import template
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.formats import get_format, localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


def _numbers():
    """A number as the template would localise it (Django's number_format: an int as it is without
    thousand separators, a float's decimal point in the language's form), looking the format up once
    per table rather than once per cell."""
    if settings.USE_THOUSAND_SEPARATOR:
        return localize
    point = get_format("DECIMAL_SEPARATOR")
    return lambda n: str(n) if isinstance(n, int) else str(n).replace(".", point)


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
    yes, no = escape(gettext("yes")), escape(gettext("no"))
    num = _numbers()

    def share(count: int, pct: float | None) -> str:
        return f"{num(count)} ({'—' if pct is None else f'{num(pct)}%'})"

    rows = []
    for f in children:
        rows.append(
            f'<tr><td>{"—" if f.rank is None else f.rank}{_change(f.rank_change)}</td>'
            f'<td><a href="{base}{escape(quote(f.unit.code))}/?as_of={as_of}">{escape(f.name)}</a></td>'
            f'<td class="num">{num(f.staff)}</td><td class="num">{share(f.mailbox, f.mailbox_pct)}</td>'
            f'<td class="num">{share(f.regular, f.regular_pct)}</td>'
            f'<td class="num">{share(f.personal_cert, f.cert_pct)}</td><td>{yes if f.org_cert else no}</td>'
            f'<td class="num">{num(f.pending)}</td>'
            f'<td class="num">{"—" if f.score is None else num(f.score)}</td></tr>')
    return mark_safe("\n".join(rows))  # every value above is a number or escaped


@register.simple_tag
def report_usage_rows(children, listed) -> SafeString:
    """The mailbox-use table's rows; the link to each mailbox only for units in the reader's IT scope."""
    mailboxes = escape(reverse("provisioning:mailboxes"))
    each, only = escape(gettext("each mailbox")), f'<span class="hint">{escape(gettext("aggregates only"))}</span>'
    num = _numbers()
    rows = []
    for f in children:
        storage = f"{filesizeformat(f.bytes_used)} / {filesizeformat(f.quota_bytes)}"
        if f.storage_pct is not None:
            storage += f" ({num(f.storage_pct)}%)"
        link = f'<a href="{mailboxes}?unit={escape(quote(f.unit.code, safe="/"))}&amp;activity=inactive30" ' \
            f'class="per-person">{each}</a>' if f.unit.pk in listed else only
        rows.append(f'<tr><td>{escape(f.name)}</td><td class="num">{num(f.mailbox)}</td>'
                    f'<td class="num">{num(f.never_logged_in)}</td><td class="num">{num(f.inactive_30)}</td>'
                    f'<td class="num">{num(f.inactive_90)}</td><td class="num">{escape(storage)}</td>'
                    f'<td>{link}</td></tr>')
    return mark_safe("\n".join(rows))  # every value above is a number or escaped
