"""Requests nobody has to remember: leaving raises a revocation of the person's certificates, a
transfer or a new position a change of information, and a certificate near its end a renewal
draft; reminders go 60, 30 and 7 days before expiry to the holder and the unit's HR officers."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, RoleAssignment
from provisioning.certificates import services
from provisioning.certificates.models import Certificate, CertificateRequest, CertKind, RequestType, RevocationReason
from provisioning.certificates.notifications import expiry_notify
from provisioning.people.models import Person, PersonStatus

log = logging.getLogger(__name__)
LEAVING_WORDS = {RevocationReason.RETIREMENT: ("hưu", "retire"), RevocationReason.DEATH: ("từ trần", "qua đời", "died")}


def _valid(person: Person):
    return Certificate.objects.filter(person=person, kind=CertKind.PERSONAL, status=Certificate.Status.ACTIVE,
                                      not_after__gt=timezone.now())


def _leaving_reason(text: str) -> str:
    text = (text or "").casefold()
    for reason, words in LEAVING_WORDS.items():
        if any(w in text for w in words):
            return reason
    return RevocationReason.RESIGNATION


def _open(cert: Certificate, type_: str) -> bool:
    return CertificateRequest.objects.filter(certificate=cert, type=type_, stage__in=services.OPEN).exists()


def _raise(**kwargs) -> None:
    """An automatic request that cannot be raised (say, the custodian moved) must never stop the
    change that caused it: it is logged, and only its own savepoint rolls back."""
    try:
        with transaction.atomic():
            services.request_create(actor=None, automatic=True, **kwargs)
    except ValidationError as exc:
        log.warning("automatic certificate request not raised: %s", "; ".join(exc.messages))


def on_person_changed(*, actor, person: Person, event: str, before: dict, after: dict) -> None:
    """The people hook (registered in ProvisioningConfig.ready), inside the change's transaction."""
    if event == "person.left":
        for cert in _valid(person):
            if not _open(cert, RequestType.REVOCATION):
                _raise(kind=CertKind.PERSONAL, type_=RequestType.REVOCATION, person=person, certificate=cert,
                       form={"reason": _leaving_reason(after.get("reason", ""))})
    elif event == "transferred":
        changed = [f for f in ("unit", "position") if before.get(f) != after.get(f)]
        for cert in _valid(person) if changed else []:
            if not _open(cert, RequestType.CHANGE):
                field, value = ("agency", person.unit.name) if "unit" in changed else ("position", person.position)
                _raise(kind=CertKind.PERSONAL, type_=RequestType.CHANGE, person=person, certificate=cert,
                       form={"change_field": field, "new_value": value[:255]})


def _hr_addresses(cert: Certificate) -> list[str]:
    ancestors = [int(x) for x in cert.unit.path.strip("/").split("/") if x]
    return list(RoleAssignment.objects.filter(role=Role.HR_ADMIN, unit_id__in=ancestors,
                                              person__status=PersonStatus.ACTIVE, person__mail__isnull=False)
                .values_list("person__mail", flat=True))


def expiry_reminders(*, now: dt.datetime | None = None) -> int:
    """Send each reminder once (the days already sent are kept on the certificate); with the first,
    draft the renewal. Returns how many reminders went out."""
    now = now or timezone.now()
    days_list = sorted(settings.IDM_CERT_REMINDER_DAYS, reverse=True)
    sent = 0
    soon = Certificate.objects.filter(status=Certificate.Status.ACTIVE, not_after__gt=now,
                                      not_after__lte=now + dt.timedelta(days=max(days_list)))
    for cert in soon.select_related("person", "unit", "request__person"):
        left = (cert.not_after - now).days
        due = [d for d in days_list if left < d and d not in cert.reminders_sent]
        if not due:
            continue
        with transaction.atomic():
            cert.reminders_sent = sorted(set(cert.reminders_sent) | set(due), reverse=True)
            cert.save(update_fields=["reminders_sent"])
            holder = cert.person or (cert.request.person if cert.request else None)  # the custodian
            if holder is not None and not _open(cert, RequestType.RENEWAL):
                _raise(kind=cert.kind, type_=RequestType.RENEWAL, person=holder, unit=cert.unit, certificate=cert)
        to = sorted({a for a in [holder.mail if holder else None, *_hr_addresses(cert)] if a})
        if to:  # this runs in a Celery task (certificates.expiry), never in a web request
            expiry_notify(certificate_id=cert.pk, days=min(due), to=to)
        sent += 1
    return sent
