"""Password hashing for values written to userPassword (PW-13, PW-07, PW-14).

argon2id through passlib (the maintained libpass distribution), stored with slapd's {ARGON2}
scheme prefix: slapd's argon2 module verifies argon2id hashes made elsewhere, and so does any
client that authenticates by binding (Dovecot auth_bind). Passwords are NFKC-normalised before
hashing and before every bind, so a password typed precomposed or decomposed is the same one.
"""

from __future__ import annotations

import secrets
import unicodedata
from functools import cache

from passlib.hash import argon2

# argon2id at the OWASP Password Storage Cheat Sheet's m=19 MiB, t=2, p=1: the cheapest setting PW-13 accepts
# (m >= 19 MiB and t >= 2), and a login's one Argon2 check (slapd's, at the person's bind) has to fit in the
# 100 ms login target with 20 clients on two cores. OWASP's equivalent m=46 MiB, t=1 is refused by PW-13
# (t=1) and cost twice as much here (bench/argon2_params.py: allocating and touching 46 MiB outweighs the
# saved pass); p=2 would only split one check over both cores, which under load are busy anyway.
# slapd's argon2 module is loaded with the same figures (scripts/dev/slapd.py ARGON2_MODULE), so a value
# slapd hashes itself is made like ours; it verifies any argon2id value with the parameters stored in it.
MEMORY_KIB, TIME_COST, PARALLELISM = 19456, 2, 1
_HASHER = argon2.using(type="ID", memory_cost=MEMORY_KIB, time_cost=TIME_COST, parallelism=PARALLELISM)


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


# what a person's userPassword values are made with now; a login finding an older record rehashes (PW-15)
SCHEME = f"argon2id-m{MEMORY_KIB}-t{TIME_COST}-p{PARALLELISM}-nfkc+nfd"


def hash_password(password: str) -> str:
    """One {ARGON2} value of the NFKC form, with its own random 128-bit salt (PW-14)."""
    return "{ARGON2}" + _HASHER.hash(normalise(password))


def password_hashes(password: str) -> list[str]:
    """The userPassword values for a person's password.

    The web normalises what is typed (NFKC) before every bind, but a mail client binds with the bytes
    it was given, and Vietnamese keyboards produce either precomposed letters ("ậ", Unikey's default)
    or decomposed ones ("a" + two combining marks, "Unicode tổ hợp", some phones and macOS input). So
    a password with diacritics gets a second value, the hash of its decomposed form: slapd accepts a
    bind that matches any value, and IMAP works however the person types. NFKC then NFD covers both
    keyboards; compatibility characters (full-width letters) typed into a mail client are not covered,
    and nobody types those on purpose. Without diacritics the two forms are equal and one value is
    written, so ASCII passwords cost one Argon2 verification per bind, as before."""
    precomposed = normalise(password)
    values = ["{ARGON2}" + _HASHER.hash(precomposed)]
    decomposed = unicodedata.normalize("NFD", precomposed)
    if decomposed != precomposed:
        values.append("{ARGON2}" + _HASHER.hash(decomposed))
    return values


def matches(password: str, hashed: str) -> bool:
    """Does ``password`` (normalised) match one {ARGON2} value the application made (history checks)."""
    if not hashed.startswith("{ARGON2}"):
        return False
    try:
        return _HASHER.verify(normalise(password), hashed[len("{ARGON2}"):])
    except ValueError:
        return False




@cache
def _decoy() -> str:
    return _HASHER.hash(secrets.token_urlsafe(32))  # nobody knows it; made once per process


def verify_decoy(password: str) -> None:
    """One Argon2 verification with the current parameters, against a value no password matches: what a
    login for a name that finds nobody spends, so that it takes as long as a wrong password, whose
    Argon2 check slapd makes (AU-04), however busy the machine is."""
    _HASHER.verify(normalise(password), _decoy())
