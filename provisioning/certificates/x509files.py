"""Reading certificate files strictly: PEM (one or more CERTIFICATE or PKCS7 blocks and nothing
else), DER, or a PKCS#7 bundle, within a size limit. Anything else is a user-facing error that
says what was wrong; nothing is half-read. Pure: no database."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtensionOID, NameOID
from django.conf import settings
from django.utils.translation import gettext as _

PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]{1,40})-----\r?\n([^-]*?)\r?\n?-----END \1-----")
MAX_CERTIFICATES = 200


class CertificateFileError(ValueError):
    """A file that is not what it should be; the message is for the person who uploaded it."""


def _der_certificates(der: bytes) -> list[x509.Certificate]:
    try:
        return [x509.load_der_x509_certificate(der)]
    except ValueError:
        pass
    try:
        certs = pkcs7.load_der_pkcs7_certificates(der)
    except ValueError:
        raise CertificateFileError(_("This is not a certificate, a certificate chain or a PKCS#7 bundle, "
                                     "or it is damaged or truncated.")) from None
    if not certs:
        raise CertificateFileError(_("The PKCS#7 bundle holds no certificate."))
    return list(certs)


def _pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    blocks, at = [], 0
    for m in PEM_BLOCK.finditer(data):
        if data[at:m.start()].strip():
            raise CertificateFileError(_("The file has data outside its PEM blocks."))
        try:
            der = base64.b64decode(re.sub(rb"\s", b"", m.group(2)), validate=True)
        except (binascii.Error, ValueError):
            raise CertificateFileError(_("A PEM block is not valid base64.")) from None
        blocks.append((m.group(1).decode(), der))
        at = m.end()
    if data[at:].strip():
        raise CertificateFileError(_("The file has data outside its PEM blocks."))
    if not blocks:
        raise CertificateFileError(_("The PEM file holds no block."))
    return blocks


def read_certificates(data: bytes, *, limit: int | None = None) -> list[x509.Certificate]:
    """Every certificate in a PEM, DER or PKCS#7 file (CR-01's rules, applied to certificates)."""
    limit = limit or settings.IDM_CERT_MAX_BYTES
    if not data:
        raise CertificateFileError(_("The file is empty."))
    if len(data) > limit:
        raise CertificateFileError(_("The file is larger than %(kib)s KiB.") % {"kib": limit // 1024})
    if data.lstrip()[:11] == b"-----BEGIN ":
        certs = []
        for label, der in _pem_blocks(data):
            if label not in ("CERTIFICATE", "PKCS7"):
                raise CertificateFileError(_("A %(label)s block is not a certificate.") % {"label": label})
            certs.extend(_der_certificates(der) if label == "PKCS7" else _one_der(der))
    elif data[:1] == b"\x30":
        certs = _der_certificates(data)
    else:
        raise CertificateFileError(_("This is not a certificate file (PEM, DER or PKCS#7)."))
    if len(certs) > MAX_CERTIFICATES:
        raise CertificateFileError(_("A file may hold at most %(n)s certificates.") % {"n": MAX_CERTIFICATES})
    return certs


def _one_der(der: bytes) -> list[x509.Certificate]:
    try:
        return [x509.load_der_x509_certificate(der)]
    except ValueError:
        raise CertificateFileError(_("A certificate in the file is damaged or truncated.")) from None


# ---------------------------------------------------------------- what a certificate says

def fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def spki_sha256(public_key) -> str:
    spki = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).hexdigest()


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "X")


def name_attr(name: x509.Name, oid) -> str:
    found = name.get_attributes_for_oid(oid)
    return str(found[0].value) if found else ""


def emails(cert: x509.Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    except x509.ExtensionNotFound:
        return []
    return [e.lower() for e in san.get_values_for_type(x509.RFC822Name)]


def dns_names(cert: x509.Certificate) -> list[str]:
    """DNS names and IP addresses in the SAN (a device or service certificate names itself so)."""
    try:
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    except x509.ExtensionNotFound:
        return []
    return [d.lower() for d in san.get_values_for_type(x509.DNSName)] + \
        [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]


def subject_cn(cert: x509.Certificate) -> str:
    return name_attr(cert.subject, NameOID.COMMON_NAME)


def subject_uid(cert: x509.Certificate) -> str:
    return name_attr(cert.subject, NameOID.USER_ID)


def validity(cert: x509.Certificate) -> tuple[dt.datetime, dt.datetime]:
    return cert.not_valid_before_utc, cert.not_valid_after_utc


def key_description(public_key) -> str:
    if isinstance(public_key, rsa.RSAPublicKey):
        return f"RSA-{public_key.key_size}"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return f"EC-{public_key.curve.name}"
    return type(public_key).__name__
