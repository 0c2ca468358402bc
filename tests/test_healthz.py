"""/healthz says which part is down, and turns 503 when one is."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_all_parts_ok(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"database": "ok", "ldap": "ok", "broker": "ok"}


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
