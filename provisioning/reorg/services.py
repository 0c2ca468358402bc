"""Merging units: plan, preview, apply (resumable), cancel.

Applying goes through the same services as the pages — ``unit_create``, ``unit_update`` (a child unit
re-parented), ``person_transfer`` (a person moved; when the mail domain changes they get an address in
the new domain and the old one stays theirs as an alias, so mail to it keeps arriving), ``unit_close``
— so every step is effective-dated, audited and reaches the directory through the outbox. People move
in batches, each batch in its own transaction, and every step is skipped when already done, so an
apply interrupted by any fault (a killed worker, the directory away) is simply run again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from provisioning.audit.services import audit_record
from provisioning.people.models import MailAddress, Person, PersonStatus
from provisioning.people.services import people_follow_domain, person_transfer
from provisioning.reorg.models import UnitPlan
from provisioning.units.models import Unit, domain_validator, unit_code_validator
from provisioning.units.selectors import unit_resolved_settings
from provisioning.units.services import unit_close, unit_create, unit_update

BATCH = 1000


def _moving(unit: Unit):
    return Person.objects.filter(unit=unit).exclude(status=PersonStatus.LEFT)


@transaction.atomic
def plan_merge_create(*, actor, sources: list[Unit], effective: dt.date, target: Unit | None = None,
                      new_code: str = "", new_name: str = "", new_kind: str = "", new_parent: Unit | None = None,
                      new_domain: str = "", note: str = "") -> UnitPlan:
    sources = list(dict.fromkeys(sources))
    errors: dict[str, list[str]] = {}
    if not sources:
        errors["sources"] = [_("Choose the units to merge.")]
    if any(u.closed_on for u in sources):
        errors.setdefault("sources", []).append(_("A closed unit cannot be merged again."))
    new_code, new_domain = new_code.strip(), new_domain.strip().lower()
    if (target is None) == (not new_code):
        errors["target"] = [_("Merge into an existing unit, or give the new unit's code and name — one of the two.")]
    if target is not None and any(target.path.startswith(s.path) for s in sources):
        errors["target"] = [_("The units cannot be merged into one of themselves or a unit below them.")]
    if new_code:
        try:
            unit_code_validator(new_code)
        except ValidationError as exc:
            errors["new_code"] = exc.messages
        if Unit.objects.filter(code=new_code).exists() or UnitPlan.objects.filter(
                new_code=new_code, status__in=(UnitPlan.Status.DRAFT, UnitPlan.Status.APPLYING)).exists():
            errors["new_code"] = [_("The code %(code)s is already used by a unit or another plan.")
                                  % {"code": new_code}]
        if not new_name.strip() or not new_kind:
            errors["new_name"] = [_("Give the new unit's name and kind.")]
        if new_parent is not None and any(new_parent.path.startswith(s.path) for s in sources):
            errors["new_parent"] = [_("The new unit cannot sit below a unit that is being merged.")]
        if new_domain:
            try:
                domain_validator(new_domain)
            except ValidationError as exc:
                errors["new_domain"] = exc.messages
            if Unit.objects.filter(mail_domain=new_domain).exclude(pk__in=[s.pk for s in sources]).exists():
                errors.setdefault("new_domain", []).append(_("Another unit already uses the domain %(d)s.")
                                                           % {"d": new_domain})
        elif new_parent is None:
            errors["new_domain"] = [_("A top-level unit needs a mail domain.")]
    if errors:
        raise ValidationError(errors)
    plan = UnitPlan.objects.create(effective=effective, target=target, new_code=new_code, new_name=" ".join(
        new_name.split()), new_kind=new_kind, new_parent=new_parent, new_domain=new_domain, note=note.strip()[:500],
        created_by=actor if actor is not None and actor.pk else None)
    plan.sources.set(sources)
    audit_record(actor=actor, action="plan.created", target=plan, after=_describe(plan))
    return plan


def _describe(plan: UnitPlan) -> dict:
    return {"kind": plan.kind, "effective": plan.effective.isoformat(), "sources": sorted(u.code for u in
            plan.sources.all()), "target": plan.target.code if plan.target_id else plan.new_code or "(parents)",
            "note": plan.note}


@dataclass
class Preview:
    people: list[dict] = field(default_factory=list)  # person, from, address now, address after
    units: list[Unit] = field(default_factory=list)  # re-parented under the target
    conflicts: list[str] = field(default_factory=list)
    domain: str = ""

    @property
    def new_addresses(self) -> int:
        return sum(1 for p in self.people if p["after"] != p["now"])


def _target_domain(plan: UnitPlan) -> str:
    if plan.target_id:
        return unit_resolved_settings(plan.target)[0]
    if plan.new_domain:
        return plan.new_domain
    return unit_resolved_settings(plan.new_parent)[0] if plan.new_parent_id else ""


def _source_domain(plan: UnitPlan, source: Unit) -> str:
    """The mail domain the source's people will have: the target's, or for a dissolved unit its parent's."""
    if plan.kind == UnitPlan.Kind.DISSOLVE:
        return unit_resolved_settings(source.parent)[0] if source.parent_id else ""
    return _target_domain(plan)


