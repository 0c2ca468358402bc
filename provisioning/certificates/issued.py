"""Certificates coming back from the CA: each is read strictly, checked (a valid chain to a
trusted CA, not expired, the subject and email of the person or unit its request names),
matched to its request, recorded and published in the directory through the outbox. A
certificate that matches no request, or is already recorded, is reported and not stored.
Revocations and expiry take certificates out of the directory the same way."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from provisioning.audit.services import audit_record
from provisioning.certificates.directory import publish_later
from provisioning.certificates.models import (
    Certificate,
    CertificateRequest,
    CertKind,
    RequestType,
    RevocationReason,
    Stage,
)
from provisioning.certificates.services import _notify, batch_progress
from provisioning.certificates.trust import verify_chain
from provisioning.certificates.x509files import (
    CertificateFileError,
    dns_names,
    emails,
    fingerprint,
    read_certificates,
    serial_hex,
    spki_sha256,
    subject_cn,
    subject_uid,
)

ISSUING = (RequestType.NEW, RequestType.RENEWAL, RequestType.CHANGE)
MAX_DAYS = {RequestType.NEW: 5 * 366, RequestType.RENEWAL: 3 * 366, RequestType.CHANGE: 5 * 366}


@dataclass
class ImportReport:
    recorded: list[Certificate] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (what, why): shown to whoever uploaded

    @property
    def ok(self) -> bool:
        return not self.refused


def _label(cert: x509.Certificate) -> str:
    return f"{subject_cn(cert) or '?'} ({serial_hex(cert)})"


def _match(cert: x509.Certificate) -> CertificateRequest:
    """The batched request this certificate answers; raises CertificateFileError saying why none."""
    mails, cn, uid = emails(cert), subject_cn(cert), subject_uid(cert)
    waiting = CertificateRequest.objects.filter(stage=Stage.BATCHED, type__in=ISSUING).select_related(
        "person", "unit")
    names = {n.lower() for n in dns_names(cert)} | ({cn.lower()} if cn else set())
    # the form's keys are narrowed in SQL (a CA's file of a thousand certificates is not a thousand
    # reads of every waiting request), then checked exactly as before
    organisations = waiting.filter(kind=CertKind.ORGANISATION)
    if uid.startswith("MST:"):
        found = [r for r in organisations.filter(form__tax_code=uid[4:]) if r.form.get("tax_code") == uid[4:]]
    else:
        by_mail = functools.reduce(operator.or_, (Q(form__email__iexact=m) for m in mails), Q(pk__in=[]))
        found = list(waiting.filter(kind=CertKind.PERSONAL, person__mail__in=mails)) + \
            [r for r in organisations.filter(by_mail) if r.form.get("email", "").lower() in mails]
    # a device or service is named by its domain name or identifier (CN or SAN)
    found += [r for r in waiting.filter(kind=CertKind.DEVICE) if r.form.get("device_identifier", "").lower() in names]
    if not found:
        raise CertificateFileError(_("The certificate matches no request waiting for the CA."))
    req = found[0]
    if req.kind == CertKind.DEVICE:
        return req
    want_cn = req.form.get("full_name") if req.kind == CertKind.PERSONAL else req.form.get("org_name")
    if cn != want_cn or (req.form.get("email", "").lower() not in mails):
        raise CertificateFileError(_("The certificate names someone else than the request for %(who)s.")
                                   % {"who": want_cn})
    return req


def _holder_filter(req: CertificateRequest) -> dict:
    return {"person": req.person} if req.kind == CertKind.PERSONAL else {"unit": req.unit, "kind": req.kind}


def check_key_unbound(req: CertificateRequest, spki: str) -> None:
    """CR-06: a key reported compromised, or bound to another holder, is refused."""
    same_key = Certificate.objects.filter(spki_sha256=spki)
    if same_key.filter(revocation_reason=RevocationReason.KEY_COMPROMISE).exists():
        raise CertificateFileError(_("This key was reported compromised."))
    other_requests = CertificateRequest.objects.filter(key_sha256=spki).exclude(stage=Stage.REFUSED) \
        .exclude(person=req.person)
    if same_key.exclude(**_holder_filter(req)).exists() or other_requests.exists():
        raise CertificateFileError(_("This key is already bound to someone else."))


@transaction.atomic
def _record(*, actor, cert: x509.Certificate, chain: list[x509.Certificate], token_serial: str) -> Certificate:
    anchor = verify_chain(cert, extra=chain)
    if Certificate.objects.filter(fingerprint=fingerprint(cert)).exists():
        raise CertificateFileError(_("This certificate is already recorded."))
    req = CertificateRequest.objects.select_for_update().get(pk=_match(cert).pk)
    if req.stage != Stage.BATCHED:
        raise CertificateFileError(_("The certificate matches no request waiting for the CA."))
    days = (cert.not_valid_after_utc - cert.not_valid_before_utc).days
    if days > MAX_DAYS[req.type]:
        raise CertificateFileError(_("The certificate is valid for longer than the law allows (%(years)s years).")
                                   % {"years": MAX_DAYS[req.type] // 366})
    return certificate_store(actor=actor, req=req, cert=cert, token_serial=token_serial,
                             trusted_ca=anchor.subject.rfc4514_string())


def certificate_store(*, actor, req: CertificateRequest, cert: x509.Certificate, token_serial: str = "",
                      trusted_ca: str, extra_audit: dict | None = None) -> Certificate:
    """Record a checked certificate for its request, finish the request and publish (call in a transaction)."""
    spki = spki_sha256(cert.public_key())
    check_key_unbound(req, spki)
    row = Certificate.objects.create(
        kind=req.kind, person=req.person if req.kind == CertKind.PERSONAL else None, unit=req.unit, request=req,
        serial=serial_hex(cert), issuer=cert.issuer.rfc4514_string()[:512], subject=cert.subject.rfc4514_string()[:512],
        email=(emails(cert) or [""])[0], not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
        fingerprint=fingerprint(cert), spki_sha256=spki, der=cert.public_bytes(serialization.Encoding.DER),
        token_serial=token_serial or req.form.get("token_serial", ""))
    req.stage = Stage.DONE
    req.save(update_fields=["stage"])
    if req.batch is not None:
        batch_progress(req.batch)
    audit_record(actor=actor, action="certificate.recorded", target=row,
                 after={"serial": row.serial, "issuer": row.issuer, "trusted_ca": trusted_ca, "request": req.pk,
                        "not_after": row.not_after.isoformat(), "spki_sha256": spki,
                        "requested_by": req.requested_by.get_username(),
                        "approved_by": req.decided_by.get_username() if req.decided_by else None}
                 | (extra_audit or {}))
    publish_later(row)
    _notify(req, "issued")
    return row


def certificates_import(*, actor, data: bytes, token_serial: str = "") -> ImportReport:
    """Read a PEM, DER or PKCS#7 file and record each end-entity certificate in it; CA
    certificates in the file only help build chains. Each certificate is all-or-nothing."""
    report = ImportReport()
    try:
        certs = read_certificates(data)
    except CertificateFileError as exc:
        report.refused.append((_("the file"), str(exc)))
        return report
    chain = [c for c in certs if _is_ca(c)]
    leaves = [c for c in certs if not _is_ca(c)]
    for cert in leaves:
        try:
            report.recorded.append(_record(actor=actor, cert=cert, chain=chain,
                                           token_serial=token_serial if len(leaves) == 1 else ""))
        except CertificateFileError as exc:
            report.refused.append((_label(cert), str(exc)))
    if not leaves:
        report.refused.append((_("the file"), _("The file holds only CA certificates.")))
    return report


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason: str,
                       on: dt.datetime | None = None) -> Certificate:
    """Record that the CA revoked a certificate: it leaves the directory, and the revocation
    request waiting for it (if any) is done."""
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if cert.status == Certificate.Status.REVOKED:
        return cert
    if reason not in RevocationReason.values:
        raise CertificateFileError(_("Choose one of the reasons on the revocation form."))
    cert.status, cert.revoked_at, cert.revocation_reason = Certificate.Status.REVOKED, on or timezone.now(), reason
    cert.save(update_fields=["status", "revoked_at", "revocation_reason"])
    for req in CertificateRequest.objects.filter(certificate=cert, type=RequestType.REVOCATION,
                                                 stage__in=(Stage.IT, Stage.BATCHED)):
        req.stage = Stage.DONE
        req.save(update_fields=["stage"])
        if req.batch is not None:
            batch_progress(req.batch)
    audit_record(actor=actor, action="certificate.revoked", target=cert, after={"serial": cert.serial,
                                                                                 "reason": reason})
    publish_later(cert)
    return cert


def revocation_confirm(*, actor, request: CertificateRequest) -> Certificate:
    """The CA confirmed a revocation request of a sent batch: its certificate is recorded as revoked
    with the reason on the form (and so leaves the directory)."""
    if request.type != RequestType.REVOCATION or request.stage != Stage.BATCHED or request.certificate is None:
        raise CertificateFileError(_("This request is not a revocation waiting for the CA."))
    if request.batch is None or request.batch.status == request.batch.Status.DRAFT:
        raise CertificateFileError(_("Send the batch to the CA first."))
    return certificate_revoke(actor=actor, certificate=request.certificate,
                              reason=request.form.get("reason", ""))


def batch_issue_now(*, actor, batch) -> ImportReport:
    """A CA that issues at once (the local CA, IDM_CA_ADAPTER=local, as in `make run`): what it issued
    for a sent batch is recorded exactly as an imported file would be. The government CA issues
    nothing here; its certificates come back as files."""
    from provisioning.certificates.ca import adapter

    report = ImportReport()
    waiting = list(batch.requests.filter(stage=Stage.BATCHED).select_related("unit").order_by("pk"))
    for der in adapter().issue_batch(waiting):
        one = certificates_import(actor=actor, data=der)
        report.recorded += one.recorded
        report.refused += one.refused
    return report


@transaction.atomic
def certificates_expire(*, now: dt.datetime | None = None) -> int:
    """Certificates past their end leave the directory."""
    now = now or timezone.now()
    n = 0
    for cert in Certificate.objects.select_for_update().filter(status=Certificate.Status.ACTIVE, not_after__lte=now):
        cert.status = Certificate.Status.EXPIRED
        cert.save(update_fields=["status"])
        audit_record(actor=None, action="certificate.expired", target=cert, after={"serial": cert.serial})
        publish_later(cert)
        n += 1
    return n
