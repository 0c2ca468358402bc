"""Test overrides. The servers' addresses are set by tests/conftest.py once they are started."""

import os
import tempfile as _tempfile

# uploads, reports and demo logins written by tests stay out of the development var/, and a running
# `make run` (var/dev-stack.json) is never what the tests talk to; set before base.py reads it
os.environ["IDM_VAR_DIR"] = _tempfile.mkdtemp(prefix="idm-test-var-")

from .base import *  # noqa: E402,F401,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # local superadmin only; speed
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
IDM_LDAP_BIND_PASSWORD = "set-by-conftest"
LANGUAGE_CODE = "vi"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
IDM_FIELD_KEYS = ["mA4lS5QXq9kWb0wQJ0y8oX3c2kVt7sZp1uD6eHf9gLk="]  # a fixed Fernet key for the tests
IDM_DIGEST_KEY = "test-digest-key-for-keyed-digests-0123456789"

# A file (not shared-cache memory) so that threads in concurrency tests wait on SQLite's lock
# (busy timeout) instead of failing at once with "table is locked".
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"{_tempfile.gettempdir()}/idm-test-{os.getpid()}.sqlite3"}  # noqa: F405
