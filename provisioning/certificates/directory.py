"""Publish certificates in the directory: a person's valid personal certificates on their entry,
a unit's valid organisational ones on the unit's entry (userCertificate;binary). State, not
deltas: a revoked or expired certificate is simply no longer in the set."""

from __future__ import annotations

from django.utils import timezone

from directory import gateway
from provisioning.certificates.models import Certificate, CertKind
from provisioning.outbox.appliers import permanent_failures
from provisioning.outbox.models import DirectoryChange
from provisioning.outbox.services import directory_change_enqueue_many
from provisioning.people.models import Person
from provisioning.units.models import Unit
from provisioning.units.selectors import unit_ancestors

Kind = DirectoryChange.Kind


def publish_later(cert: Certificate) -> None:
    """Outbox row (same transaction) for the entry that holds this certificate. A device or service
    has no entry of its own in the directory: its certificate is recorded, not published."""
    if cert.kind == CertKind.PERSONAL:
        directory_change_enqueue_many(kind=Kind.PERSON_CERTIFICATES, object_ids=[cert.person_id])
    elif cert.kind == CertKind.ORGANISATION:
        directory_change_enqueue_many(kind=Kind.UNIT_CERTIFICATES, object_ids=[cert.unit_id])


def _valid(**holder) -> list[bytes]:
    return [bytes(d) for d in Certificate.objects.filter(status=Certificate.Status.ACTIVE,
                                                         not_after__gt=timezone.now(), **holder)
            .order_by("pk").values_list("der", flat=True)]


def _apply_person(person: Person) -> None:
    gateway.person_set_certificates(person.uid, _valid(person=person, kind=CertKind.PERSONAL))


def _apply_unit(unit: Unit) -> None:
    path = [u.code for u in unit_ancestors(unit)] + [unit.code]
    gateway.unit_set_certificates(path, _valid(unit=unit, kind=CertKind.ORGANISATION))


def apply_certificate_changes(ids_by_kind: dict[str, list[int]]) -> dict[tuple[str, int], Exception]:
    """The outbox's applier for certificates (registered in ProvisioningConfig.ready)."""
    people = Person.objects.filter(pk__in=ids_by_kind.get(Kind.PERSON_CERTIFICATES, []))
    units = Unit.objects.filter(pk__in=ids_by_kind.get(Kind.UNIT_CERTIFICATES, []))
    failures = {(Kind.PERSON_CERTIFICATES.value, pk): exc
                for pk, exc in permanent_failures(people, _apply_person, key=lambda p: p.pk).items()}
    failures |= {(Kind.UNIT_CERTIFICATES.value, pk): exc
                 for pk, exc in permanent_failures(units, _apply_unit, key=lambda u: u.pk).items()}
    return failures