def plan_preview(plan: UnitPlan) -> Preview:
    """Everything the plan will touch, and every conflict, before anything changes."""
    out = Preview(domain=_target_domain(plan) if plan.kind == UnitPlan.Kind.MERGE else "")
    taken_by_domain: dict[str, set[str]] = {}
    follows: dict[int, bool] = {}  # unit -> its people take the target's domain
    if plan.status == UnitPlan.Status.DRAFT and plan.new_code and Unit.objects.filter(code=plan.new_code).exists():
        out.conflicts.append(_("The code %(code)s is now used by another unit.") % {"code": plan.new_code})
    for source in plan.sources.order_by("path"):
        domain = _source_domain(plan, source)
        if domain not in taken_by_domain:
            taken_by_domain[domain] = set(MailAddress.objects.filter(address__endswith="@" + domain)
                                          .values_list("address", flat=True))
        taken = taken_by_domain[domain]
        out.units += list(source.children.filter(closed_on__isnull=True).order_by("name"))
        people = (Person.objects.filter(unit__path__startswith=source.path).exclude(status=PersonStatus.LEFT)
                  .select_related("unit").order_by("sort_key", "uid"))
        for person in people:
            now = person.mail or ""
            after = now
            if person.unit_id not in follows:
                follows[person.unit_id] = _follows_target(person, source, plan)
            if now and domain and now.rpartition("@")[2] != domain and follows[person.unit_id]:
                stem = now.rpartition("@")[0]
                after, n = f"{stem}@{domain}", 1
                while after in taken:
                    n += 1
                    after = f"{stem}{n}@{domain}"
                if n > 1:
                    out.conflicts.append(_("%(wanted)s is taken: %(name)s will get %(after)s (the old address "
                                           "keeps delivering).") % {"wanted": f"{stem}@{domain}",
                                                                     "name": person.full_name, "after": after})
                taken.add(after)
            out.people.append({"person": person, "from": person.unit, "now": now, "after": after})
    return out


def _follows_target(person: Person, source: Unit, plan: UnitPlan) -> bool:
    """Whether the person's domain will become the target's: yes for the source's own people (they
    move to the target) and for units below that inherit their domain (no domain of their own on the way)."""
    if person.unit_id == source.pk:
        return True
    chain = Unit.objects.filter(pk__in=person.unit.ancestor_ids + [person.unit_id], path__startswith=source.path)
    return not chain.exclude(pk=source.pk).exclude(mail_domain="").exists()


@transaction.atomic
def plan_dissolve_create(*, actor, sources: list[Unit], effective: dt.date, note: str = "") -> UnitPlan:
    """Dissolve a level: each unit's people and units go to its own parent (every district of a province
    at once, its communes re-parented to the province), then it closes."""
    sources = list(dict.fromkeys(sources))
    if not sources:
        raise ValidationError({"sources": [_("Choose the units to dissolve.")]})
    if any(u.parent_id is None for u in sources):
        raise ValidationError({"sources": [_("A top-level unit cannot be dissolved into a parent: merge it instead.")]})
    if any(u.closed_on for u in sources):
        raise ValidationError({"sources": [_("A closed unit cannot be dissolved again.")]})
    plan = UnitPlan.objects.create(kind=UnitPlan.Kind.DISSOLVE, effective=effective, note=note.strip()[:500],
                                   created_by=actor if actor is not None and actor.pk else None)
    plan.sources.set(sources)
    audit_record(actor=actor, action="plan.created", target=plan, after=_describe(plan))
    return plan


