"""The RA's checks on a PKCS#10 CSR for the internal CA (security bar CR-01..CR-07): strict
parsing within a size limit, allowed key types and sizes, RSA exponent and modulus rules,
known-weak keys, proof of possession, SHA-256 or stronger. Each refusal is a CsrError whose
message says why, for the person who uploaded it. The subject, SAN and extensions of the CSR
are never used (CR-08..CR-10): services build them from the directory record. Pure: no database."""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import re
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from django.conf import settings
from django.utils.translation import gettext as _

MAX_CSR_BYTES = 16 * 1024  # CR-01
PEM = re.compile(rb"\A\s*-----BEGIN (NEW )?CERTIFICATE REQUEST-----\r?\n([^-]*)-----END (NEW )?CERTIFICATE REQUEST-----"
                 rb"\s*\Z")
CURVES = {"secp256r1", "secp384r1", "secp521r1"}  # CR-03: P-256, P-384, P-521 only
STRONG_HASHES = {"sha256", "sha384", "sha512", "sha3-256", "sha3-384", "sha3-512"}  # CR-07
MIN_RSA_BITS = 2048
FERMAT_ROUNDS = 100  # CR-05
# ROCA (CVE-2017-15361): moduli from the flawed Infineon library are, modulo each of these small
# primes, powers of 65537; a random modulus passes all of them with negligible probability.
ROCA_PRIMES = (11, 13, 17, 19, 37, 53, 61, 71, 73, 79, 97, 103, 107, 109, 127, 151, 157)


class CsrError(ValueError):
    pass


