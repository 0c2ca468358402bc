"""Protected personal data at rest (PR-01): the citizen ID is encrypted with Fernet
(cryptography), and a keyed HMAC digest lets us find duplicates without decrypting.

The keys are not SECRET_KEY, so rotating it loses nothing: IDM_FIELD_KEYS (Fernet keys, the first
encrypts, all decrypt, through MultiFernet) and IDM_DIGEST_KEY (the digests). Without them (in
development) fixed development-only keys are used; `manage.py check` refuses that when DEBUG is off.
Values written before IDM_FIELD_KEYS existed (key derived from IDM_FIELD_KEY, else SECRET_KEY) still
decrypt; `manage.py rotate_field_keys` moves them to the current key."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

_DEV_ONLY = b"idm development only: never used when DEBUG is off"


def _derived_fernet_key(material: bytes) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(b"idm-field-encryption\0" + material).digest())


def _legacy_material() -> bytes:
    return (getattr(settings, "IDM_FIELD_KEY", "") or settings.SECRET_KEY).encode()


@functools.lru_cache(maxsize=8)
def _multi(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def _fernet() -> MultiFernet:
    keys = [k.encode() for k in settings.IDM_FIELD_KEYS] or [_derived_fernet_key(_DEV_ONLY)]
    legacy = _derived_fernet_key(_legacy_material())  # decrypt-only: never first
    return _multi(tuple(dict.fromkeys(keys + [legacy])))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode() if token else ""


def reencrypt(token: str) -> str:
    """The same value under the current (first) field key."""
    return _fernet().rotate(token.encode()).decode() if token else ""


def _digest_key(purpose: bytes) -> bytes:
    material = settings.IDM_DIGEST_KEY.encode() if settings.IDM_DIGEST_KEY else _DEV_ONLY
    return hashlib.sha256(purpose + b"\0" + material).digest()


def keyed_digest(purpose: bytes, value: str) -> str:
    """An HMAC-SHA256 of value under IDM_DIGEST_KEY, separated by purpose."""
    return hmac.new(_digest_key(purpose), value.encode(), hashlib.sha256).hexdigest()


def digest(value: str) -> str | None:
    return keyed_digest(b"idm-field-digest", value) if value else None
