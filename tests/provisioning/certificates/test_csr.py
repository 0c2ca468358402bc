"""The RA's checks on a CSR for the internal CA (security bar CR-01..CR-12), and issuance by the
local CA from the directory record once the unit head and IT approved."""

from __future__ import annotations

import hashlib
import math

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import ExtensionOID, NameOID
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from directory import gateway
from provisioning.audit.models import AuditEntry
from provisioning.certificates import csr as ra
from provisioning.certificates import internal, services
from provisioning.certificates.ca.local import random_serial
from provisioning.certificates.csr import CsrError, check_csr
from provisioning.certificates.models import Certificate, CertificateRequest
from provisioning.outbox.services import directory_changes_drain

pytestmark = pytest.mark.django_db


def make_csr(key=None, *, cn="Nguyễn Tiến Hoàng", email="hoangnt@quangtri.gov.vn", algorithm=None,
             extensions=(), encoding=serialization.Encoding.PEM) -> bytes:
    key = key or ec.generate_private_key(ec.SECP256R1())
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.EMAIL_ADDRESS, email)]))
    builder = builder.add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
    for ext, critical in extensions:
        builder = builder.add_extension(ext, critical=critical)
    signed = builder.sign(key, None if isinstance(key, ed25519.Ed25519PrivateKey) else (algorithm or hashes.SHA256()))
    return signed.public_bytes(encoding)


# ---- a few DER tools to build what no honest library would produce

def _len(n: int) -> bytes:
    if n < 128:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def _tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _len(len(content)) + content


def _children(der: bytes) -> list[bytes]:
    """The TLVs inside the outer SEQUENCE."""
    def header(buf, i):
        n = buf[i + 1]
        if n < 128:
            return i + 2, n
        k = n & 0x7F
        return i + 2 + k, int.from_bytes(buf[i + 2:i + 2 + k], "big")
    start, length = header(der, 0)
    out, i = [], start
    while i < start + length:
        body, n = header(der, i)
        out.append(der[i:body + n])
        i = body + n
    return out


def _int(n: int) -> bytes:
    return _tlv(0x02, n.to_bytes(n.bit_length() // 8 + 1, "big"))


def rsa_spki(n: int, e: int) -> bytes:
    alg = _tlv(0x30, bytes.fromhex("06092a864886f70d010101") + b"\x05\x00")
    return _tlv(0x30, alg + _tlv(0x03, b"\x00" + _tlv(0x30, _int(n) + _int(e))))


def resign_sha1(csr_der: bytes, key: rsa.RSAPrivateKey) -> bytes:
    info, _alg, _sig = _children(csr_der)
    sig = key.sign(info, padding.PKCS1v15(), hashes.SHA1())
    sha1_rsa = _tlv(0x30, bytes.fromhex("06092a864886f70d010105") + b"\x05\x00")
    return _tlv(0x30, info + sha1_rsa + _tlv(0x03, b"\x00" + sig))


def swap_key(csr_der: bytes, new_spki: bytes) -> bytes:
    csr = x509.load_der_x509_csr(csr_der)
    old = csr.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    info, alg, sig = _children(csr_der)
    version, subject, _spki, *rest = _children(info)
    return _tlv(0x30, _tlv(0x30, version + subject + new_spki + b"".join(rest)) + alg + sig) if old else b""


def refused(data: bytes) -> str:
    with translation.override("en"), pytest.raises(CsrError) as exc:
        check_csr(data)
    return str(exc.value)


def rsa_private_from_primes(p: int, q: int, e: int = 65537) -> rsa.RSAPrivateKey:
    d = pow(e, -1, (p - 1) * (q - 1))
    return rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p),
                                 rsa.RSAPublicNumbers(e, p * q)).private_key(unsafe_skip_rsa_key_validation=True)


