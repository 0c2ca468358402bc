"""A small PKI for the stories: CAs and certificates made on the spot with the cryptography library."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from provisioning.certificates.ca.local import random_serial, subject_name


def make_ca(name: str = "Test government CA"):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                         x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(random_serial()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def issue(ca, *, cn: str, email: str, unit: str = "Sở Tài chính", tax_code: str = "", key=None,
          start: dt.datetime | None = None, days: int = 365 * 3) -> x509.Certificate:
    ca_key, ca_cert = ca
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = start or dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    builder = (x509.CertificateBuilder()
               .subject_name(subject_name(province="Ủy ban nhân dân tỉnh Quảng Trị", unit=unit, common_name=cn,
                                          tax_code=tax_code))
               .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(random_serial())
               .not_valid_before(start).not_valid_after(start + dt.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True))
    if email:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
    return builder.sign(ca_key, hashes.SHA256())


def pem(*certs) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def der(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)
