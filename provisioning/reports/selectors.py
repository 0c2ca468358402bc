"""Reading the figures: a unit and its subtree on a day, summed along the tree *as it stood that day*
(so a figure read as of a past date follows the tree of that date), percentages, the adoption score,
the ranking among siblings and the ranking across the province (every unit of one kind under the same
top-level unit), each with its change since the previous period.

Percentages are rounded **down** to one decimal (a share of 99.96 % shows as 99.9 %), so 100 % is shown
only when every person counts; a unit with no staff has no percentage (shown as —)."""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.scopes import covers, has_role, role_units
from provisioning.reorg.models import UnitPlan
from provisioning.reports.models import UnitSnapshot
from provisioning.reports.services import COUNTS, rolled_figures
from provisioning.units.models import Unit, UnitVersion
from provisioning.units.selectors import versions_as_of

# the report's table, for exports and the command: (key in Figures.as_dict, translated header)
COLUMNS = [("code", _("Unit code")), ("name", _("Unit")), ("staff", _("Staff")), ("mailbox", _("Mailbox issued")),
           ("mailbox_pct", _("Mailbox issued (%)")), ("regular", _("Regular users")),
           ("regular_pct", _("Regular users (%)")), ("personal_cert", _("Personal certificates")),
           ("cert_pct", _("Personal certificates (%)")), ("org_cert", _("Organisational certificate")),
           ("org_certs", _("Organisational certificates")),
           ("org_cert_units", _("Units with an organisational certificate")), ("units", _("Units")),
           ("pending", _("Pending requests")), ("never_logged_in", _("Never logged in")),
           ("inactive_30", _("No login for 30 days")), ("inactive_90", _("No login for 90 days")),
           ("bytes_used", _("Storage used (bytes)")), ("quota_bytes", _("Quota (bytes)")),
           ("storage_pct", _("Storage used (%)")), ("score", _("Score")), ("rank", _("Rank")),
           ("rank_change", _("Rank change"))]


# the province-wide ranking's table (Figures.ranking_dict)
RANKING_COLUMNS = [("province_rank", _("Rank in the province")), ("province_rank_change", _("Rank change")),
                   ("ranked", _("Units ranked")), ("province", _("Province")), ("code", _("Unit code")),
                   ("name", _("Unit")), ("kind", _("Kind")), ("staff", _("Staff")), ("mailbox", _("Mailbox issued")),
                   ("mailbox_pct", _("Mailbox issued (%)")), ("regular", _("Regular users")),
                   ("regular_pct", _("Regular users (%)")), ("personal_cert", _("Personal certificates")),
                   ("cert_pct", _("Personal certificates (%)")), ("org_cert", _("Organisational certificate")),
                   ("pending", _("Pending requests")), ("score", _("Score"))]


