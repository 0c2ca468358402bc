"""/healthz: is each part this service needs reachable? Each check has a short timeout.

503 when the service cannot work (database, every directory provider or the broker away); 200 with
"status": "degraded" when it works but a part is not well: one of several directory providers down
(`ldap_servers` says which), or directory changes waiting longer than IDM_HEALTH_OUTBOX_LATE_SECONDS
(`directory_changes` gives the age of the oldest one: a stopped sweeper or worker shows here)."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from directory import connection as directory_connection
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


def _ldap_servers() -> dict[str, str]:
    try:
        return directory_connection.server_states()
    except DirectoryError as exc:
        return {"*": f"error: {exc}"}


def _directory_changes() -> dict:
    """How many changes wait for the directory, and how old the oldest is (seconds)."""
    from django.db.models import Count, Min
    from django.utils import timezone

    from provisioning.outbox.models import DirectoryChange

    try:
        waiting = DirectoryChange.objects.filter(status__in=["pending", "running"]).aggregate(
            n=Count("id"), oldest=Min("created_at"))
        failed = DirectoryChange.objects.filter(status="failed").count()
    except Exception as exc:  # the database check says why
        return {"state": f"error: {exc.__class__.__name__}"}
    age = int((timezone.now() - waiting["oldest"]).total_seconds()) if waiting["oldest"] else 0
    late = age > settings.IDM_HEALTH_OUTBOX_LATE_SECONDS
    return {"state": f"late: oldest waiting {age} s" if late else "ok", "pending": waiting["n"], "failed": failed,
            "oldest_pending_seconds": age}


@never_cache
@require_GET
def healthz(request):
    parts = {"database": _database(), "ldap": _ldap(), "broker": _broker()}
    status = 200 if all(v == "ok" for v in parts.values()) else 503
    body: dict = dict(parts)
    servers = _ldap_servers() if len(directory_connection.config.current().urls) > 1 else {}
    if servers:
        body["ldap_servers"] = servers
    changes = _directory_changes()
    body["directory_changes"] = changes
    degraded = any(v != "ok" for v in servers.values()) or changes["state"] != "ok"
    body["status"] = "down" if status != 200 else "degraded" if degraded else "ok"
    return JsonResponse(body, status=status)
