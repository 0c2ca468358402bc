"""/healthz: is each part this service needs reachable? Each check has a short timeout."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from directory import gateway
from directory.errors import DirectoryError


def _database() -> str:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
        return "ok"
    except Exception as exc:  # any driver error means "not ok"; say which
        return f"error: {exc.__class__.__name__}"


def _ldap() -> str:
    try:
        gateway.ping()
        return "ok"
    except DirectoryError as exc:
        return f"error: {exc}"


def _broker() -> str:
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        return "ok"
    except redis.RedisError as exc:
        return f"error: {exc.__class__.__name__}: {exc}"


@never_cache
@require_GET
def healthz(request):
    parts = {"database": _database(), "ldap": _ldap(), "broker": _broker()}
    status = 200 if all(v == "ok" for v in parts.values()) else 503
    return JsonResponse(parts, status=status)
