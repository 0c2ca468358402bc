"""Which CAs a province trusts: a PEM bundle at settings.IDM_CA_BUNDLE (the government CA's
chain, an internal CA, a script's test CA: all load the same way). A certificate is accepted
only with a valid chain to one of them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.utils.translation import gettext as _

from provisioning.certificates.x509files import CertificateFileError


def trusted() -> list[x509.Certificate]:
    """The configured CA certificates (root and intermediate), plus the local CA's when that adapter is on."""
    out: list[x509.Certificate] = []
    path = settings.IDM_CA_BUNDLE
    if path and Path(path).is_file():
        out.extend(x509.load_pem_x509_certificates(Path(path).read_bytes()))
    if "local" in (settings.IDM_CA_ADAPTER, settings.IDM_INTERNAL_CA_ADAPTER):
        from provisioning.certificates.ca.local import local_ca_certificate  # only when that adapter is chosen

        out.append(local_ca_certificate())
    return out


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def verify_chain(cert: x509.Certificate, *, extra: list[x509.Certificate] = (),
                 now: dt.datetime | None = None) -> x509.Certificate:
    """The trusted CA the certificate chains to (through intermediates in the bundle or in
    `extra`, the same upload); raises CertificateFileError saying why not. Expired or not yet
    valid certificates are refused."""
    now = now or dt.datetime.now(dt.UTC)
    if cert.not_valid_after_utc < now:
        raise CertificateFileError(_("The certificate expired on %(day)s.")
                                   % {"day": cert.not_valid_after_utc.strftime("%d/%m/%Y")})
    if cert.not_valid_before_utc > now:
        raise CertificateFileError(_("The certificate is not valid yet."))
    anchors = trusted()
    if not anchors:
        raise CertificateFileError(_("No certification authority is configured (IDM_CA_BUNDLE)."))
    pool = anchors + [c for c in extra if _is_ca(c)]
    current, seen = cert, 0
    while seen < 8:  # a chain longer than this is not one we issue or accept
        issuer = next((c for c in pool if c.subject == current.issuer and _signed_by(current, c)), None)
        if issuer is None or not _is_ca(issuer) or issuer.not_valid_after_utc < now:
            break
        if issuer in anchors:
            return issuer
        current, seen = issuer, seen + 1
    raise CertificateFileError(_("The certificate was not issued by a certification authority this province "
                                 "trusts."))


def _signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
