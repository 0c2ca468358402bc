"""Units: the organisation tree, effective-dated.

Every change closes the unit's open UnitVersion on the effective date and opens a new one, so
the tree can be read as of any past date. Subtrees are one prefix query on the materialised path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from provisioning.audit import audit_record, snapshot
from provisioning.models import DirectoryChange, NamingRule, Unit, UnitVersion
from provisioning.outbox import directory_change_enqueue_many

UNIT_FIELDS = ("code", "name", "kind", "parent", "mail_domain", "naming_rule", "mailbox_policy", "default_quota_mb",
               "category_quota_mb", "valid_from")
DEFAULT_NAMING_RULE = NamingRule.GIVEN_INITIALS


def _today() -> dt.date:
    return timezone.localdate()


def _check_effective(effective: dt.date, not_before: dt.date | None) -> None:
    if effective > _today():
        raise ValidationError({"effective": _("The effective date cannot be in the future.")})
    if not_before and effective < not_before:
        raise ValidationError({"effective": _("The effective date cannot be before %(date)s, when the unit's "
                                              "current details took effect.") % {"date": not_before.isoformat()}})


def _version_from(unit: Unit, change: str, actor) -> UnitVersion:
    return UnitVersion(unit=unit, valid_from=unit.valid_from, name=unit.name, kind=unit.kind, parent=unit.parent,
                       mail_domain=unit.mail_domain, naming_rule=unit.naming_rule, change=change,
                       recorded_by=actor if actor is not None and actor.pk else None)


@transaction.atomic
def unit_create(*, actor, code: str, name: str, kind: str, parent: Unit | None, mail_domain: str = "",
                naming_rule: str = "", effective: dt.date | None = None) -> Unit:
    """Create a unit in the tree and queue its directory entry."""
    effective = effective or _today()
    _check_effective(effective, None)
    if parent is None and not mail_domain:
        raise ValidationError({"mail_domain": _("A top-level unit needs a mail domain.")})
    unit = Unit(code=code.strip(), name=" ".join(name.split()), kind=kind, parent=parent,
                mail_domain=mail_domain.strip().lower(), naming_rule=naming_rule, valid_from=effective,
                path="/", depth=0)
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = parent.depth + 1 if parent else 0
    unit.save(update_fields=["path", "depth"])
    _version_from(unit, UnitVersion.Change.CREATED, actor).save()
    audit_record(actor=actor, action="unit.created", target=unit, after=snapshot(unit, UNIT_FIELDS))
    directory_change_enqueue_many(kind=DirectoryChange.Kind.UNIT, object_ids=[unit.pk])
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, effective: dt.date | None = None, **changes) -> Unit:
    """Change name, kind, parent, mail domain or naming rule from `effective` on (today by
    default). The code never changes. A change dated the same day as the current version
    corrects that version instead of adding another."""
    allowed = {"name", "kind", "parent", "mail_domain", "naming_rule", "mailbox_policy", "default_quota_mb",
               "category_quota_mb"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit, UNIT_FIELDS)
    if "name" in changes:
        changes["name"] = " ".join(changes["name"].split())
    if "mail_domain" in changes:
        changes["mail_domain"] = changes["mail_domain"].strip().lower()
    changed = {k: v for k, v in changes.items() if getattr(unit, k) != v}
    if not changed:
        return unit
    effective = effective or _today()
    _check_effective(effective, unit.valid_from)
    new_parent = changed.get("parent", unit.parent)
    if "parent" in changed and new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("A unit cannot be moved under itself or one of its own units.")})
    if new_parent is None and "parent" in changed and unit.parent is not None and not changed.get(
            "mail_domain", unit.mail_domain):
        raise ValidationError({"mail_domain": _("A top-level unit needs a mail domain.")})
    for k, v in changed.items():
        setattr(unit, k, v)
    unit.full_clean(exclude=["path", "code"])
    change = (UnitVersion.Change.MOVED if "parent" in changed else
              UnitVersion.Change.RENAMED if set(changed) == {"name"} else UnitVersion.Change.UPDATED)
    current = UnitVersion.objects.select_for_update().get(unit=unit, valid_to__isnull=True)
    if current.valid_from == effective:
        current.delete()  # a same-day correction replaces the version
    else:
        current.valid_to = effective
        current.save(update_fields=["valid_to"])
    unit.valid_from = effective
    old_path = unit.path
    if "parent" in changed:
        unit.path = f"{new_parent.path if new_parent else '/'}{unit.pk}/"
        unit.depth = new_parent.depth + 1 if new_parent else 0
    unit.save()
    if "parent" in changed:
        _move_descendant_paths(old_path, unit.path, unit.depth - (old_path.count("/") - 2))
    _version_from(unit, change, actor).save()
    audit_record(actor=actor, action=f"unit.{change}", target=unit, before=before, after=snapshot(unit, UNIT_FIELDS))
    # the subtree's resolved domain/rule and, after a move, its place in the directory changed
    affected = list(unit_subtree(unit).values_list("pk", flat=True))
    directory_change_enqueue_many(kind=DirectoryChange.Kind.UNIT, object_ids=affected)
    # who has a mailbox, and its quota
    if {"mailbox_policy", "default_quota_mb", "category_quota_mb", "parent"} & set(changed):
        from provisioning.models import Person

        people = list(Person.objects.filter(unit__path__startswith=unit.path).values_list("pk", flat=True))
        directory_change_enqueue_many(kind=DirectoryChange.Kind.PERSON, object_ids=people)
    return unit


def _move_descendant_paths(old: str, new: str, depth_delta: int) -> None:
    Unit.objects.filter(path__startswith=old).exclude(path=new).exclude(path=old).update(
        path=Concat(Value(new), Substr(F("path"), Length(Value(old)) + 1)),
        depth=F("depth") + depth_delta,
    )


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
