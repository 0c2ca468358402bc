"""/healthz says which part is down, and turns 503 when one is."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_all_parts_ok(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert {k: body[k] for k in ("database", "ldap", "broker", "status")} == {
        "database": "ok", "ldap": "ok", "broker": "ok", "status": "ok"}
    assert body["directory_changes"] == {"state": "ok", "pending": 0, "failed": 0, "oldest_pending_seconds": 0}
    assert "ldap_servers" not in body  # one URL: "ldap" says it all


def test_old_waiting_directory_change_makes_it_degraded_with_its_age(client, settings):
    import datetime as dt

    from django.utils import timezone

    from provisioning.outbox.models import DirectoryChange

    settings.IDM_HEALTH_OUTBOX_LATE_SECONDS = 300
    row = DirectoryChange.objects.create(kind="person", object_id=1)
    DirectoryChange.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(seconds=900))
    r = client.get("/healthz")
    assert r.status_code == 200  # the service works; the changes wait (a sweeper or worker is down)
    body = r.json()
    assert body["status"] == "degraded"
    assert body["directory_changes"]["pending"] == 1
    assert 900 <= body["directory_changes"]["oldest_pending_seconds"] < 960
    assert body["directory_changes"]["state"].startswith("late:")


def test_one_provider_down_of_two_is_degraded_and_named(client, settings, stack):
    from scripts.dev.slapd import free_port

    gone = f"ldap://127.0.0.1:{free_port()}"
    settings.IDM_LDAP_URLS = f"{stack.config.url},{gone}"
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["ldap"] == "ok" and body["status"] == "degraded"
    assert body["ldap_servers"][stack.config.url] == "ok"
    assert body["ldap_servers"][gone].startswith("error:")


def test_stopped_directory_makes_it_503_and_says_so(client, stack):
    stack.stop()
    r = client.get("/healthz")
    assert r.status_code == 503
    body = r.json()
    assert body["database"] == "ok" and body["broker"] == "ok"
    assert body["ldap"].startswith("error:") and "connect" in body["ldap"]


def test_paused_directory_answers_within_the_timeout(client, stack):
    stack.pause()
    try:
        r = client.get("/healthz")
    finally:
        stack.resume()
    assert r.status_code == 503 and r.json()["ldap"].startswith("error:")


def test_unreachable_broker_makes_it_503(client, settings):
    from scripts.dev.slapd import free_port

    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["broker"].startswith("error:") and r.json()["ldap"] == "ok"


def test_healthz_shows_no_secret(client, settings):
    r = client.get("/healthz")
    assert settings.IDM_LDAP_BIND_PASSWORD not in r.content.decode()
