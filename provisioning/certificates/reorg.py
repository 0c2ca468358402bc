"""What a reorganisation plan (provisioning.reorg) means for certificates: a person whose unit changed,
or whose unit got a new legal name, needs a change of information (Mẫu 04) on each valid personal
certificate; a unit the plan created or renamed needs a new organisational certificate (Mẫu 02).

Everything goes through ``services.request_create`` as automatic requests (the system user asks; the
unit head and IT decide as for any other). Bulk-minded: a plan moves tens of thousands of people, of
whom a few hold certificates, so finding them is one query per batch. Raising twice is harmless: a
certificate that already has an open change request is skipped, so an interrupted plan can run again."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Role, RoleAssignment
from provisioning.certificates import services
from provisioning.certificates.models import Certificate, CertificateRequest, CertKind, RequestType
from provisioning.people.models import Person, PersonStatus
from provisioning.units.models import Unit

log = logging.getLogger(__name__)


def _valid():
    return Certificate.objects.filter(status=Certificate.Status.ACTIVE, not_after__gt=timezone.now())


def certificates_affected(*, person_ids: list[int], unit_ids: list[int]) -> list[Certificate]:
    """The valid personal certificates of these people and organisational ones of these units: what a
    plan's preview lists. Two queries at most."""
    found = list(_valid().filter(kind=CertKind.PERSONAL, person_id__in=person_ids).select_related("person", "unit"))
    found += list(_valid().filter(kind=CertKind.ORGANISATION, unit_id__in=unit_ids).select_related("unit"))
    return found


def _raise(**kwargs) -> CertificateRequest | None:
    """One automatic request in its own savepoint: one that cannot be raised (already under way, a
    custodian gone) never stops the plan; it is logged."""
    try:
        with transaction.atomic():
            return services.request_create(actor=None, automatic=True, **kwargs)
    except ValidationError as exc:
        log.info("reorganisation: certificate request not raised: %s", "; ".join(exc.messages))
        return None


def people_changed_agency(*, person_ids: list[int]) -> int:
    """These people's unit changed, or its legal name did: a change of information (the agency on the
    certificate) for each of their valid personal certificates that has none under way. Returns how
    many requests were raised."""
    under_way = CertificateRequest.objects.filter(certificate=OuterRef("pk"), type=RequestType.CHANGE,
                                                  stage__in=services.OPEN)
    certs = list(_valid().filter(kind=CertKind.PERSONAL, person_id__in=person_ids).exclude(Exists(under_way))
                 .select_related("person__unit"))
    raised = 0
    for cert in certs:
        person = cert.person
        if _raise(kind=CertKind.PERSONAL, type_=RequestType.CHANGE, person=person, certificate=cert,
                  form={"change_field": "agency", "new_value": person.unit.name[:255]}) is not None:
            raised += 1
    return raised


def custodian_for(unit: Unit) -> Person | None:
    """Who keeps a unit's token: its head, else the custodian of an earlier organisational
    certificate who now works there, else the unit's first active person (by name)."""
    head = RoleAssignment.objects.filter(role=Role.UNIT_HEAD, unit=unit, person__status=PersonStatus.ACTIVE,
                                         person__unit=unit).select_related("person").first()
    if head is not None:
        return head.person
    earlier = (CertificateRequest.objects.filter(kind=CertKind.ORGANISATION, person__unit=unit,
                                                 person__status=PersonStatus.ACTIVE)
               .select_related("person").order_by("-created_at").first())
    if earlier is not None:
        return earlier.person
    return Person.objects.filter(unit=unit, status=PersonStatus.ACTIVE).order_by("sort_key", "uid").first()


def unit_needs_certificate(*, unit: Unit) -> CertificateRequest | None:
    """A new organisational certificate for a unit a plan created or renamed, unless one is under way;
    None when nobody in the unit can keep the token yet (the preview says so)."""
    custodian = custodian_for(unit)
    if custodian is None:
        log.info("reorganisation: no custodian in %s for its organisational certificate", unit.code)
        return None
    return _raise(kind=CertKind.ORGANISATION, type_=RequestType.NEW, person=custodian, unit=unit)
