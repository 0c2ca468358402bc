"""The CSR path, for provinces that also run their own CA for internal services: a person uploads
a PKCS#10 from their token; the RA checks it (csr.py, CR-01..CR-07); the unit head approves
(CR-12); IT's approval issues at once from the internal CA, with the subject and SAN built from
the directory record (CR-08, CR-09) and the profile's extensions only (CR-10)."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from provisioning.audit.services import audit_record
from provisioning.certificates import services
from provisioning.certificates.ca import adapter_named, internal_ca_open
from provisioning.certificates.ca.local import NEW_DAYS, subject_name
from provisioning.certificates.csr import CsrError, check_csr, csr_sha256
from provisioning.certificates.issued import certificate_store, check_key_unbound
from provisioning.certificates.models import CertificateRequest, CertKind, RequestType, Stage
from provisioning.certificates.x509files import CertificateFileError, spki_sha256
from provisioning.people.models import Person


@transaction.atomic
def csr_request_create(*, actor, person: Person, data: bytes) -> CertificateRequest:
    """A person (or their HR officer) asks the internal CA to certify the key of a checked CSR."""
    if not internal_ca_open():
        raise ValidationError({"csr": [_("This province runs no internal CA: ask for a certificate from the "
                                         "government CA instead.")]})
    try:
        csr = check_csr(data)
    except CsrError as exc:
        raise ValidationError({"csr": [str(exc)]}) from None
    if not person.mail:
        raise ValidationError(_("A certificate names the official mailbox: this person has none yet."))
    spki = spki_sha256(csr.public_key())
    probe = CertificateRequest(person=person, unit=person.unit, kind=CertKind.PERSONAL)
    try:
        check_key_unbound(probe, spki)  # CR-06
    except CertificateFileError as exc:
        raise ValidationError({"csr": [str(exc)]}) from None
    pem = csr.public_bytes(serialization.Encoding.PEM).decode()
    req = services.request_create(actor=actor, kind=CertKind.PERSONAL, type_=RequestType.NEW, person=person,
                                  csr_pem=pem, key_sha256=spki)
    audit_record(actor=actor, action="certificate.csr_checked", target=req,
                 after={"csr_sha256": csr_sha256(csr), "spki_sha256": spki})
    return req


@transaction.atomic
def request_decide_it(*, actor, request: CertificateRequest, approve: bool, note: str = "") -> CertificateRequest:
    """IT's decision on any request: CSR requests are issued now by the internal CA, the others go
    into the batch for the government CA (services.request_decide_it)."""
    if not request.csr_pem:
        return services.request_decide_it(actor=actor, request=request, approve=approve, note=note)
    request = CertificateRequest.objects.select_for_update(of=("self",)).select_related("person__unit", "unit",
                                                                           "requested_by", "decided_by") \
        .get(pk=request.pk)
    if request.stage != Stage.IT:  # the unit head approved first (CR-12)
        raise ValidationError(_("This request is not waiting for the IT department."))
    if not services.may_decide_it(actor, request):
        raise PermissionDenied
    request.it_decided_by, request.it_decided_at = actor, timezone.now()
    if not approve:
        note = " ".join((note or "").split())
        if not note:
            raise ValidationError({"note": [_("Say why the request is refused.")]})
        request.stage, request.decision_note = Stage.REFUSED, note[:500]
        request.save(update_fields=["stage", "decision_note", "it_decided_by", "it_decided_at"])
        audit_record(actor=actor, action="certificate.it_refused", target=request, after={"note": note})
        return request
    if not internal_ca_open():  # the setting changed since the request was made
        raise ValidationError(_("This province runs no internal CA: refuse the request, the person asks the "
                                "government CA instead."))
    request.save(update_fields=["it_decided_by", "it_decided_at"])
    csr = x509.load_pem_x509_csr(request.csr_pem.encode())
    person = request.person
    subject = subject_name(province=request.form.get("province", ""), unit=person.unit.name,
                           common_name=person.full_name)  # from the record, never from the CSR (CR-08)
    der = adapter_named(settings.IDM_INTERNAL_CA_ADAPTER).issue_csr(
        public_key=csr.public_key(), subject=subject, email=person.mail, days=NEW_DAYS)
    cert = x509.load_der_x509_certificate(der)
    audit_record(actor=actor, action="certificate.it_approved", target=request, after={"issued_now": True})
    certificate_store(actor=actor, req=request, cert=cert, trusted_ca=cert.issuer.rfc4514_string(),
                      extra_audit={"csr_sha256": csr_sha256(csr), "it_approved_by": actor.get_username()})
    return request


