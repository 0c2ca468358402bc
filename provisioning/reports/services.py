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
from provisioning.units.models import Unit
from provisioning.units.selectors import mail_policies


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


@transaction.atomic
def snapshot_build(day: dt.date | None = None) -> int:
    """(Re)write the snapshot of ``day`` (today by default) for every unit; returns the rows written."""
    day = day or timezone.localdate()
    figures = unit_figures_on(day)
    UnitSnapshot.objects.filter(day=day).delete()
    empty = {"staff": 0, "mailbox": 0, "regular": 0, "personal_cert": 0, "org_cert": False, "pending": 0}
    rows = [UnitSnapshot(day=day, unit_id=pk, **figures.get(pk, empty))
            for pk in Unit.objects.values_list("pk", flat=True).iterator(chunk_size=5000)]
    UnitSnapshot.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