def _is_probable_prime(n: int) -> bool:
    if n < 2 or any(n % p == 0 for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29)):
        return n in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29)
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _i in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _next_prime(n: int) -> int:
    n |= 1
    while not _is_probable_prime(n) or math.gcd(n - 1, 65537) != 1:
        n += 2
    return n


# ---- CR-01..CR-07: the checks themselves

def test_cr01_garbage_truncated_oversized_and_trailing_data_are_refused():
    good = make_csr()
    der = make_csr(encoding=serialization.Encoding.DER)
    assert check_csr(good) and check_csr(der)
    assert "empty" in refused(b"")
    assert "not a certificate request" in refused(b"GET / HTTP/1.1")
    assert "damaged or truncated" in refused(der[:-10])
    assert "16 KiB" in refused(b"\x30" * (17 * 1024))
    assert "exactly one" in refused(good + b"trailing")
    assert "exactly one" in refused(good + good)
    assert "strict DER" in refused(der + b"\x00")


def test_cr01_a_certificate_or_a_key_is_not_a_csr():
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    assert "exactly one" in refused(pem)


def test_cr02_a_csr_whose_key_was_swapped_after_signing_is_refused():
    der = make_csr(encoding=serialization.Encoding.DER)
    other = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert "proof of possession" in refused(swap_key(der, other))


def test_cr03_rsa_1024_non_allowed_curves_and_eddsa_are_refused(settings):
    assert "at least 2048" in refused(make_csr(rsa.generate_private_key(public_exponent=65537, key_size=1024)))
    assert "secp256k1" in refused(make_csr(ec.generate_private_key(ec.SECP256K1())))
    assert "brainpool" in refused(make_csr(ec.generate_private_key(ec.BrainpoolP256R1())))
    assert "EdDSA" in refused(make_csr(ed25519.Ed25519PrivateKey.generate()))
    settings.IDM_CSR_ALLOW_EDDSA = True
    assert check_csr(make_csr(ed25519.Ed25519PrivateKey.generate()))
    assert check_csr(make_csr(ec.generate_private_key(ec.SECP384R1())))
    assert check_csr(make_csr(rsa.generate_private_key(public_exponent=65537, key_size=3072)))


def test_cr04_rsa_exponent_1_and_even_exponents_are_refused():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = make_csr(key, encoding=serialization.Encoding.DER)
    n = key.public_key().public_numbers().n
    for e in (1, 2, 65536):
        reason = refused(swap_key(der, rsa_spki(n, e)))
        assert "exponent" in reason or "cannot be read" in reason


def test_cr04_a_modulus_with_a_small_factor_is_refused():
    with translation.override("en"), pytest.raises(CsrError, match="malformed"):
        ra.check_rsa(rsa.RSAPublicNumbers(65537, 751 * _next_prime(1 << 2038)).public_key())


def test_cr05_a_fermat_factorable_key_is_refused():
    p = _next_prime(3 << 1022)
    q = _next_prime(p + 2)
    assert "too close" in refused(make_csr(rsa_private_from_primes(p, q)))


def test_cr05_a_roca_fingerprinted_modulus_is_refused():
    m = math.prod([2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
                   101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167])
    assert ra.roca_vulnerable(pow(65537, 1234, m) * pow(65537, 777, m) % m + 5 * m)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert not ra.roca_vulnerable(key.public_key().public_numbers().n)


