from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scopes import within
from provisioning.mailboxes.models import MailboxUsage
from provisioning.people.models import Person, PersonStatus, has_mailbox
from provisioning.units.models import Unit
from provisioning.units.selectors import mail_policies

ACTIVITY = ("never", "inactive30", "inactive90", "active30")


SORTS = {"name": ("sort_key", "uid"), "unit": ("unit__name", "sort_key", "uid"),
         "storage": (F("bytes_used").desc(nulls_last=True), "uid"),
         "login": (F("last_login").desc(nulls_last=True), "uid")}


def latest_day() -> dt.date | None:
    return MailboxUsage.objects.order_by("-day").values_list("day", flat=True).first()


def mailboxes_for(user, day: dt.date | None):
    qs = within(Person.objects.filter(mail__isnull=False, mailbox_removed_on__isnull=True), user, Role.IT_LEAD,
                "unit__path").select_related("unit")
    # after a transfer to another domain the day may hold a row for the old address too: the current
    # address's row wins, another only when it has none (a WHERE, as SQLite's ORDER BY cannot see the outer row)
    current = MailboxUsage.objects.filter(day=day, address=OuterRef(OuterRef("mail")))
    usage = (MailboxUsage.objects.filter(person=OuterRef("pk"), day=day)
             .filter(Q(address=OuterRef("mail")) | ~Exists(current)).order_by("address"))
    return qs.annotate(bytes_used=Subquery(usage.values("bytes_used")[:1]),
                       last_login=Subquery(usage.values("last_login")[:1]),
                       messages=Subquery(usage.values("messages")[:1]))


def with_quota(people):
    """Each person's quota in bytes (their own, else their unit's default) and the share used;
    yields the people as it goes, so an export never holds them all."""

    policy = mail_policies()
    for p in people:
        p.quota_bytes = (p.quota_mb or policy(p.unit_id).quota_for(p.category)) * 1024 * 1024
        if not has_mailbox(p, policy(p.unit_id)):
            p.mailbox_state = _("not issued")
        elif p.status == PersonStatus.ACTIVE:
            p.mailbox_state = _("active")
        else:
            p.mailbox_state = _("disabled")
        p.used_percent = round(100 * p.bytes_used / p.quota_bytes) if p.bytes_used is not None else None
        yield p


def mailboxes_filtered(user, day: dt.date | None, *, unit_code: str = "", status: str = "", activity: str = "",
                       sort: str = "name"):
    """The mailbox list of an IT lead: their scope, narrowed to a unit's subtree, a person status and
    an activity (never logged in, inactive for 30 or 90 days, active in the last 30), sorted."""
    qs = mailboxes_for(user, day)
    if unit_code:
        unit = within(Unit.objects.filter(code=unit_code), user, Role.IT_LEAD, "path").first()
        qs = qs.filter(unit__path__startswith=unit.path) if unit else qs.none()
    if status in PersonStatus.values:
        qs = qs.filter(status=status)
    now = timezone.now()
    if activity == "never":
        qs = qs.filter(last_login__isnull=True)
    elif activity in ("inactive30", "inactive90"):
        days = 30 if activity == "inactive30" else 90
        qs = qs.filter(Q(last_login__isnull=True) | Q(last_login__lt=now - dt.timedelta(days=days)))
    elif activity == "active30":
        qs = qs.filter(last_login__gte=now - dt.timedelta(days=30))
    return qs.order_by(*SORTS.get(sort, SORTS["name"]))


def it_lead_units(user):
    """The units an IT lead may pick: their subtrees (every unit for the superadmin)."""
    return within(Unit.objects.only("code", "name", "path"), user, Role.IT_LEAD, "path")
