"""A CA built on the cryptography library, so the whole flow runs in `make run` and in the tests,
and a province can run it for internal services. Its key and certificate live in
IDM_LOCAL_CA_DIR (created on first use, the key readable by its owner only)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from provisioning.certificates.models import CertKind

NEW_DAYS, RENEWAL_DAYS = 5 * 365, 3 * 365  # Decree 68/2024: a new certificate at most 5 years, a renewal 3


def random_serial() -> int:
    """CR-11: positive, below 2^159, 159 bits from the CSPRNG (so never sequential, unique in practice)."""
    while True:
        n = secrets.randbits(159)
        if n >= 1 << 64:
            return n


def _paths() -> tuple[Path, Path]:
    d = Path(settings.IDM_LOCAL_CA_DIR)
    return d / "ca.key", d / "ca.pem"


def _create() -> None:
    key_path, cert_path = _paths()
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "idm"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "idm local CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(random_serial()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=20 * 365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA384()))
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _load():
    key_path, cert_path = _paths()
    if not cert_path.is_file():
        try:
            _create()
        except FileExistsError:  # another process created it first
            pass
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    return key, x509.load_pem_x509_certificate(cert_path.read_bytes())


def local_ca_certificate() -> x509.Certificate:
    return _load()[1]


def subject_name(*, province: str, unit: str, common_name: str, tax_code: str = "") -> x509.Name:
    """C=VN, O=<province or ministry>, OU=<unit>, L=<province>, CN=<full name>; organisations may
    carry UID=MST:<tax code>. Never from a CSR (CR-08)."""
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, province),
             x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit),
             x509.NameAttribute(NameOID.LOCALITY_NAME, province)]
    if tax_code:
        attrs.append(x509.NameAttribute(NameOID.USER_ID, f"MST:{tax_code}"))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attrs)


class LocalCA:
    name = "local"
    takes_csr = True

    def issue_csr(self, *, public_key, subject: x509.Name, email: str, days: int, dns: str = "") -> bytes:
        """The profile decides every extension (CR-10): an end entity (CA:FALSE), signing and
        e-mail protection, the official address in the SAN as rfc822Name (CR-09)."""
        key, ca = _load()
        now = dt.datetime.now(dt.UTC)
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca.subject).public_key(public_key)
                   .serial_number(random_serial()).not_valid_before(now - dt.timedelta(minutes=5))
                   .not_valid_after(min(now + dt.timedelta(days=days), ca.not_valid_after_utc))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                                key_encipherment=isinstance(public_key, rsa.RSAPublicKey),
                                                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                                crl_sign=False, encipher_only=False, decipher_only=False),
                                  critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION,
                                                         ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.public_key()),
                                  critical=False))
        names = ([x509.RFC822Name(email)] if email else []) + ([x509.DNSName(dns)] if dns else [])
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return builder.sign(key, hashes.SHA384()).public_bytes(serialization.Encoding.DER)

    def issue_batch(self, requests: list) -> list[bytes]:
        """Play the government CA: generate each key pair "on the token" (the private key is
        dropped at once: idm never holds one, CR-13) and issue from the request's form."""
        out = []
        for req in requests:
            if req.type not in ("new", "renewal", "change"):
                continue
            form = req.form
            personal, device = req.kind == CertKind.PERSONAL, req.kind == CertKind.DEVICE
            common_name = form.get({CertKind.PERSONAL: "full_name", CertKind.ORGANISATION: "org_name",
                                    CertKind.DEVICE: "device_identifier"}[req.kind], "")
            subject = subject_name(province=form.get("province", ""), unit=req.unit.name, common_name=common_name,
                                   tax_code="" if personal or device else form.get("tax_code", ""))
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            out.append(self.issue_csr(public_key=key.public_key(), subject=subject,
                                      email="" if device else form.get("email", ""),
                                      dns=common_name if device and "." in common_name else "",
                                      days=RENEWAL_DAYS if req.type == "renewal" else NEW_DAYS))
        return out