def read_csr(data: bytes) -> x509.CertificateSigningRequest:
    """CR-01: exactly one CSR, PEM or DER, at most 16 KiB, no trailing data, strict DER."""
    if not data:
        raise CsrError(_("The file is empty."))
    if len(data) > MAX_CSR_BYTES:
        raise CsrError(_("A certificate request is at most %(kib)s KiB.") % {"kib": MAX_CSR_BYTES // 1024})
    if data.lstrip()[:5] == b"-----":
        m = PEM.match(data)
        if m is None:
            raise CsrError(_("The file must hold exactly one CERTIFICATE REQUEST block and nothing else."))
        try:
            der = base64.b64decode(re.sub(rb"\s", b"", m.group(2)), validate=True)
        except (binascii.Error, ValueError):
            raise CsrError(_("A PEM block is not valid base64.")) from None
    elif data[:1] == b"\x30":
        der = data
    else:
        raise CsrError(_("This is not a certificate request (PKCS#10, PEM or DER)."))
    claimed = _outer_length(der)
    if claimed < 0 or claimed > len(der):
        raise CsrError(_("The certificate request is damaged or truncated."))
    if claimed < len(der):
        raise CsrError(_("The certificate request is not strict DER or has data after it."))
    try:
        csr = x509.load_der_x509_csr(der)
        canonical = csr.public_bytes(serialization.Encoding.DER)
    except ValueError:
        raise CsrError(_("The certificate request is damaged or truncated.")) from None
    if canonical != der:  # trailing bytes or a non-canonical (BER) encoding
        raise CsrError(_("The certificate request is not strict DER or has data after it."))
    return csr


def _outer_length(der: bytes) -> int:
    """How many bytes the outer DER element claims (header included); -1 if it cannot say."""
    if len(der) < 2:
        return -1
    n = der[1]
    if n < 0x80:
        return 2 + n
    k = n & 0x7F
    if k == 0 or k > 4 or len(der) < 2 + k:
        return -1
    return 2 + k + int.from_bytes(der[2:2 + k], "big")


def _small_primes(limit: int) -> list[int]:
    sieve = bytearray([1]) * limit
    sieve[:2] = b"\0\0"
    for i in range(2, int(limit ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(sieve[i * i::i]))
    return [i for i in range(limit) if sieve[i]]


def _iroot(n: int, k: int) -> int:
    """The integer k-th root of n (floor), by Newton's method."""
    x = 1 << ((n.bit_length() + k - 1) // k)
    while True:
        y = ((k - 1) * x + n // x ** (k - 1)) // k
        if y >= x:
            return x
        x = y


def _is_prime_power(n: int) -> bool:
    """n = p^k with k >= 2 (any such n is a perfect power with a prime exponent)."""
    return any(_iroot(n, k) ** k == n for k in _small_primes(n.bit_length() // 9 + 2) if k >= 2)


def _fermat_factor(n: int, rounds: int = FERMAT_ROUNDS) -> bool:
    """CR-05: p and q so close that Fermat's method finds them at once."""
    a = math.isqrt(n)
    if a * a < n:
        a += 1
    for _i in range(rounds):
        b2 = a * a - n
        b = math.isqrt(b2)
        if b * b == b2:
            return True
        a += 1
    return False


@cache
def _roca_generators() -> dict[int, set[int]]:
    out = {}
    for p in ROCA_PRIMES:
        seen, x = set(), 1
        while x not in seen:
            seen.add(x)
            x = x * 65537 % p
        out[p] = seen
    return out


def roca_vulnerable(n: int) -> bool:
    return all(n % p in powers for p, powers in _roca_generators().items())


def _weak_list_entries() -> set[str]:
    """Debian weak keys (CVE-2008-0166) in the openssl-blacklist format: the last 20 hex digits of
    the SHA-1 of "Modulus=<HEX>\\n", one a line. The lists (cabforum/Debian-weak-keys) are files the
    operator installs; IDM_WEAK_KEY_LISTS names them."""
    entries: set[str] = set()
    for name in settings.IDM_WEAK_KEY_LISTS:
        for line in Path(name).read_text(encoding="ascii", errors="replace").splitlines():
            line = line.strip().lower()
            if line and not line.startswith("#"):
                entries.add(line[-20:])
    return entries


def debian_weak(n: int) -> bool:
    digest = hashlib.sha1(f"Modulus={n:X}\n".encode(), usedforsecurity=False).hexdigest()
    return digest[-20:] in _weak_list_entries()


def check_rsa(key: rsa.RSAPublicKey) -> None:
    numbers = key.public_numbers()
    n, e = numbers.n, numbers.e
    if n.bit_length() < MIN_RSA_BITS or n.bit_length() % 8:
        raise CsrError(_("RSA keys must have at least %(bits)s bits (a multiple of 8); this one has %(have)s.")
                       % {"bits": MIN_RSA_BITS, "have": n.bit_length()})
    if e < 3 or e % 2 == 0 or e.bit_length() > 256:  # CR-04
        raise CsrError(_("The RSA public exponent must be odd, at least 3 and below 2^256 (65537 is usual)."))
    if n % 2 == 0 or any(n % p == 0 for p in _small_primes(752)) or _is_prime_power(n):
        raise CsrError(_("The RSA modulus is malformed (even, with a small factor, or a prime power)."))
    if roca_vulnerable(n):
        raise CsrError(_("This key comes from a chip with the ROCA flaw (CVE-2017-15361); ask for a new token."))
    if _fermat_factor(n):
        raise CsrError(_("This key's primes are too close together: it can be factored at once."))
    if debian_weak(n):
        raise CsrError(_("This is a known weak Debian key (CVE-2008-0166)."))


def check_key(public_key) -> None:
    """CR-03..CR-05: the key types and sizes the profile allows, and no known-weak key."""
    if isinstance(public_key, rsa.RSAPublicKey):
        check_rsa(public_key)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        if public_key.curve.name not in CURVES:
            raise CsrError(_("Elliptic-curve keys must be on P-256, P-384 or P-521; %(curve)s is not allowed.")
                           % {"curve": public_key.curve.name})
    elif isinstance(public_key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        if not settings.IDM_CSR_ALLOW_EDDSA:
            raise CsrError(_("EdDSA keys are not allowed by this CA's profile."))
    else:
        raise CsrError(_("This kind of key (%(kind)s) is not allowed.") % {"kind": type(public_key).__name__})


def check_csr(data: bytes) -> x509.CertificateSigningRequest:
    """Every check, in order; returns the CSR whose public key may be certified."""
    csr = read_csr(data)
    try:
        public_key = csr.public_key()
    except (ValueError, TypeError, NotImplementedError):
        raise CsrError(_("The key in the certificate request cannot be read or is not allowed.")) from None
    check_key(public_key)
    algorithm = csr.signature_hash_algorithm
    if isinstance(public_key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        algorithm = hashes.SHA512()  # EdDSA signs with its own hash
    if algorithm is None or algorithm.name not in STRONG_HASHES:
        raise CsrError(_("The request must be signed with SHA-256 or stronger (not MD5 or SHA-1)."))
    if not csr.is_signature_valid:  # CR-02: proof of possession
        raise CsrError(_("The request's signature does not match its key (proof of possession failed)."))
    return csr


def csr_sha256(csr: x509.CertificateSigningRequest) -> str:
    return hashlib.sha256(csr.public_bytes(serialization.Encoding.DER)).hexdigest()
