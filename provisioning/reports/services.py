"""The daily snapshot: each unit's own figures on a day, from the people's periods (who was active
where that day), the mailbox policy, the mail usage collected on or before that day, and the pending
requests. Grouped queries (a handful per day, whatever the number of people), so the rebuild scales
with units rather than with people."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from provisioning.approvals.models import QuotaRequest
from provisioning.mailboxes.models import MailboxUsage
from provisioning.people.models import Person, PersonStatus
from provisioning.people.selectors import periods_as_of
from provisioning.reports.models import UnitSnapshot
from provisioning.units.selectors import mail_policies, versions_as_of


def _day_end(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _with_mailbox(groups, policy) -> dict[int, int]:
    """unit -> people with a mailbox, from counts grouped by (unit, category, decision)."""
    out: dict[int, int] = {}
    for g in groups:
        decision = g["person__mailbox_decision"]
        if decision:
            issued = decision == Person.MailboxDecision.ISSUED
        else:
            categories = policy(g["unit_id"]).categories
            issued = categories is None or g["person__category"] in categories
        if issued:
            out[g["unit_id"]] = out.get(g["unit_id"], 0) + g["n"]
    return out


def _grouped(periods):
    return (periods.filter(person__mail__isnull=False, person__mailbox_removed_on__isnull=True)
            .values("unit_id", "person__category", "person__mailbox_decision").annotate(n=Count("pk")).order_by())


def unit_figures_on(day: dt.date) -> dict[int, dict]:
    """Each unit's own figures on ``day`` (units with nobody are absent)."""
    window = settings.IDM_REGULAR_USE_DAYS
    active = periods_as_of(day).filter(status=PersonStatus.ACTIVE)
    staff = dict(active.values("unit_id").annotate(n=Count("pk")).order_by().values_list("unit_id", "n"))
    policy = mail_policies()
    mailbox = _with_mailbox(_grouped(active), policy)
    usage_day = (MailboxUsage.objects.filter(day__lte=day).order_by("-day").values_list("day", flat=True).first())
    regular: dict[int, int] = {}
    if usage_day is not None:
        end = _day_end(day)
        used = MailboxUsage.objects.filter(person=OuterRef("person_id"), day=usage_day,
                                           last_login__gte=end - dt.timedelta(days=window), last_login__lt=end)
        regular = _with_mailbox(_grouped(active.filter(Exists(used))), policy)
    end = _day_end(day)
    waiting = Q(created_at__lt=end) & (Q(decided_at__isnull=True) | Q(decided_at__gte=end))
    pending = dict(QuotaRequest.objects.filter(waiting).values("person__unit_id").annotate(n=Count("pk")).order_by()
                   .values_list("person__unit_id", "n"))
    units = set(staff) | set(pending)
    return {u: {"staff": staff.get(u, 0), "mailbox": mailbox.get(u, 0), "regular": regular.get(u, 0),
                "personal_cert": 0, "org_cert": False, "pending": pending.get(u, 0)} for u in units}


COUNTS = ("staff", "mailbox", "regular", "personal_cert", "pending")


def rolled_figures(day: dt.date) -> dict[int, dict]:
    """Every unit in the tree of ``day``: its own figures and its subtree's (``sub_*``), in memory."""
    own = unit_figures_on(day)
    empty = {"staff": 0, "mailbox": 0, "regular": 0, "personal_cert": 0, "org_cert": False, "pending": 0}
    children: dict[int | None, list[int]] = {}
    present = set()
    for unit_id, parent_id in versions_as_of(day).values_list("unit_id", "parent_id").order_by():
        children.setdefault(parent_id, []).append(unit_id)
        present.add(unit_id)
    out: dict[int, dict] = {}

    def visit(unit_id: int) -> dict:  # a unit tree is a few levels deep
        row = dict(own.get(unit_id, empty))
        sub = {f"sub_{c}": row[c] for c in COUNTS} | {"sub_units": 1, "sub_org_cert_units": int(row["org_cert"])}
        for child in children.get(unit_id, ()):
            c_row = visit(child)
            for key in sub:
                sub[key] += c_row[key]
        out[unit_id] = row | sub
        return out[unit_id]

    for top in [u for p, units in children.items() if p is None or p not in present for u in units]:
        visit(top)
    return out


@transaction.atomic
def snapshot_build(day: dt.date | None = None) -> int:
    """(Re)write the snapshot of ``day`` (today by default) for every unit in that day's tree."""
    day = day or timezone.localdate()
    rolled = rolled_figures(day)
    UnitSnapshot.objects.filter(day=day).delete()
    UnitSnapshot.objects.bulk_create((UnitSnapshot(day=day, unit_id=pk, **f) for pk, f in rolled.items()),
                                     batch_size=5000)
    return len(rolled)
