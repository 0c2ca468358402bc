"""Password hashing for values written to userPassword (PW-13, PW-07).

argon2id through passlib (the maintained libpass distribution), stored with slapd's {ARGON2}
scheme prefix: slapd's argon2 module verifies argon2id hashes made elsewhere, and so does any
client that authenticates by binding (Dovecot auth_bind). Passwords are NFKC-normalised before
hashing and before every bind, so a password typed precomposed or decomposed is the same one.
"""

from __future__ import annotations

import unicodedata

from passlib.hash import argon2

# OWASP Password Storage Cheat Sheet minimum for argon2id: m=19 MiB, t=2, p=1.
_HASHER = argon2.using(type="ID", memory_cost=19456, time_cost=2, parallelism=1)


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return "{ARGON2}" + _HASHER.hash(normalise(password))


