"""idm settings: every value from the environment, with safe development defaults."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from kombu import Queue as _Queue

from idm import queues as _queues
from idm.env import dev_stack, env, env_bool, env_list, persistent_secret

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env("IDM_VAR_DIR", str(BASE_DIR / "var")))
# development only: the stack `make run` started, if it wrote var/dev-stack.json; {} otherwise
_dev_stack = dev_stack(VAR_DIR)  # lower case: not a setting, so never shown on a debug page

DEBUG = env_bool("IDM_DEBUG", bool(_dev_stack))
SECRET_KEY = env("IDM_SECRET_KEY") or persistent_secret(VAR_DIR / "secret-key")
ALLOWED_HOSTS = env_list("IDM_ALLOWED_HOSTS", "127.0.0.1,localhost")
# RS-10: links in mail are built from this, never from the Host header.
IDM_BASE_URL = env("IDM_BASE_URL", _dev_stack.get("web_url", "http://127.0.0.1:8000"))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "accounts",
    "provisioning",
    "directory",
    "csp",
    # the REST API (provisioning/api/) and its OpenAPI description; the docs' assets come from the
    # sidecar package as static files, never from a CDN
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # development only (the demo province, private servers); production settings drop it
    "scripts.dev",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "provisioning.people.middleware.ActivePersonMiddleware",
    "accounts.profile.middleware.ForcedPasswordChangeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # after the messages, so that it can say why a session ended
    "accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "idm.urls"
WSGI_APPLICATION = "idm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "accounts.context_processors.password_policy",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("IDM_DATABASE_URL", f"sqlite:///{VAR_DIR / 'idm.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["ENGINE"] = "idm.sqlite3"  # Django's, with the database file 0600 (idm/sqlite3/base.py)
    # several processes (web, worker) write: take the write lock when a transaction begins and
    # wait for it, instead of failing with "database is locked" when a reader tries to upgrade.
    # WAL: a commit is one append and one fsync of the log (synchronous=FULL keeps every commit
    # durable), not the rollback journal's three fsyncs: 1.9 ms instead of 9.8 ms a commit on this
    # machine's disk, which is what every login and request queued on; readers no longer wait for it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20, transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LocalSuperadminBackend",
    "accounts.backends.DirectoryBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# AU-04: a refused login answers no sooner than this (ms), so an unknown name is not told apart from a
# wrong password (which costs slapd an Argon2 check, ~20-50 ms); accounts/timing.py
IDM_LOGIN_REFUSAL_MS = int(env("IDM_LOGIN_REFUSAL_MS", "100"))
# Login throttling (AU-01, AU-02; accounts/throttle.py). Failures only are counted, keyed on the account
# and the client address: after IDM_LOGIN_FAILURES_PER_CLIENT in a 15-minute window that pair cools down
# until the window ends; per account, at most IDM_LOGIN_FAILURES_PER_ACCOUNT in any hour from all
# addresses together, then the account cools down for up to 60 minutes (an unlock code lifts it at once).
IDM_LOGIN_FAILURES_PER_CLIENT = int(env("IDM_LOGIN_FAILURES_PER_CLIENT", "10"))
IDM_LOGIN_FAILURES_PER_ACCOUNT = int(env("IDM_LOGIN_FAILURES_PER_ACCOUNT", "100"))
# Forgotten password, unlock and user-name reminder (accounts/recovery/): requests per hour per account and
# per client address, SMS codes per account per day (each costs money: RS-08), and the time every request
# takes at least, so that an unknown name does not answer sooner than a known one (RS-01)
IDM_RECOVERY_REQUESTS_PER_ACCOUNT = int(env("IDM_RECOVERY_REQUESTS_PER_ACCOUNT", "10"))
IDM_RECOVERY_REQUESTS_PER_CLIENT = int(env("IDM_RECOVERY_REQUESTS_PER_CLIENT", "30"))
IDM_RECOVERY_SMS_PER_DAY = int(env("IDM_RECOVERY_SMS_PER_DAY", "3"))
IDM_RECOVERY_FLOOR_MS = int(env("IDM_RECOVERY_FLOOR_MS", "200"))
# RS-18: Django's own token-link reset (django.contrib.auth.views.PasswordReset*) is not used: idm's reset is
# the code flow in accounts/recovery/. Should anything ever use Django's tokens, they live no longer than
# our codes (10 minutes) instead of Django's default of three days.
PASSWORD_RESET_TIMEOUT = 600

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("IDM_TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"

# Sessions and cookies (SE-01, SE-02, SE-05). Sessions live in the database (Django's database engine, written
# once per request: accounts/session_store.py; 32-character keys from the secrets module: ~165 bits), so logging
# out or ending them is immediate.
SESSION_ENGINE = "accounts.session_store"
# SE-05: ended after 30 minutes without a request and 12 hours after login, however active
# (accounts/middleware.py); the cookie and the stored session expire at the absolute limit at the latest.
IDM_SESSION_IDLE_MINUTES = int(env("IDM_SESSION_IDLE_MINUTES", "30"))
IDM_SESSION_MAX_HOURS = int(env("IDM_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = IDM_SESSION_MAX_HOURS * 3600
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("IDM_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "idm.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# SE-09: scripts and styles only from our own static files (no inline script, style or handler:
# tests/accounts/test_sessions_and_headers.py checks the templates), no plug-ins, no <base>, no framing.
# django-csp sets the header (Django 5.2 has none of its own).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# ---- the directory (read by directory.config at call time) ----
IDM_LDAP_URL = env("IDM_LDAP_URL", _dev_stack.get("ldap_url", f"ldap://127.0.0.1:{env('IDM_LDAP_PORT', '3389')}"))
# several providers of a multi-provider set, comma separated, in the preferred order (the gateway,
# the bulk path and login fail over to the next); when set it wins over IDM_LDAP_URL
IDM_LDAP_URLS = env("IDM_LDAP_URLS", _dev_stack.get("ldap_urls", ""))
IDM_LDAP_BASE_DN = env("IDM_LDAP_BASE_DN", _dev_stack.get("base_dn", "dc=quangtri,dc=gov,dc=vn"))
IDM_LDAP_BIND_DN = env("IDM_LDAP_BIND_DN", _dev_stack.get("idm_bind_dn", f"cn=idm,ou=services,{IDM_LDAP_BASE_DN}"))
IDM_LDAP_BIND_PASSWORD = env("IDM_LDAP_BIND_PASSWORD", _dev_stack.get("idm_bind_password", ""))
IDM_LDAP_TLS = env("IDM_LDAP_TLS", "none")  # none | starttls | ldaps
IDM_LDAP_CA_FILE = env("IDM_LDAP_CA_FILE", "")
IDM_LDAP_CONNECT_TIMEOUT = float(env("IDM_LDAP_CONNECT_TIMEOUT", "3"))
IDM_LDAP_RECEIVE_TIMEOUT = float(env("IDM_LDAP_RECEIVE_TIMEOUT", "10"))

# ---- people and mailboxes ----
# Decision 652/2016 precedent: 6 months for staff up to division head, 12 for directors and above
IDM_MAILBOX_RETENTION_MONTHS = int(env("IDM_MAILBOX_RETENTION_MONTHS", "6"))
IDM_MAILBOX_RETENTION_MONTHS_SENIOR = int(env("IDM_MAILBOX_RETENTION_MONTHS_SENIOR", "12"))
IDM_ACTIVATION_DAYS = int(env("IDM_ACTIVATION_DAYS", "14"))
# after a reorganisation (merger, move...), old addresses keep delivering as aliases this long; a plan may say otherwise
IDM_REORG_ALIAS_DAYS = int(env("IDM_REORG_ALIAS_DAYS", "365"))
# reports: a "regular user" logged in to the mailbox (a user login, never a delivery) within this many days
IDM_REGULAR_USE_DAYS = int(env("IDM_REGULAR_USE_DAYS", "30"))
# the adoption score: weights of the mailbox, regular-use and certificate percentages
IDM_ADOPTION_WEIGHTS = env("IDM_ADOPTION_WEIGHTS", "mailbox=0.4,regular=0.4,certificate=0.2")
# how long the audit trail keeps an entry (the province's records rule); older ones are removed daily,
# leaving a checkpoint entry so verify_audit still passes (provisioning/audit/services.audit_expire)
IDM_AUDIT_RETENTION_DAYS = int(env("IDM_AUDIT_RETENTION_DAYS", "3650"))
IDM_IMPORT_MAX_BYTES = int(env("IDM_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
IDM_IMPORT_MAX_ROWS = int(env("IDM_IMPORT_MAX_ROWS", "200000"))
# what openpyxl may hold of an XLSX's shared-strings table (estimated before it reads it): 160 MB is a
# 200,000-row list of unique names, codes and addresses with room to spare
IDM_IMPORT_MAX_XLSX_STRINGS_MB = int(env("IDM_IMPORT_MAX_XLSX_STRINGS_MB", "160"))
# uploaded spreadsheets (names, citizen IDs) are deleted once committed or refused, and any left
# (previews nobody committed) after this many days
IDM_IMPORT_RETENTION_DAYS = int(env("IDM_IMPORT_RETENTION_DAYS", "7"))
# Keys for protected personal data, apart from SECRET_KEY so that each can rotate alone (PR-01).
# IDM_FIELD_KEYS: Fernet keys, comma-separated; the first encrypts, every one decrypts (to rotate: put a
# new key first, run manage.py rotate_field_keys, then drop the old key). IDM_DIGEST_KEY keys the
# digests (citizen-ID look-ups, activation codes). Both have _FILE forms; empty means a fixed
# development-only key, which `manage.py check` refuses when DEBUG is off.
IDM_FIELD_KEYS = env_list("IDM_FIELD_KEYS")
IDM_DIGEST_KEY = env("IDM_DIGEST_KEY")
# before IDM_FIELD_KEYS: the key material (else SECRET_KEY) older values were encrypted with; decrypt-only
IDM_FIELD_KEY = env("IDM_FIELD_KEY", "")
# where Dovecot's last_login and quota_clone plugins write (defaults to the broker's Redis)
IDM_MAIL_USAGE_REDIS_URL = env("IDM_MAIL_USAGE_REDIS_URL", "")
# the mail server's LMTP listener (host:port) that creates a new mailbox's store by delivering its
# welcome message (provisioning/mailboxes/stores.py); empty: no such step (the store is made on first use)
IDM_MAIL_LMTP = env("IDM_MAIL_LMTP", "")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# ---- digital certificates ----
# The CAs a province trusts, as one PEM bundle (the government CA's chain, an internal CA): imported
# certificates must chain to one of them. Empty: only the local CA, when that adapter is on.
IDM_CA_BUNDLE = env("IDM_CA_BUNDLE", "")
# Which CA a batch goes to, and which CA issues from checked CSRs (the internal path). "external": the
# government CA (dossiers out, certificates imported back; it takes no CSR, so the CSR path is closed).
# "local": a CA built on the cryptography library that issues at once, its key created in IDM_LOCAL_CA_DIR
# and trusted for imports. The default is "external" for both: a production host never creates and trusts
# a CA key nobody chose. Under `make run` (a dev-stack.json in var/) both default to "local", so the
# whole flow runs end to end; a province that runs the local CA for internal services sets
# IDM_INTERNAL_CA_ADAPTER=local.
IDM_CA_ADAPTER = env("IDM_CA_ADAPTER", "local" if _dev_stack else "external")
IDM_INTERNAL_CA_ADAPTER = env("IDM_INTERNAL_CA_ADAPTER", "local" if _dev_stack else "external")
IDM_LOCAL_CA_DIR = env("IDM_LOCAL_CA_DIR", str(VAR_DIR / "local-ca"))
# files of Debian weak-key fingerprints (openssl-blacklist format) that CSRs are checked against (CR-05)
IDM_WEAK_KEY_LISTS = env_list("IDM_WEAK_KEY_LISTS")
IDM_CSR_ALLOW_EDDSA = env_bool("IDM_CSR_ALLOW_EDDSA", False)
IDM_CERT_MAX_BYTES = int(env("IDM_CERT_MAX_BYTES", str(512 * 1024)))
IDM_CERT_REMINDER_DAYS = [int(d) for d in env_list("IDM_CERT_REMINDER_DAYS", "60,30,7")]

# ---- mail (activation codes to personal addresses) ----
EMAIL_BACKEND = env("IDM_EMAIL_BACKEND", "idm.mail.PrivateFileEmailBackend")  # files 0600 in EMAIL_FILE_PATH
EMAIL_FILE_PATH = str(VAR_DIR / "outbox-mail")
EMAIL_HOST = env("IDM_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("IDM_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = env("IDM_FROM_EMAIL", "idm@quangtri.gov.vn")
# SMS (reset codes to a verified phone, notifications): accounts/sms.py
IDM_SMS_BACKEND = env("IDM_SMS_BACKEND", "accounts.sms.FileBackend")
IDM_SMS_FILE_PATH = env("IDM_SMS_FILE_PATH", str(VAR_DIR / "outbox-sms"))
IDM_SMS_URL = env("IDM_SMS_URL", "")
IDM_SMS_TOKEN = env("IDM_SMS_TOKEN", "")
# activation mail is sent by the directory worker: a mail server that hangs must not hold its slot
EMAIL_TIMEOUT = 10

# ---- passwords ----
PASSWORD_MIN_LENGTH = int(env("IDM_PASSWORD_MIN_LENGTH", "15"))
# how many earlier passwords a person may not reuse (PW-16); 0 turns the check off
IDM_PASSWORD_HISTORY = int(env("IDM_PASSWORD_HISTORY", "5"))
PASSWORD_MAX_LENGTH = 256  # PW-03: bounded before any hashing

# ---- Celery (Redis broker) ----
IDM_REDIS_URL = env("IDM_REDIS_URL",
                    _dev_stack.get("redis_url", f"redis://127.0.0.1:{env('IDM_REDIS_PORT', '6380')}/0"))
CELERY_BROKER_URL = IDM_REDIS_URL
# The shared cache is Redis (Django's own backend): the login and recovery throttles must count across
# every web worker and survive a worker's restart. Timeouts keep a request from hanging on a lost Redis.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": IDM_REDIS_URL,
        "KEY_PREFIX": "idm",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
RATELIMIT_USE_CACHE = "default"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]  # IN-06: never pickle
CELERY_TASK_IGNORE_RESULT = True  # LG-02: no results (and no secrets) kept in the broker
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False  # the outbox sweeper re-sends; a web request never waits on Redis
# max_retries bounds how long publishing waits for an absent broker (kombu retries forever by
# default, which would hang a web request); the outbox keeps the work until the sweeper re-sends.
# queue_order_strategy "priority": a worker always looks at its first queue first (idm/queues.py:
# the bulk worker applies an import's directory changes before it starts other long work),
# instead of taking its queues in turn.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 3, "socket_timeout": 5,
                                   "max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 1,
                                   "queue_order_strategy": "priority"}
# directory changes on their own queues and worker, so that imports cannot starve them (idm/queues.py)
CELERY_TASK_ROUTES = _queues.ROUTES
# declared, so that a worker started without -Q (tests, a one-worker install) still consumes them
# all, interactive directory changes first
CELERY_TASK_QUEUES = [_Queue(name) for name in _queues.ALL]
CELERY_BEAT_SCHEDULE = {
    "outbox-sweeper": {"task": "outbox.sweep_directory_changes",
                       "schedule": float(env("IDM_OUTBOX_SWEEP_SECONDS", "30"))},
    "mailbox-retention": {"task": "people.remove_expired_mailboxes", "schedule": 6 * 3600.0},
    "mail-usage": {"task": "mailboxes.collect_mail_usage", "schedule": 3600.0},
    # mailbox stores the mail server has not created yet (it was away), re-sent like directory changes
    "mail-stores": {"task": "mailboxes.sweep_mail_stores", "schedule": float(env("IDM_OUTBOX_SWEEP_SECONDS", "30"))},
    # today's figures, rebuilt through the day so the last run keeps the day's final state
    "adoption-snapshot": {"task": "reports.build_snapshot", "schedule": 3 * 3600.0},
    # reorganisation plans on their effective date (and any interrupted one, finished)
    "reorg-plans": {"task": "reorg.apply_due_plans", "schedule": 3600.0},
    "reorg-alias-expiry": {"task": "reorg.expire_old_addresses", "schedule": 24 * 3600.0},
    "import-retention": {"task": "imports.purge_uploads", "schedule": 3600.0},
    "certificate-expiry": {"task": "certificates.expiry", "schedule": 6 * 3600.0},
    "audit-retention": {"task": "audit.expire_old_entries", "schedule": 24 * 3600.0},
}
IDM_OUTBOX_BATCH_SIZE = int(env("IDM_OUTBOX_BATCH_SIZE", "200"))
# the sweeper re-sends pending rows older than RESEND, and gives back rows a worker claimed (running)
# but did not finish within STALE (a killed worker): longer than the slowest batch, or a live batch
# would be applied twice (harmless, every write is idempotent, but wasted)
IDM_OUTBOX_RESEND_SECONDS = float(env("IDM_OUTBOX_RESEND_SECONDS", "20"))
IDM_OUTBOX_STALE_SECONDS = float(env("IDM_OUTBOX_STALE_SECONDS", "600"))
# /healthz says "degraded" when the oldest waiting directory change is older than this
IDM_HEALTH_OUTBOX_LATE_SECONDS = float(env("IDM_HEALTH_OUTBOX_LATE_SECONDS", "300"))

# ---- the REST API (provisioning/api/) ----
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["provisioning.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_PAGINATION_CLASS": "provisioning.api.pagination.Pages",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "provisioning.api.errors.exception_handler",
    # failed token attempts per client address (Django's cache); REMOTE_ADDR only, never a client's
    # X-Forwarded-For (behind the proxy idm.proxy has already put the real address there)
    "DEFAULT_THROTTLE_RATES": {"api_token_failures": env("IDM_API_TOKEN_FAILURES", "20/min")},
    "NUM_PROXIES": 0,
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "idm REST API",
    "DESCRIPTION": "Units, people, imports, mailboxes and requests, with the same rules as the pages. "
                   "Authenticate with `Authorization: Bearer idm_...` (a token made at /accounts/tokens/).",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PersonStatusEnum": "provisioning.people.models.PersonStatus",
        "ImportStatusEnum": "provisioning.imports.models.ImportBatch.Status",
        "RequestStatusEnum": "provisioning.approvals.models.ApprovalRequest.Status",
        "UnitKindEnum": "provisioning.units.models.UnitKind",
        "CertificateKindEnum": "provisioning.certificates.models.CertKind",
        "CertificateStageEnum": "provisioning.certificates.models.Stage",
        "CertificateRequestTypeEnum": "provisioning.certificates.models.RequestType",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("IDM_LOG_LEVEL", "INFO")},
    "loggers": {"django_auth_ldap": {"level": "WARNING"}},
}
