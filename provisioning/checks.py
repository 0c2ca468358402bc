"""`manage.py check --deploy` refuses production without its own keys for protected data (PR-01);
production settings also refuse to start without them. Development and benchmarks run on the fixed
development keys, so this is a deployment check only."""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, register

MIN_DIGEST_KEY = 32


@register(Tags.security, deploy=True)
def check_key_settings(app_configs=None, **kwargs):
    errors = []
    keys = list(getattr(settings, "IDM_FIELD_KEYS", []) or [])
    digest_key = getattr(settings, "IDM_DIGEST_KEY", "") or ""
    if not keys and not settings.DEBUG:
        errors.append(Error("IDM_FIELD_KEYS (or IDM_FIELD_KEYS_FILE) is not set: citizen IDs would be encrypted "
                            "with the development key.",
                            hint="Generate one with: python -c 'from cryptography.fernet import Fernet; "
                                 "print(Fernet.generate_key().decode())'", id="provisioning.E001"))
    for i, key in enumerate(keys, 1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            errors.append(Error(f"IDM_FIELD_KEYS: key {i} is not a Fernet key (32 bytes, url-safe base64).",
                                id="provisioning.E002"))
    if not digest_key and not settings.DEBUG:
        errors.append(Error("IDM_DIGEST_KEY (or IDM_DIGEST_KEY_FILE) is not set: digests would use the development "
                            "key.", hint="Use a random value of at least 32 characters.", id="provisioning.E003"))
    elif digest_key and len(digest_key) < MIN_DIGEST_KEY:
        errors.append(Error(f"IDM_DIGEST_KEY is shorter than {MIN_DIGEST_KEY} characters.", id="provisioning.E004"))
    return errors
