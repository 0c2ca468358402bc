from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accounts.models import Role, User
from accounts.scopes import covers, within
from provisioning.common.naming import NamingRule, fold
from provisioning.units.models import Unit, UnitKind, UnitVersion

DEFAULT_NAMING_RULE = NamingRule.GIVEN_INITIALS


def unit_subtree(unit: Unit):
    """The unit and every unit below it, today: one query."""
    return Unit.objects.filter(path__startswith=unit.path)


def unit_ancestors(unit: Unit) -> list[Unit]:
    """From the top of the tree down to the unit's parent: one query."""
    found = {u.pk: u for u in Unit.objects.filter(pk__in=unit.ancestor_ids)}
    return [found[i] for i in unit.ancestor_ids if i in found]


def unit_resolved_settings(unit: Unit, ancestors: list[Unit] | None = None) -> tuple[str, str]:
    """(mail domain, naming rule): the unit's own, else the nearest ancestor's."""
    chain = [unit] + list(reversed(ancestors if ancestors is not None else unit_ancestors(unit)))
    domain = next((u.mail_domain for u in chain if u.mail_domain), "")
    rule = next((u.naming_rule for u in chain if u.naming_rule), DEFAULT_NAMING_RULE)
    return domain, rule


DEFAULT_QUOTA_MB = 1024


@dataclass(frozen=True)
class MailPolicy:
    categories: frozenset[str] | None  # who gets a mailbox; None: everyone
    default_quota_mb: int
    category_quota_mb: dict

    def quota_for(self, category: str) -> int:
        return self.category_quota_mb.get(category) or self.default_quota_mb


def unit_mail_policy(unit: Unit, ancestors: list[Unit] | None = None) -> MailPolicy:
    """Who gets a mailbox and the default quotas (overall and by category), each the unit's own
    setting or the nearest ancestor's."""
    chain = [unit] + list(reversed(ancestors if ancestors is not None else unit_ancestors(unit)))
    policy = next((u.mailbox_policy for u in chain if u.mailbox_policy), "all")
    quota = next((u.default_quota_mb for u in chain if u.default_quota_mb), DEFAULT_QUOTA_MB)
    by_category: dict = {}
    for u in reversed(chain):  # the nearest unit's setting wins
        by_category.update({k: int(v) for k, v in (u.category_quota_mb or {}).items() if str(v).isdigit()})
    if policy == "all":
        categories = None
    elif policy == "none":
        categories = frozenset()
    else:
        categories = frozenset(c.strip() for c in policy.split(",") if c.strip())
    return MailPolicy(categories, quota, by_category)


def mail_policies():
    """A cached lookup unit id -> MailPolicy, for code that handles many people at once (one
    query for all units, then no more)."""
    units = {u.pk: u for u in Unit.objects.all()}
    cache: dict[int, MailPolicy] = {}

    def lookup(unit_id: int) -> MailPolicy:
        if unit_id not in cache:
            u = units[unit_id]
            cache[unit_id] = unit_mail_policy(u, [units[i] for i in u.ancestor_ids if i in units])
        return cache[unit_id]

    return lookup


def versions_as_of(day: dt.date):
    """Every unit version in effect on `day`: one query."""
    return (UnitVersion.objects.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
            .select_related("unit").order_by("name"))


def tree_as_of(day: dt.date, root: Unit | None = None) -> list[dict]:
    """The tree as it stood on `day`, as nested dicts {version, unit, children}, optionally only
    the subtree under `root` (as it stood then). One query."""
    versions = list(versions_as_of(day))
    children: dict[int | None, list] = {}
    for v in versions:
        children.setdefault(v.parent_id, []).append(v)

    def build(parent_id, depth):
        return [{"version": v, "unit": v.unit, "depth": depth, "children": build(v.unit_id, depth + 1)}
                for v in children.get(parent_id, [])]

    if root is None:
        present = {v.unit_id for v in versions}
        tops = [v for v in versions if v.parent_id is None or v.parent_id not in present]
        return [{"version": v, "unit": v.unit, "depth": 0, "children": build(v.unit_id, 1)} for v in tops]
    mine = next((v for v in versions if v.unit_id == root.pk), None)
    return [] if mine is None else [{"version": mine, "unit": mine.unit, "depth": 0, "children": build(root.pk, 1)}]


def flatten(tree: list[dict]) -> list[dict]:
    out = []
    for node in tree:
        out.append(node)
        out.extend(flatten(node["children"]))
    return out


def units_for_hr(user: User) -> QuerySet:

    return within(Unit.objects.all(), user, Role.HR_ADMIN, "path")


def unit_managed_by(user, unit: Unit) -> bool:
    """HR officers manage the units of their subtrees; the superadmin every unit."""
    return covers(user, Role.HR_ADMIN, unit.path)


PATH_SEPARATOR = " › "


def unit_paths(units, known=()) -> dict[int, str]:
    """unit id -> "Sở Y tế › Văn phòng Sở": the unit's name after its ancestors' (the province at
    the top is left out: everyone is in it), so the six "Văn phòng Sở" can be told apart. One
    query for the ancestors of all the units at once, none when they are among `units` or the
    units already `known` (a page's unit picker, say)."""
    units = list(units)
    names = {u.pk: u.name for u in [*known, *units]}
    missing = {a for u in units for a in u.ancestor_ids[1:]} - names.keys()
    if missing:
        names.update(Unit.objects.filter(pk__in=missing).values_list("pk", "name"))
    return {u.pk: PATH_SEPARATOR.join([names[a] for a in u.ancestor_ids[1:] if a in names] + [u.name])
            for u in units}


def unit_choices(units) -> list[tuple[Unit, str]]:
    """(unit, label) for a unit picker: labels are paths (unit_paths), the rare two equal paths
    told apart by their codes, in the order of the labels so a unit sits under its parent. Two
    queries at most."""
    units = list(units)
    paths = unit_paths(units)
    seen: dict[str, int] = {}
    for u in units:
        seen[paths[u.pk]] = seen.get(paths[u.pk], 0) + 1
    labelled = [(u, paths[u.pk] if seen[paths[u.pk]] == 1 else f"{paths[u.pk]} ({u.code})") for u in units]
    return sorted(labelled, key=lambda pair: (fold(pair[1]), pair[1]))


def label_units(objects, unit=lambda o: o.unit, known=()) -> list:
    """Give each object of a list (people, requests...) a `unit_label`: its unit's path. One
    query for the whole list at most (see unit_paths)."""
    objects = list(objects)
    paths = unit_paths({u.pk: u for u in map(unit, objects)}.values(), known)
    for o in objects:
        o.unit_label = paths[unit(o).pk]
    return objects


def units_as_of(day: dt.date, *, query: str = "") -> list[dict]:
    """The tree as it stood on `day`, flattened in tree order, narrowed to names or codes containing
    `query`; each row with its staff count today and its kind's label. Two queries."""
    rows = flatten(tree_as_of(day))
    if query:
        needle = query.casefold()
        rows = [r for r in rows if needle in r["version"].name.casefold() or needle in r["unit"].code.casefold()]
    staff = dict(Unit.objects.filter(people__isnull=False).values_list("pk").annotate(n=Count("people"))
                 .values_list("pk", "n"))
    kinds = dict(UnitKind.choices)
    for r in rows:
        r["staff"] = staff.get(r["unit"].pk, 0)
        r["kind_label"] = kinds.get(r["version"].kind, r["version"].kind)
    return rows
