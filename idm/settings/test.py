"""Test overrides. The servers' addresses are set by tests/conftest.py once they are started."""

from .base import *  # noqa: F401,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # local superadmin only; speed
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
IDM_LDAP_BIND_PASSWORD = "set-by-conftest"
LANGUAGE_CODE = "vi"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
IDM_FIELD_KEY = "test-field-key"