def percent(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return math.floor(part * 1000 / whole) / 10


def weights() -> dict[str, float]:
    return _weights(settings.IDM_ADOPTION_WEIGHTS)


@functools.lru_cache(maxsize=4)
def _weights(text: str) -> dict[str, float]:
    out = {"mailbox": 0.4, "regular": 0.4, "certificate": 0.2}
    for item in text.split(","):
        name, _, value = item.partition("=")
        if name.strip() in out:
            out[name.strip()] = float(value)
    return out


def score_of(staff: int, mailbox: int, regular: int, personal_cert: int) -> float | None:
    """The composite adoption score (0-100, rounded down to one decimal) by IDM_ADOPTION_WEIGHTS;
    None without staff."""
    if not staff:
        return None
    w = weights()
    total = sum(w.values()) or 1
    raw = w["mailbox"] * mailbox + w["regular"] * regular + w["certificate"] * personal_cert
    return math.floor(raw * 1000 / (staff * total)) / 10


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
    org_certs: int = 0  # valid organisational certificates held in the subtree
    never_logged_in: int = 0  # of the people with a mailbox
    inactive_30: int = 0
    inactive_90: int = 0
    bytes_used: int = 0
    quota_bytes: int = 0
    units: int = 0  # units in the subtree (itself included)
    org_cert_units: int = 0  # of them, holding a valid organisational certificate
    org_cert: bool = False  # this unit itself holds one
    rank: int | None = None
    rank_change: int | None = None  # positive: moved up since the previous period
    # across the province: among the units of the same kind under the same top-level unit
    province_rank: int | None = None
    province_rank_change: int | None = None
    ranked: int = 0  # how many units of that kind were ranked there
    province: str = ""  # the top-level unit's code
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
    def storage_pct(self):
        return percent(self.bytes_used, self.quota_bytes)

    @functools.cached_property  # read for the ranking, the table and the export: once per unit
    def score(self) -> float | None:
        return score_of(self.staff, self.mailbox, self.regular, self.personal_cert)

    def as_dict(self, *, children: bool = True) -> dict:
        d = {"code": self.unit.code, "name": self.name, "kind": self.kind,
             **{c: getattr(self, c) for c in COUNTS}, "units": self.units, "org_cert": self.org_cert,
             "org_cert_units": self.org_cert_units, "mailbox_pct": self.mailbox_pct, "regular_pct": self.regular_pct,
             "cert_pct": self.cert_pct, "storage_pct": self.storage_pct, "score": self.score, "rank": self.rank,
             "rank_change": self.rank_change}
        if children:
            d["children"] = [c.as_dict(children=False) for c in self.children]
        return d

    def ranking_dict(self) -> dict:
        return {**self.as_dict(children=False), "province_rank": self.province_rank,
                "province_rank_change": self.province_rank_change, "ranked": self.ranked, "province": self.province}


# what the report reads of a unit version and its unit (a page loads a hundred or more of them)
LEAN = ("unit_id", "parent_id", "name", "kind", "unit__id", "unit__code", "unit__name", "unit__path", "unit__kind",
        "unit__parent_id")
SUB = (*(f"sub_{c}" for c in COUNTS), "sub_units", "sub_org_cert_units", "org_cert")


def _rows(day: dt.date, ids: list[int], *, live_if_missing: bool) -> dict[int, dict]:
    """The stored figures of these units on ``day``; for today or yesterday before the task has stored
    them, the same figures computed now and not stored (a GET changes nothing, SE-08)."""
    rows = {r["unit_id"]: r for r in UnitSnapshot.objects.filter(day=day, unit_id__in=ids).values("unit_id", *SUB)}
    if not rows and live_if_missing and day >= timezone.localdate() - dt.timedelta(days=1) and \
            not UnitSnapshot.objects.filter(day=day).exists():
        rolled = rolled_figures(day)
        rows = {pk: {"unit_id": pk, **{k: rolled[pk][k] for k in SUB}} for pk in ids if pk in rolled}
    return rows


def _figures(version: UnitVersion, row: dict | None) -> Figures:
    f = Figures(unit=version.unit, name=version.name, kind=version.kind)
    if row is not None:
        for c in COUNTS:
            setattr(f, c, row[f"sub_{c}"])
        f.units, f.org_cert_units, f.org_cert = row["sub_units"], row["sub_org_cert_units"], row["org_cert"]
    return f


def _competition(scores: dict[int, float]) -> dict[int, int]:
    """Competition ranking, highest score first (1, 2, 2, 4)."""
    ranks, previous, position = {}, None, 0
    for i, (pk, score) in enumerate(sorted(scores.items(), key=lambda item: -item[1]), start=1):
        if score != previous:
            position, previous = i, score
        ranks[pk] = position
    return ranks


def _rank(items: list[Figures]) -> dict[int, int]:
    """Competition ranking by score (1, 2, 2, 4); units without staff are not ranked."""
    return _competition({f.unit.pk: f.score for f in items if f.score is not None})


def figures(day: dt.date, unit: Unit | None = None) -> list[Figures]:
    """The figures of ``unit`` (or of every top-level unit) on ``day``, over its subtree as the tree
    stood that day, each with its children ranked among themselves and the rank change against the
    period before (``IDM_REGULAR_USE_DAYS`` earlier). A few indexed queries, whatever the tree's size."""
    valid = versions_as_of(day).only(*LEAN)
    if unit is not None:
        tops = list(valid.filter(unit=unit))
    else:
        tops = list(valid.filter(parent__isnull=True))
    kids: dict[int, list[UnitVersion]] = {}
    for v in valid.filter(parent_id__in=[t.unit_id for t in tops]):
        kids.setdefault(v.parent_id, []).append(v)
    ids = [t.unit_id for t in tops] + [v.unit_id for vs in kids.values() for v in vs]
    rows = _rows(day, ids, live_if_missing=True)
    before_day = day - dt.timedelta(days=settings.IDM_REGULAR_USE_DAYS)
    before = _rows(before_day, ids, live_if_missing=False)
    result = []
    for top in tops:
        f = _figures(top, rows.get(top.unit_id))
        f.children = [_figures(v, rows.get(v.unit_id)) for v in kids.get(top.unit_id, [])]
        ranks = _rank(f.children)
        previous = _rank([_figures(v, before.get(v.unit_id)) for v in kids.get(top.unit_id, [])
                          if v.unit_id in before]) if before else {}
        for child in f.children:
            child.rank = ranks.get(child.unit.pk)
            if child.rank is not None and child.unit.pk in previous:
                child.rank_change = previous[child.unit.pk] - child.rank
        result.append(f)
    return result


RANKED = ("unit_id", "root_id", "sub_staff", "sub_mailbox", "sub_regular", "sub_personal_cert")


def _kind_rows(day: dt.date, kind: str, *, live_if_missing: bool) -> tuple[dict[int, dict], bool]:
    """What ranks every unit of ``kind`` with staff on ``day`` (the score's four counts, the province),
    with the unit's code and path: one indexed query. The second value is True when these are the
    live figures (today or yesterday before the task stored them, as in _rows), complete in memory."""
    rows = {r["unit_id"]: r for r in UnitSnapshot.objects.filter(day=day, kind=kind, sub_staff__gt=0)
            .values(*RANKED, code=F("unit__code"), path=F("unit__path"))}
    if not rows and live_if_missing and day >= timezone.localdate() - dt.timedelta(days=1) and \
            not UnitSnapshot.objects.filter(day=day).exists():
        units = {pk: (code, path) for pk, code, path in Unit.objects.values_list("pk", "code", "path")}
        return {pk: {"unit_id": pk, **{k: r[k] for k in ("root_id", *SUB)}, "code": units[pk][0],
                     "path": units[pk][1]} for pk, r in rolled_figures(day).items()
                if r["kind"] == kind and r["sub_staff"]}, True
    return rows, False


def _province_ranks(rows: dict[int, dict]) -> tuple[dict[int, int], dict[int, int]]:
    """unit -> its rank among the rows under the same top-level unit, and top-level unit -> how many."""
    by_root: dict[int, dict[int, float]] = {}
    for pk, r in rows.items():
        by_root.setdefault(r["root_id"], {})[pk] = score_of(r["sub_staff"], r["sub_mailbox"], r["sub_regular"],
                                                            r["sub_personal_cert"])
    ranks: dict[int, int] = {}
    for scores in by_root.values():
        ranks.update(_competition(scores))
    return ranks, {root: len(scores) for root, scores in by_root.items()}


class Ranking(Sequence):
    """The ranked units in order (province, rank, code). Their Figures are built for the part read — a
    page, a chunk of an export — with one query for that part's names, so a page of a 10,000-unit
    ranking loads a hundred units, not ten thousand."""

    CHUNK = 1000

    def __init__(self, day: dt.date, order: list[tuple[str, int, str, int]], rows: dict[int, dict],
                 counts: dict[int, int], before: dict[int, int], *, complete: bool):
        self.day, self.order, self.rows, self.counts, self.before = day, order, rows, counts, before
        self.complete = complete  # the rows hold every figure (live), else the part's are read from the snapshot

    def __len__(self) -> int:
        return len(self.order)

    @property
    def provinces(self) -> int:
        return len({province for province, *_x in self.order})

    @property
    def compared(self) -> bool:
        """Whether a ranking of the period before exists (else no unit shows a change)."""
        return bool(self.before)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._figures(self.order[index])
        return self._figures([self.order[index]])[0]

    def __iter__(self):
        for start in range(0, len(self.order), self.CHUNK):
            yield from self[start:start + self.CHUNK]

    def _figures(self, part: list[tuple[str, int, str, int]]) -> list[Figures]:
        versions = {v.unit_id: v for v in versions_as_of(self.day).only(*LEAN)
                    .filter(unit_id__in=[pk for *_x, pk in part])}
        missing = [pk for *_x, pk in part if pk not in versions]  # a tree edited since that day's snapshot
        if missing:
            versions |= {v.unit_id: v for v in UnitVersion.objects.filter(unit_id__in=missing).select_related("unit")
                         .order_by("valid_from")}
        full = self.rows if self.complete else {r["unit_id"]: r for r in UnitSnapshot.objects.filter(
            day=self.day, unit_id__in=[pk for *_x, pk in part]).values("unit_id", "root_id", *SUB)}
        found = []
        for province, rank, _code, pk in part:
            row = full[pk]
            f = _figures(versions[pk], row)
            f.province_rank, f.ranked, f.province = rank, self.counts[row["root_id"]], province
            if pk in self.before:
                f.province_rank_change = self.before[pk] - rank
            found.append(f)
        return found


def province_ranking(day: dt.date, kind: str, tops: list[Unit] | None = None) -> Ranking:
    """Every unit of ``kind`` with staff on ``day`` ranked by score among the units of that kind under the
    same top-level unit (the province), as the tree stood that day, with the change of rank since the
    period before (``IDM_REGULAR_USE_DAYS`` earlier; None when it was not ranked then). Listed: the units
    within ``tops`` (a reader's report scopes; None: all), by province then rank then code."""
    rows, complete = _kind_rows(day, kind, live_if_missing=True)
    ranks, counts = _province_ranks(rows)
    before, _counts = _province_ranks(_kind_rows(day - dt.timedelta(days=settings.IDM_REGULAR_USE_DAYS), kind,
                                                 live_if_missing=False)[0])
    roots = dict(Unit.objects.filter(pk__in={r["root_id"] for r in rows.values()}).values_list("pk", "code"))
    prefixes = None if tops is None else tuple(t.path for t in tops)
    order = sorted((roots.get(r["root_id"], ""), ranks[pk], r["code"], pk) for pk, r in rows.items()
                   if prefixes is None or r["path"].startswith(prefixes))
    return Ranking(day, order, rows, counts, before, complete=complete)


def _lineage(unit: Unit) -> list[int]:
    """The unit and every unit merged into it (and into those), through applied plans."""
    ids, frontier = [unit.pk], [unit.pk]
    while frontier:
        merged = list(UnitPlan.objects.filter(target_id__in=frontier, status=UnitPlan.Status.APPLIED)
                      .values_list("sources__pk", flat=True))
        frontier = [pk for pk in merged if pk is not None and pk not in ids]
        ids += frontier
    return ids


def trend(unit: Unit, days: list[dt.date]) -> list[tuple[dt.date, float | None, float | None]]:
    """(day, mailbox %, regular %) of the unit's subtree on each of ``days`` that has a snapshot. A unit
    formed by a merger shows the history of its parts: their figures are added on the days before it."""
    sums = (UnitSnapshot.objects.filter(day__in=days, unit_id__in=_lineage(unit)).values("day")
            .annotate(staff=Sum("sub_staff"), mailbox=Sum("sub_mailbox"), regular=Sum("sub_regular")).order_by("day"))
    return [(r["day"], percent(r["mailbox"], r["staff"]), percent(r["regular"], r["staff"])) for r in sums]


def may_read_reports(user) -> bool:
    return has_role(user, Role.IT_LEAD) or has_role(user, Role.HR_ADMIN)


def report_tops(user) -> list[Unit]:
    """The highest units whose figures this user may read: the roots of an IT lead's and an HR
    officer's subtrees (the top-level units for the superadmin). Figures are aggregates; per-person rows
    stay on the mailbox pages and their scope."""
    it, hr = role_units(user, Role.IT_LEAD), role_units(user, Role.HR_ADMIN)
    if it is None or hr is None:
        return list(Unit.objects.filter(parent__isnull=True, closed_on__isnull=True).order_by("name"))
    paths = sorted(set(it) | set(hr))
    roots = [p for p in paths if not any(p != o and p.startswith(o) for o in paths)]
    return list(Unit.objects.filter(path__in=roots).order_by("name"))


def per_person_units(user, found: list[Figures]) -> set[int]:
    """The units shown whose people's own mailbox rows this user may open (the Mailboxes page, within
    their IT-lead scope); for every other unit on the page the figures are aggregates only."""
    paths = role_units(user, Role.IT_LEAD)
    shown = [f.unit for top in found for f in [top, *top.children]]
    if paths is None:
        return {u.pk for u in shown}
    return {u.pk for u in shown if any(u.path.startswith(p) for p in paths)}


def report_unit(user, code: str) -> Unit | None:
    """The unit of that code if it lies within one of the user's report scopes."""
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        return None
    return unit if covers(user, Role.IT_LEAD, unit.path) or covers(user, Role.HR_ADMIN, unit.path) else None
