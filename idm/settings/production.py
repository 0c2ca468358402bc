"""Production: DJANGO_SETTINGS_MODULE=idm.settings.production (deploy/PRODUCTION.md).

Everything still comes from the environment (base.py); this file refuses to start without what has no
safe default, turns on HTTPS protections, serves static files through whitenoise and logs JSON lines.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from idm.env import env, env_bool, env_list


def _require(name: str, why: str) -> str:
    value = env(name)
    if not value:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set in production: {why}. "
                                   "See deploy/idm.env.example.")
    return value


# Checked before base.py is imported: base.py would otherwise make up a development secret key in var/.
_secret_key = _require("IDM_SECRET_KEY", "the key that signs sessions, tokens and password-reset links")
if len(_secret_key) < 50 or len(set(_secret_key)) < 5:
    raise ImproperlyConfigured("IDM_SECRET_KEY must be at least 50 random characters, e.g. the output of "
                               "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'.")
_require("IDM_FIELD_KEYS", "the Fernet keys that encrypt citizen IDs (the first encrypts, all decrypt)")
_require("IDM_DIGEST_KEY", "the key of the citizen-ID look-up digests and activation codes")
_require("IDM_ALLOWED_HOSTS", "the host names this service answers to, comma-separated")
_require("IDM_BASE_URL", "the public address (https://idm.example.gov.vn) that links in mail are built from")
if env_bool("IDM_DEBUG", False):
    raise ImproperlyConfigured("IDM_DEBUG is on: production never runs in debug mode (it shows settings and code).")

from .base import *  # noqa: E402,F403
from .base import AUTHENTICATION_BACKENDS, IDM_BASE_URL, INSTALLED_APPS, MIDDLEWARE, VAR_DIR  # noqa: E402

DEBUG = False
# the development tools (demo province, private servers) are not part of the product
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "scripts.dev"]

# ---- HTTPS (IDM_HTTPS=0 only for a plain-HTTP trial; `check --deploy` then warns, rightly) ----
IDM_HTTPS = env_bool("IDM_HTTPS", True)
if IDM_HTTPS and urlsplit(IDM_BASE_URL).scheme != "https":
    raise ImproperlyConfigured(f"IDM_HTTPS is on but IDM_BASE_URL {IDM_BASE_URL!r} is not https://.")
SESSION_COOKIE_SECURE = IDM_HTTPS
CSRF_COOKIE_SECURE = IDM_HTTPS
if IDM_HTTPS:  # SE-01: a __Host- cookie is Secure, for this host only (no Domain) and for every path
    SESSION_COOKIE_NAME = "__Host-idm_session"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_SSL_REDIRECT = IDM_HTTPS and env_bool("IDM_SSL_REDIRECT", True)
# load balancers and monitoring probe /healthz over plain HTTP on the loopback or private network
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(env("IDM_HSTS_SECONDS", str(365 * 24 * 3600))) if IDM_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("IDM_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("IDM_HSTS_PRELOAD", False)
if IDM_HTTPS and not SECURE_HSTS_PRELOAD:
    # Preloading is decided for the province's whole domain by whoever runs it, not by one service
    # on a subdomain (browsers only preload registrable domains), so its absence is not a defect here.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# ---- the local superadmin (AU-11; accounts/superadmin.py): no second factor of its own, so its web login
# works only from the server itself (through an SSH tunnel), or not at all with IDM_SUPERADMIN_WEB=off.
# Django's admin site is not installed. manage.py commands are unaffected.
IDM_SUPERADMIN_WEB = env("IDM_SUPERADMIN_WEB", "loopback")
if IDM_SUPERADMIN_WEB not in ("loopback", "off"):
    raise ImproperlyConfigured(f"IDM_SUPERADMIN_WEB is {IDM_SUPERADMIN_WEB!r}: 'loopback' (the default) or 'off'.")
_superadmin = {"loopback": ["accounts.superadmin.LoopbackSuperadminBackend"], "off": []}[IDM_SUPERADMIN_WEB]
AUTHENTICATION_BACKENDS = [*_superadmin,
                           *(b for b in AUTHENTICATION_BACKENDS if b != "accounts.backends.LocalSuperadminBackend")]

# ---- behind a reverse proxy (nginx): trust its headers only when told it is there ----
# The proxy must overwrite (not append to) X-Forwarded-Proto and X-Forwarded-Host, and gunicorn must
# listen only where the proxy can reach it; otherwise a client could claim HTTPS or another host.
IDM_BEHIND_PROXY = env_bool("IDM_BEHIND_PROXY", False)
if IDM_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
_base = urlsplit(IDM_BASE_URL)
CSRF_TRUSTED_ORIGINS = env_list("IDM_CSRF_TRUSTED_ORIGINS", f"{_base.scheme}://{_base.netloc}")

# ---- static files: whitenoise, hashed names cached for a year, pre-compressed ----
# whitenoise right after SecurityMiddleware, so the HTTPS redirect and headers also cover static files
_after = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = ["idm.jsonlog.RequestIdMiddleware", *MIDDLEWARE[:_after], "whitenoise.middleware.WhiteNoiseMiddleware",
              *MIDDLEWARE[_after:]]
if IDM_BEHIND_PROXY:  # the client's address (activation records) rather than the proxy's
    MIDDLEWARE.insert(0, "idm.proxy.ForwardedForMiddleware")
STATIC_ROOT = env("IDM_STATIC_ROOT", str(VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# ---- mail: the default is a real SMTP relay (the development default writes files under var/) ----
EMAIL_BACKEND = env("IDM_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# ---- logs: one JSON object per line on stdout, for journald and a log collector ----
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "idm.jsonlog.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": env("IDM_LOG_LEVEL", "INFO")},
    "loggers": {"django_auth_ldap": {"level": "WARNING"}},
}
# Celery would otherwise replace the root handler with its own plain-text one in the worker and beat.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
