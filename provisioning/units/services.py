"""Units: the organisation tree, effective-dated.

Every change closes the unit's open UnitVersion on the effective date and opens a new one, so
the tree can be read as of any past date. Subtrees are one prefix query on the materialised path."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from provisioning.audit.services import audit_record, snapshot
from provisioning.outbox.models import DirectoryChange
from provisioning.outbox.services import directory_change_enqueue_many
from provisioning.units.models import Unit, UnitVersion
from provisioning.units.selectors import unit_subtree

UNIT_FIELDS = ("code", "name", "kind", "parent", "mail_domain", "naming_rule", "mailbox_policy", "default_quota_mb",
               "category_quota_mb", "valid_from")


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
                       mailbox_policy=unit.mailbox_policy, default_quota_mb=unit.default_quota_mb,
                       category_quota_mb=unit.category_quota_mb or {}, list_address=unit.list_address,
                       recorded_by=actor if actor is not None and actor.pk else None)


VERSIONED = ("name", "kind", "parent_id", "mail_domain", "naming_rule", "mailbox_policy", "default_quota_mb",
             "category_quota_mb", "list_address")


@transaction.atomic
def unit_version_record(*, actor, unit: Unit, effective: dt.date | None = None) -> UnitVersion | None:
    """A setting changed outside ``unit_update`` (the distribution list's address): the unit's open
    version ends on ``effective`` (today) and one with the unit's current settings opens, so the
    history holds every setting. Nothing is recorded when the open version already says the same."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    current = UnitVersion.objects.select_for_update().filter(unit=unit, valid_to__isnull=True).first()
    if current is None or unit.closed_on is not None:
        return None
    if all(getattr(current, f) == getattr(unit, f) or (f == "category_quota_mb" and (current.category_quota_mb or {})
           == (unit.category_quota_mb or {})) for f in VERSIONED):
        return None
    effective = effective or _today()
    if current.valid_from >= effective:
        current.delete()  # a same-day change corrects the day's version
        unit.valid_from = current.valid_from
    else:
        current.valid_to = effective
        current.save(update_fields=["valid_to"])
        unit.valid_from = effective
    unit.save(update_fields=["valid_from", "updated_at"])
    version = _version_from(unit, UnitVersion.Change.UPDATED, actor)
    version.save()
    return version


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
    if unit.closed_on is not None:
        raise ValidationError(_("%(name)s was closed on %(day)s and cannot be changed.")
                              % {"name": unit.name, "day": unit.closed_on.isoformat()})
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
        people = [pk for pk in unit_subtree(unit).values_list("people__pk", flat=True) if pk is not None]
        directory_change_enqueue_many(kind=DirectoryChange.Kind.PERSON, object_ids=people)
    return unit


def _move_descendant_paths(old: str, new: str, depth_delta: int) -> None:
    Unit.objects.filter(path__startswith=old).exclude(path=new).exclude(path=old).update(
        path=Concat(Value(new), Substr(F("path"), Length(Value(old)) + 1)),
        depth=F("depth") + depth_delta,
    )


@transaction.atomic
def unit_close(*, actor, unit: Unit, effective: dt.date | None = None, reason: str = "") -> Unit:
    """Close a unit that no longer has people or units below it (after a merger or a dissolution): its
    last version ends on ``effective`` so the tree as of any later date no longer shows it, while every
    earlier date still does. Its directory entry stays, for the history of who belonged where."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.closed_on is not None:
        return unit
    effective = effective or _today()
    if unit.children.filter(closed_on__isnull=True).exists() or unit.people.exclude(status="left").exists():
        raise ValidationError(_("%(name)s still has units or people below it: move them first.") % {"name": unit.name})
    current = UnitVersion.objects.select_for_update().get(unit=unit, valid_to__isnull=True)
    _check_effective(effective, current.valid_from)
    current.valid_to = effective
    current.save(update_fields=["valid_to"])
    unit.closed_on = effective
    unit.save(update_fields=["closed_on", "updated_at"])
    audit_record(actor=actor, action="unit.closed", target=unit, after={"closed_on": effective.isoformat(),
                                                                        "reason": reason})
    return unit
