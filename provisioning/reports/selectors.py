"""Reading the figures: a unit and its subtree on a day, summed along the tree *as it stood that day*
(so a figure read as of a past date follows the tree of that date), percentages, the adoption score
and the ranking among siblings with its change since the previous period.

Percentages are rounded **down** to one decimal (a share of 99.96 % shows as 99.9 %), so 100 % is shown
only when every person counts; a unit with no staff has no percentage (shown as —)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.scopes import has_role, within
from provisioning.reports.models import UnitSnapshot
from provisioning.reports.services import unit_figures_on
from provisioning.units.models import Unit
from provisioning.units.selectors import tree_as_of

# the report's table, for exports and the command: (key in Figures.as_dict, translated header)
COLUMNS = [("code", _("Unit code")), ("name", _("Unit")), ("staff", _("Staff")), ("mailbox", _("Mailbox issued")),
           ("mailbox_pct", _("Mailbox issued (%)")), ("regular", _("Regular users")),
           ("regular_pct", _("Regular users (%)")), ("personal_cert", _("Personal certificates")),
           ("cert_pct", _("Personal certificates (%)")), ("org_cert", _("Organisational certificate")),
           ("pending", _("Pending requests")), ("score", _("Score")), ("rank", _("Rank")),
           ("rank_change", _("Rank change"))]
COUNTS = ("staff", "mailbox", "regular", "personal_cert", "pending")


def percent(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return math.floor(part * 1000 / whole) / 10


def weights() -> dict[str, float]:
    out = {"mailbox": 0.4, "regular": 0.4, "certificate": 0.2}
    for item in settings.IDM_ADOPTION_WEIGHTS.split(","):
        name, _, value = item.partition("=")
        if name.strip() in out:
            out[name.strip()] = float(value)
    return out


@dataclass
class Figures:
    unit: Unit
    name: str
    kind: str
    staff: int = 0
    mailbox: int = 0
    regular: int = 0
    personal_cert: int = 0
    pending: int = 0
    units: int = 0  # units in the subtree (itself included)
    org_cert_units: int = 0  # of them, holding a valid organisational certificate
    org_cert: bool = False  # this unit itself holds one
    rank: int | None = None
    rank_change: int | None = None  # positive: moved up since the previous period
    children: list[Figures] = field(default_factory=list)

    @property
    def mailbox_pct(self):
        return percent(self.mailbox, self.staff)

    @property
    def regular_pct(self):
        return percent(self.regular, self.staff)

    @property
    def cert_pct(self):
        return percent(self.personal_cert, self.staff)

    @property
    def score(self) -> float | None:
        if not self.staff:
            return None
        w = weights()
        total = sum(w.values()) or 1
        raw = (w["mailbox"] * self.mailbox + w["regular"] * self.regular + w["certificate"] * self.personal_cert)
        return math.floor(raw * 1000 / (self.staff * total)) / 10

    def as_dict(self, *, children: bool = True) -> dict:
        d = {"code": self.unit.code, "name": self.name, "kind": self.kind,
             **{c: getattr(self, c) for c in COUNTS}, "units": self.units, "org_cert": self.org_cert,
             "org_cert_units": self.org_cert_units, "mailbox_pct": self.mailbox_pct, "regular_pct": self.regular_pct,
             "cert_pct": self.cert_pct, "score": self.score, "rank": self.rank, "rank_change": self.rank_change}
        if children:
            d["children"] = [c.as_dict(children=False) for c in self.children]
        return d


def _snapshots(day: dt.date) -> dict[int, UnitSnapshot]:
    rows = {s.unit_id: s for s in UnitSnapshot.objects.filter(day=day)}
    if not rows and day >= timezone.localdate() - dt.timedelta(days=1):
        # today (or yesterday) before the task ran: the same figures, computed now and not stored (a GET
        # changes nothing, SE-08)
        rows = {pk: UnitSnapshot(day=day, unit_id=pk, **f) for pk, f in unit_figures_on(day).items()}
    return rows


def _build(node: dict, snaps: dict[int, UnitSnapshot]) -> Figures:
    v, unit = node["version"], node["unit"]
    f = Figures(unit=unit, name=v.name, kind=v.kind)
    own = snaps.get(unit.pk)
    if own is not None:
        for c in COUNTS:
            setattr(f, c, getattr(own, c))
        f.org_cert = own.org_cert
    f.units, f.org_cert_units = 1, int(f.org_cert)
    for child in node["children"]:
        cf = _build(child, snaps)
        f.children.append(cf)
        for c in COUNTS:
            setattr(f, c, getattr(f, c) + getattr(cf, c))
        f.units += cf.units
        f.org_cert_units += cf.org_cert_units
    return f


def _rank(items: list[Figures]) -> dict[int, int]:
    """Competition ranking by score (1, 2, 2, 4); units without staff are not ranked."""
    scored = sorted((f for f in items if f.score is not None), key=lambda f: -f.score)
    ranks, previous, position = {}, None, 0
    for i, f in enumerate(scored, start=1):
        if f.score != previous:
            position, previous = i, f.score
        ranks[f.unit.pk] = position
    return ranks


def figures(day: dt.date, unit: Unit | None = None) -> list[Figures]:
    """The figures of ``unit`` (or of every top-level unit) on ``day``, each with its children ranked
    among themselves and the rank change against the period before (``IDM_REGULAR_USE_DAYS`` earlier)."""
    snaps = _snapshots(day)
    tree = tree_as_of(day, unit)
    result = [_build(node, snaps) for node in tree]
    before_day = day - dt.timedelta(days=settings.IDM_REGULAR_USE_DAYS)
    before_snaps = {s.unit_id: s for s in UnitSnapshot.objects.filter(day=before_day)}
    before = {f.unit.pk: f for f in (_build(n, before_snaps) for n in tree_as_of(before_day, unit))}
    for top in result:
        ranks = _rank(top.children)
        previous = _rank(before[top.unit.pk].children) if top.unit.pk in before and before_snaps else {}
        for child in top.children:
            child.rank = ranks.get(child.unit.pk)
            if child.rank is not None and child.unit.pk in previous:
                child.rank_change = previous[child.unit.pk] - child.rank
    return result


def trend(unit: Unit, days: list[dt.date]) -> list[tuple[dt.date, float | None, float | None]]:
    """(day, mailbox %, regular %) of the unit's *current* subtree on each of ``days`` that has a
    snapshot: the past of a unit is the sum of the units it is made of today, so a unit formed by a
    merger shows the history of its parts. One grouped query."""
    sums = (UnitSnapshot.objects.filter(day__in=days, unit__path__startswith=unit.path).values("day")
            .annotate(staff=Sum("staff"), mailbox=Sum("mailbox"), regular=Sum("regular")).order_by("day"))
    return [(r["day"], percent(r["mailbox"], r["staff"]), percent(r["regular"], r["staff"])) for r in sums]


def may_read_reports(user) -> bool:
    return has_role(user, Role.IT_LEAD) or has_role(user, Role.HR_ADMIN)


def report_units(user):
    """The units whose figures this user may read: an IT lead's and an HR officer's subtrees (all for
    the superadmin). Figures are aggregates; per-person rows stay on the mailbox pages and their scope."""
    mine = within(Unit.objects.all(), user, Role.IT_LEAD, "path")
    return mine | within(Unit.objects.all(), user, Role.HR_ADMIN, "path")
