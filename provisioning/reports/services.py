"""The daily snapshot: each unit's own figures on a day, from the people's periods (who was active
where that day), the mailbox policy, the mail usage collected on or before that day, the certificates
valid that day, and the pending requests. Grouped queries (a handful per day, whatever the number of
people), so the rebuild scales with units rather than with people."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, Case, Count, Exists, F, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from provisioning.approvals.models import QuotaRequest
from provisioning.certificates.models import Certificate, CertificateRequest, CertKind, RequestType, Stage
from provisioning.mailboxes.models import MailboxUsage
from provisioning.people.models import Person, PersonStatus
from provisioning.people.selectors import periods_as_of
from provisioning.reports.models import UnitSnapshot
from provisioning.units.selectors import mail_policies, versions_as_of


def _day_end(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _issued(group: dict, policy) -> bool:
    """Whether the people of a group (unit, category, HR's decision) have a mailbox (people.has_mailbox)."""
    decision = group["decision"]
    if decision:
        return decision == Person.MailboxDecision.ISSUED
    categories = policy(group["unit_key"]).categories
    return categories is None or group["category"] in categories


def _sum_issued(groups, policy, key: str) -> dict[int, int]:
    """unit -> ``key`` summed over the groups whose people have a mailbox."""
    out: dict[int, int] = {}
    for g in groups:
        if _issued(g, policy):
            out[g["unit_key"]] = out.get(g["unit_key"], 0) + (g[key] or 0)
    return out


def _mailboxes(active, policy) -> tuple[dict[int, int], dict[int, int]]:
    """unit -> people with a mailbox, and unit -> their quotas in bytes (their own, else the unit's)."""
    groups = list(active.filter(person__mail__isnull=False, person__mailbox_removed_on__isnull=True)
                  .values(unit_key=F("unit_id"), category=F("person__category"), decision=F("person__mailbox_decision"),
                          quota_mb=F("person__quota_mb")).annotate(n=Count("pk")).order_by())
    for g in groups:
        g["quota"] = g["n"] * (g["quota_mb"] or policy(g["unit_key"]).quota_for(g["category"])) * 1024 * 1024
    return _sum_issued(groups, policy, "n"), _sum_issued(groups, policy, "quota")


def _usage(day: dt.date, policy) -> dict[str, dict[int, int]]:
    """From the latest usage collected on or before ``day``, per unit, of the active people with a
    mailbox: regular users (a login within IDM_REGULAR_USE_DAYS), those who logged in within 30 and
    90 days and ever, and the bytes stored. Read from the usage rows (one grouped query that scales
    with the mailboxes that reported), each person counted once."""
    usage_day = MailboxUsage.objects.filter(day__lte=day).order_by("-day").values_list("day", flat=True).first()
    if usage_day is None:
        return {}
    end = _day_end(day)
    since = {k: end - dt.timedelta(days=d) for k, d in
             (("regular", settings.IDM_REGULAR_USE_DAYS), ("seen_30", 30), ("seen_90", 90))}
    period = (Q(person__periods__valid_to__isnull=True) | Q(person__periods__valid_to__gt=day))
    groups = list(
        MailboxUsage.objects.filter(period, day=usage_day, person__periods__valid_from__lte=day,
                                    person__periods__status=PersonStatus.ACTIVE, person__mail__isnull=False,
                                    person__mailbox_removed_on__isnull=True)
        .values(unit_key=F("person__periods__unit_id"), category=F("person__category"),
                decision=F("person__mailbox_decision"))
        .annotate(**{k: Count("person_id", distinct=True, filter=Q(last_login__gte=t, last_login__lt=end))
                     for k, t in since.items()},
                  ever=Count("person_id", distinct=True, filter=Q(last_login__lt=end)),
                  bytes_used=Sum("bytes_used")).order_by())
    return {k: _sum_issued(groups, policy, k) for k in (*since, "ever", "bytes_used")}


def _valid_certificates(day: dt.date):
    """Certificates valid at the close of ``day`` (now, for today): begun, not ended, not revoked by then."""
    moment = min(_day_end(day), timezone.now())
    return (Certificate.objects.filter(not_before__lte=moment, not_after__gt=moment)
            .filter(Q(revoked_at__isnull=True, status__in=(Certificate.Status.ACTIVE, Certificate.Status.EXPIRED))
                    | Q(revoked_at__gt=moment)))


def _certificates(day: dt.date) -> tuple[dict[int, int], dict[int, int]]:
    """unit -> active people holding a valid personal certificate that day (in the unit they were in
    then), and unit -> valid organisational certificates it holds. Read from the certificates' side,
    so the cost follows the certificates, not the people."""
    valid = _valid_certificates(day)
    period = (Q(person__periods__valid_to__isnull=True) | Q(person__periods__valid_to__gt=day))
    personal = dict(valid.filter(period, kind=CertKind.PERSONAL, person__periods__valid_from__lte=day,
                                 person__periods__status=PersonStatus.ACTIVE)
                    .values("person__periods__unit_id").annotate(n=Count("person_id", distinct=True)).order_by()
                    .values_list("person__periods__unit_id", "n"))
    organisational = dict(valid.filter(kind=CertKind.ORGANISATION).values("unit_id").annotate(n=Count("pk"))
                          .order_by().values_list("unit_id", "n"))
    return personal, organisational


def _pending(day: dt.date) -> dict[int, int]:
    """unit -> quota and certificate requests made by the close of ``day`` and not yet finished then. A
    person's request (quota, personal certificate) counts in the unit the person was in that day (their
    period), so a past date does not follow a later transfer; a unit's request (organisational, device)
    in the unit it was made for."""
    end = _day_end(day)
    then = Subquery(periods_as_of(day).filter(person=OuterRef("person_id")).order_by("-valid_from")
                    .values("unit_id")[:1], output_field=BigIntegerField())
    waiting = Q(created_at__lt=end) & (Q(decided_at__isnull=True) | Q(decided_at__gte=end))
    person_at = Coalesce(then, F("person__unit_id"), output_field=BigIntegerField())
    out = dict(QuotaRequest.objects.filter(waiting).values(at=person_at)
               .annotate(n=Count("pk")).order_by().values_list("at", "n"))
    issued = Exists(Certificate.objects.filter(request=OuterRef("pk"), recorded_at__lt=end))
    finished = (Q(stage=Stage.DONE) & (Q(issued) | Q(type=RequestType.REVOCATION, certificate__revoked_at__lt=end))) \
        | (Q(stage=Stage.REFUSED) & (Q(it_decided_at__lt=end) | Q(it_decided_at__isnull=True, decided_at__lt=end)))
    at = Case(When(kind=CertKind.PERSONAL, then=Coalesce(then, F("unit_id"))), default=F("unit_id"),
               output_field=BigIntegerField())
    certs = (CertificateRequest.objects.filter(created_at__lt=end).exclude(finished).values(at=at)
             .annotate(n=Count("pk")).order_by().values_list("at", "n"))
    for unit_id, n in certs:
        out[unit_id] = out.get(unit_id, 0) + n
    return out


def unit_figures_on(day: dt.date) -> dict[int, dict]:
    """Each unit's own figures on ``day`` (units with nobody and nothing are absent)."""
    active = periods_as_of(day).filter(status=PersonStatus.ACTIVE)
    staff = dict(active.values("unit_id").annotate(n=Count("pk")).order_by().values_list("unit_id", "n"))
    policy = mail_policies()
    mailbox, quota = _mailboxes(active, policy)
    usage = _usage(day, policy)
    personal, organisational = _certificates(day)
    pending = _pending(day)
    out = {}
    for u in set(staff) | set(pending) | set(organisational) | set(personal):
        boxes = mailbox.get(u, 0)
        seen = {k: usage.get(k, {}).get(u, 0) for k in ("regular", "seen_30", "seen_90", "ever", "bytes_used")}
        out[u] = {"staff": staff.get(u, 0), "mailbox": boxes, "regular": seen["regular"],
                  "personal_cert": personal.get(u, 0), "org_cert": u in organisational,
                  "org_certs": organisational.get(u, 0), "pending": pending.get(u, 0),
                  "never_logged_in": boxes - seen["ever"], "inactive_30": boxes - seen["seen_30"],
                  "inactive_90": boxes - seen["seen_90"], "bytes_used": seen["bytes_used"],
                  "quota_bytes": quota.get(u, 0)}
    return out


COUNTS = ("staff", "mailbox", "regular", "personal_cert", "pending", "org_certs", "never_logged_in", "inactive_30",
          "inactive_90", "bytes_used", "quota_bytes")
EMPTY = dict.fromkeys(COUNTS, 0) | {"org_cert": False}


def rolled_figures(day: dt.date) -> dict[int, dict]:
    """Every unit in the tree of ``day``: its own figures, its subtree's (``sub_*``), and its kind and
    top-level unit that day (for the province-wide ranking), in memory."""
    own = unit_figures_on(day)
    children: dict[int | None, list[int]] = {}
    kinds: dict[int, str] = {}
    for unit_id, parent_id, kind in versions_as_of(day).values_list("unit_id", "parent_id", "kind").order_by():
        children.setdefault(parent_id, []).append(unit_id)
        kinds[unit_id] = kind
    out: dict[int, dict] = {}

    def visit(unit_id: int, root_id: int) -> dict:  # a unit tree is a few levels deep
        row = dict(own.get(unit_id, EMPTY))
        sub = {f"sub_{c}": row[c] for c in COUNTS} | {"sub_units": 1, "sub_org_cert_units": int(row["org_cert"])}
        for child in children.get(unit_id, ()):
            c_row = visit(child, root_id)
            for key in sub:
                sub[key] += c_row[key]
        out[unit_id] = row | sub | {"kind": kinds[unit_id], "root_id": root_id}
        return out[unit_id]

    for top in [u for p, units in children.items() if p is None or p not in kinds for u in units]:
        visit(top, top)
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