def test_cr05_a_debian_weak_key_is_refused(settings, tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    n = key.public_key().public_numbers().n
    listing = tmp_path / "blacklist.RSA-2048"
    listing.write_text("# Debian weak keys\n" + hashlib.sha1(f"Modulus={n:X}\n".encode()).hexdigest()[-20:] + "\n")
    settings.IDM_WEAK_KEY_LISTS = [str(listing)]
    assert "weak Debian key" in refused(make_csr(key))


def test_cr07_a_sha1_signed_csr_is_refused():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert "SHA-256 or stronger" in refused(resign_sha1(make_csr(key, encoding=serialization.Encoding.DER), key))


def test_cr11_serials_are_positive_large_random_and_unique():
    serials = [random_serial() for _ in range(1000)]
    assert len(set(serials)) == 1000
    assert all(1 << 64 <= s < 1 << 159 for s in serials)
    assert sorted(serials) != serials


# ---- the CSR path end to end, CR-06, CR-08..CR-10, CR-12

@pytest.fixture
def approved(cast, local_ca):
    def run(data: bytes, person=None):
        person = person or cast.staff
        req = internal.csr_request_create(actor=cast.u(person), person=person, data=data)
        services.request_decide_head(actor=cast.u(cast.head), request=req, approve=True)
        internal.request_decide_it(actor=cast.u(cast.it), request=req, approve=True)
        return Certificate.objects.get(request=req)
    return run


def test_cr08_cr09_cr10_the_subject_san_and_extensions_come_from_the_record_not_the_csr(cast, approved):
    data = make_csr(cn="Võ Thị Sáu", email="sauvt@quangtri.gov.vn",
                    extensions=[(x509.BasicConstraints(ca=True, path_length=None), True)])
    row = approved(data)
    cert = x509.load_der_x509_certificate(bytes(row.der))
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Nguyễn Tiến Hoàng"
    assert not cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)
    san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    assert san.get_values_for_type(x509.RFC822Name) == ["hoangnt@quangtri.gov.vn"]
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert not cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    directory_changes_drain()
    assert gateway.person_certificates("hoangnt") == [bytes(row.der)]


def test_cr06_a_key_already_bound_to_another_person_is_refused(cast, approved):
    key = ec.generate_private_key(ec.SECP256R1())
    approved(make_csr(key))
    with translation.override("en"), pytest.raises(ValidationError, match="someone else"):
        internal.csr_request_create(actor=cast.u(cast.clerk), person=cast.clerk, data=make_csr(key, cn="Võ Thị Sáu"))


def test_cr06_a_key_reported_compromised_is_refused(cast, approved):
    from provisioning.certificates.issued import certificate_revoke

    key = ec.generate_private_key(ec.SECP256R1())
    certificate_revoke(actor=None, certificate=approved(make_csr(key)), reason="key_compromise")
    with translation.override("en"), pytest.raises(ValidationError, match="compromised"):
        internal.csr_request_create(actor=cast.u(cast.staff), person=cast.staff, data=make_csr(key))


def test_cr12_issuance_needs_the_unit_head_and_the_audit_has_every_name_and_fingerprint(cast, local_ca):
    req = internal.csr_request_create(actor=cast.u(cast.staff), person=cast.staff, data=make_csr())
    with pytest.raises(ValidationError):
        internal.request_decide_it(actor=cast.u(cast.it), request=req, approve=True)  # the head first
    with pytest.raises(PermissionDenied):
        services.request_decide_head(actor=cast.u(cast.staff), request=req, approve=True)  # never oneself
    services.request_decide_head(actor=cast.u(cast.head), request=req, approve=True)
    internal.request_decide_it(actor=cast.u(cast.it), request=req, approve=True)
    row = Certificate.objects.get()
    audit = AuditEntry.objects.get(action="certificate.recorded").after
    assert audit["requested_by"] == "hoangnt" and audit["approved_by"] == "dongpv"
    assert audit["it_approved_by"] == "tuandm" and audit["serial"] == row.serial
    assert audit["spki_sha256"] == row.spki_sha256 and len(audit["csr_sha256"]) == 64
    assert CertificateRequest.objects.get().stage == "done"


def test_a_bad_csr_changes_nothing(cast, local_ca):
    with pytest.raises(ValidationError):
        internal.csr_request_create(actor=cast.u(cast.staff), person=cast.staff, data=b"garbage")
    assert not CertificateRequest.objects.exists() and not AuditEntry.objects.filter(
        action__startswith="certificate").exists()
