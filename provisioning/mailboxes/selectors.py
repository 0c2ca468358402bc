from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scopes import within
from provisioning.mailboxes.models import MailboxUsage
from provisioning.people.models import Person, PersonStatus, has_mailbox
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


def _with_quota(people):
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
