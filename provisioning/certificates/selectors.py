"""Reads for the certificate pages and for the reports issue (coverage per unit)."""

from __future__ import annotations

from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, When
from django.utils import timezone

from accounts.models import Role, User
from accounts.scopes import covers, province_wide, role_units, within
from provisioning.certificates.models import (
    Certificate,
    CertificateBatch,
    CertificateRequest,
    CertKind,
    RequestType,
    Stage,
)
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


def requests_for(user: User) -> QuerySet:
    """Every request the user may follow, as the pages show them: their units' as HR officer or unit head
    (unit_requests), the province's IT leads' units, and their own (as the holder or custodian). One
    filter over the request's own joins, so no row comes twice and no DISTINCT is needed."""
    base = CertificateRequest.objects.select_related("person", "unit", "requested_by").order_by("-created_at", "-pk")
    if not user.is_authenticated:
        return base.none()
    q = Q(person__uid=user.get_username())
    for role in (Role.HR_ADMIN, Role.UNIT_HEAD, Role.IT_LEAD):
        paths = role_units(user, role)
        if paths is None:
            return base
        for p in paths:
            q |= Q(unit__path__startswith=p)
    return base.filter(q)


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


def looks_after(user: User, unit: Unit) -> bool:
    """The unit's HR officer or head (or one above it), or the superadmin: who sees the unit's page."""
    return covers(user, Role.HR_ADMIN, unit.path) or covers(user, Role.UNIT_HEAD, unit.path)


def requests_of_unit(unit: Unit) -> QuerySet:
    """A unit's requests, open ones first, then the most recent."""
    return CertificateRequest.objects.filter(unit=unit).select_related("person", "requested_by") \
        .order_by(Case(When(stage__in=(Stage.HEAD, Stage.IT, Stage.BATCHED), then=0), default=1), "-created_at")


def certificates_of_unit(unit: Unit) -> QuerySet:
    """Every certificate recorded for the unit: its people's, its own and its devices'."""
    return Certificate.objects.filter(unit=unit).select_related("person", "request").order_by("status", "-not_after")


def valid_certificates(*, person: Person | None = None, unit: Unit | None = None, kind: str) -> QuerySet:
    """The certificates a renewal, change, revocation or unlock may be about."""
    qs = Certificate.objects.filter(kind=kind, status=Certificate.Status.ACTIVE, not_after__gt=timezone.now())
    return qs.filter(person=person) if kind == CertKind.PERSONAL else qs.filter(unit=unit)


def staff_with_certificates(unit: Unit) -> QuerySet:
    """The unit's own staff (not those below), each with their valid personal certificates."""
    valid = Certificate.objects.filter(kind=CertKind.PERSONAL, status=Certificate.Status.ACTIVE,
                                       not_after__gt=timezone.now()).order_by("-not_after")
    return Person.objects.filter(unit=unit).exclude(status=PersonStatus.LEFT).order_by("sort_key", "uid") \
        .prefetch_related(Prefetch("certificates", queryset=valid, to_attr="valid_certificates"))


def may_see_request(user: User, req: CertificateRequest) -> bool:
    """The holder, the requester, and whoever looks after the unit (HR, head, IT)."""
    return user.get_username() == req.person.uid or user.pk == req.requested_by_id or \
        looks_after(user, req.unit) or covers(user, Role.IT_LEAD, req.unit.path)


def revocations_waiting(user: User) -> QuerySet:
    """Revocation and unlock requests of sent batches: IT records what the CA did."""
    if not is_province_it(user):
        return CertificateRequest.objects.none()
    return CertificateRequest.objects.filter(stage=Stage.BATCHED, type__in=(RequestType.REVOCATION,
                                                                           RequestType.UNLOCK)) \
        .exclude(batch__status=CertificateBatch.Status.DRAFT).select_related("person", "unit", "certificate") \
        .order_by("pk")
