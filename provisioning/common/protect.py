"""Protected personal data at rest (PR-01): the citizen ID is encrypted with Fernet
(cryptography), and a keyed HMAC digest lets us find duplicates without decrypting. The key comes
from IDM_FIELD_KEY (or _FILE); by default it is derived from SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from django.conf import settings


def _key_material() -> bytes:
    return (getattr(settings, "IDM_FIELD_KEY", "") or settings.SECRET_KEY).encode()


def _fernet() -> Fernet:
    key = hashlib.sha256(b"idm-field-encryption\0" + _key_material()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode() if token else ""


def digest(value: str) -> str | None:
    if not value:
        return None
    key = hashlib.sha256(b"idm-field-digest\0" + _key_material()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