def _target(plan: UnitPlan, actor) -> Unit:
    if plan.target_id:
        return plan.target
    existing = Unit.objects.filter(code=plan.new_code).first()
    if existing is not None:
        return existing
    unit = unit_create(actor=actor, code=plan.new_code, name=plan.new_name, kind=plan.new_kind,
                       parent=plan.new_parent, mail_domain=plan.new_domain, effective=plan.effective)
    UnitPlan.objects.filter(pk=plan.pk).update(target=unit)
    return unit


def plan_apply(*, actor, plan: UnitPlan) -> UnitPlan:
    """Apply a plan whose date has come. Safe to run again after any interruption."""
    with transaction.atomic():
        plan = UnitPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status in (UnitPlan.Status.APPLIED, UnitPlan.Status.CANCELLED):
            return plan
        if plan.effective > timezone.localdate():
            raise ValidationError(_("This plan takes effect on %(day)s; it is applied on that day.")
                                  % {"day": plan.effective.isoformat()})
        plan.status = UnitPlan.Status.APPLYING
        plan.save(update_fields=["status"])
        merged_into = _target(plan, actor) if plan.kind == UnitPlan.Kind.MERGE else None
    for source in plan.sources.order_by("-depth", "path"):
        if source.closed_on is not None:
            continue  # done before an interruption
        target = merged_into or source.parent
        reason = plan.note or (_("Merger into %(name)s") if merged_into else _("Dissolved into %(name)s")) % {
            "name": target.name}
        domain = unit_resolved_settings(target)[0]
        for child in source.children.filter(closed_on__isnull=True):
            with transaction.atomic():
                unit_update(actor=actor, unit=child, parent=target, effective=plan.effective)
                UnitPlan.objects.filter(pk=plan.pk).update(progress=F("progress") + 1)
        while True:
            batch = list(_moving(source).order_by("pk")[:BATCH])
            if not batch:
                break
            with transaction.atomic():
                for person in batch:
                    person_transfer(actor=actor, person=person, unit=target, on=plan.effective, reason=reason)
                UnitPlan.objects.filter(pk=plan.pk).update(progress=F("progress") + len(batch))
        # the people of the units that moved with it take the target's domain where they inherit it
        last = 0
        while domain:
            batch = list(Person.objects.filter(unit__path__startswith=target.path, mail__isnull=False, pk__gt=last)
                         .exclude(status=PersonStatus.LEFT).exclude(mail__endswith="@" + domain)
                         .select_related("unit").order_by("pk")[:BATCH])
            if not batch:
                break
            last = batch[-1].pk
            with transaction.atomic():
                moved = people_follow_domain(actor=actor, people=batch, reason=reason)
                UnitPlan.objects.filter(pk=plan.pk).update(progress=F("progress") + moved)
        unit_close(actor=actor, unit=source, effective=plan.effective, reason=reason)
    with transaction.atomic():
        UnitPlan.objects.filter(pk=plan.pk).update(status=UnitPlan.Status.APPLIED, applied_at=timezone.now())
        plan.refresh_from_db()
        audit_record(actor=actor, action="plan.applied", target=plan, after=_describe(plan) | {
            "moved": plan.progress})
    return plan


@transaction.atomic
def plan_cancel(*, actor, plan: UnitPlan) -> UnitPlan:
    plan = UnitPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != UnitPlan.Status.DRAFT:
        raise ValidationError(_("Only a plan that has not started can be cancelled."))
    plan.status = UnitPlan.Status.CANCELLED
    plan.save(update_fields=["status"])
    audit_record(actor=actor, action="plan.cancelled", target=plan, after=_describe(plan))
    return plan


def plans_apply_due(today: dt.date | None = None) -> int:
    """The daily task: apply every plan whose date has come (and finish any interrupted one)."""
    today = today or timezone.localdate()
    due = UnitPlan.objects.filter(status__in=(UnitPlan.Status.DRAFT, UnitPlan.Status.APPLYING), effective__lte=today)
    count = 0
    for plan in due:
        plan_apply(actor=None, plan=plan)
        count += 1
    return count
