"""Reads for the certificate pages and for the reports issue (coverage per unit)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from accounts.scopes import province_wide, within
from provisioning.certificates.models import Certificate, CertificateBatch, CertificateRequest, CertKind, Stage
from provisioning.people.models import Person, PersonStatus
from provisioning.units.models import Unit


def my_person(user: User) -> Person | None:
    return Person.objects.select_related("unit").filter(uid=user.username).first()


def unit_requests(user: User) -> QuerySet:
    """Open and recent requests of the units the user is HR officer or unit head of."""
    base = CertificateRequest.objects.select_related("person", "unit", "requested_by").order_by("-created_at")
    heads = within(base, user, Role.UNIT_HEAD, "unit__path")
    hr = within(base, user, Role.HR_ADMIN, "unit__path")
    return (heads | hr).distinct()


def head_queue(user: User) -> QuerySet:
    return within(CertificateRequest.objects.filter(stage=Stage.HEAD), user, Role.UNIT_HEAD, "person__unit__path") \
        .select_related("person__unit", "unit", "requested_by")


def it_queue(user: User) -> QuerySet:
    return within(CertificateRequest.objects.filter(stage=Stage.IT), user, Role.IT_LEAD, "unit__path") \
        .select_related("person", "unit", "requested_by")


def unit_certificates(user: User) -> QuerySet:
    base = Certificate.objects.select_related("person", "unit").order_by("unit__path", "-not_after")
    return (within(base, user, Role.UNIT_HEAD, "unit__path") | within(base, user, Role.HR_ADMIN, "unit__path")) \
        .distinct()


def batches(user: User) -> QuerySet:
    """The CA batches: the province's IT leads' (a batch holds requests of every unit)."""
    if not is_province_it(user):
        return CertificateBatch.objects.none()
    return CertificateBatch.objects.annotate(size=Count("requests")).order_by("-created_at")


def is_province_it(user: User) -> bool:
    """Batches and the CA's answers belong to the province: an IT lead over a top unit, or the superadmin."""
    return province_wide(user, Role.IT_LEAD)


def batch_for_it(user: User, pk: int) -> CertificateBatch | None:
    return CertificateBatch.objects.filter(pk=pk).first() if is_province_it(user) else None


def units_of(user: User) -> QuerySet:
    """The units a unit head or HR officer looks after (and those below)."""
    return (within(Unit.objects.all(), user, Role.UNIT_HEAD, "path") |
            within(Unit.objects.all(), user, Role.HR_ADMIN, "path")).distinct()


def unit_coverage(units=None) -> list[dict]:
    """For each unit: active people, how many hold a valid personal certificate, and whether the
    unit holds a valid organisational one: the raw counts the reports issue rolls up."""
    now = timezone.now()
    valid = Certificate.objects.filter(status=Certificate.Status.ACTIVE, not_after__gt=now)
    qs = Unit.objects.all() if units is None else Unit.objects.filter(pk__in=units.values("pk")
                                                                       if isinstance(units, QuerySet)
                                                                       else [u.pk for u in units])
    active = Q(people__status=PersonStatus.ACTIVE)
    rows = qs.annotate(
        people_active=Count("people", filter=active, distinct=True),
        with_personal=Count("people", distinct=True, filter=active & Q(
            people__in=valid.filter(kind=CertKind.PERSONAL).values("person_id"))),
        has_organisational=Exists(valid.filter(kind=CertKind.ORGANISATION, unit=OuterRef("pk"))),
    ).order_by("path")
    return [{"unit": u, "people": u.people_active, "with_personal": u.with_personal,
             "has_organisational": u.has_organisational} for u in rows]
