"""LG-01, LG-02: no password, activation code or session id reaches the audit trail, the logs or the
Celery task arguments.

The flows that handle secrets run first, each in its own test, against the real slapd and Redis,
with DEBUG logging: an activation with a one-time code (and the new password chosen with it), a
password change at /me/password/ (old and new passwords), sign-ins (right password, wrong password,
a password typed into the user name box) and a sign-out. After each, the test's sinks are kept: every
audit row (all columns, before/after included), every log record (message, arguments, exception
text), and every task message: as published (our seam: idm.celery.app.send_task, which every
.delay() goes through) and as it sits in the Redis broker (decoded from the queue). The last test,
named so it runs last, scans them all for every secret the flows used, in any letter case.
"""

from __future__ import annotations

import base64
import json
import logging

import pytest
import redis as redis_lib
from django.core import serializers

from accounts.selfservice.services import activation_issue
from idm.celery import app as celery_app
from provisioning.audit.models import AuditEntry
from provisioning.people.models import PersonStatus
from tests import factories

pytestmark = pytest.mark.django_db
SECRETS: set[str] = set()
SINKS: dict[str, list[str]] = {"audit": [], "logs": [], "published": [], "broker": []}
NEW = "hai con chim non tren canh dao xanh"
ACTIVATED = "cay tre xanh ben bo song hong lam"


@pytest.fixture
def cast():
    unit = factories.unit(factories.province(), "000.00.01.H45", "Sở Khoa học và Công nghệ")
    return {"hoang": factories.person(unit),
            "newcomer": factories.person(unit, "Lê", "Thị", "Mai", password=None, status=PersonStatus.STAGED)}


@pytest.fixture
def sinks(caplog, monkeypatch, redis_server, django_capture_on_commit_callbacks):
    """Collect what the test's flow left in every sink; tasks really go to the broker (not eager)."""
    caplog.set_level(logging.DEBUG)
    real_send = celery_app.send_task

    def send_task(name, args=None, kwargs=None, **options):
        SINKS["published"].append(json.dumps([name, args, kwargs], default=str, ensure_ascii=False))
        return real_send(name, args=args, kwargs=kwargs, **options)

    monkeypatch.setattr(celery_app, "send_task", send_task)
    with django_capture_on_commit_callbacks(execute=True):
        yield
    SINKS["audit"].append(serializers.serialize("json", AuditEntry.objects.order_by("seq")))
    for record in caplog.records:
        SINKS["logs"].append(" ".join([record.getMessage(), repr(record.args), record.exc_text or "",
                                       repr({k: v for k, v in vars(record).items() if k not in ("msg", "args")})]))
    SINKS["logs"].append(caplog.text)
    SINKS["broker"] += broker_messages(redis_server["url"])


def broker_messages(url: str) -> list[str]:
    """Every value in Redis, with each kombu message's body decoded (it is base64 on the wire)."""
    r = redis_lib.Redis.from_url(url)
    out = []
    for key in r.keys("*"):
        kind = r.type(key)
        values = (r.lrange(key, 0, -1) if kind == b"list" else list(r.hgetall(key).values()) if kind == b"hash"
                  else [m for m, _score in r.zrange(key, 0, -1, withscores=True)] if kind == b"zset"
                  else [r.get(key) or b""] if kind == b"string" else [])
        for raw in values:
            out.append(raw.decode("utf-8", "replace"))
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            if isinstance(message, dict) and message.get("properties", {}).get("body_encoding") == "base64":
                out.append(base64.b64decode(message["body"]).decode("utf-8", "replace"))
    return out


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en")


def test_flow_activation_with_a_one_time_code(client, cast, sinks):
    code = activation_issue(actor=None, person=cast["newcomer"], channel="letter")
    SECRETS.update({code, code.replace("-", ""), ACTIVATED})
    r = client.post("/activate/", {"uid": cast["newcomer"].uid, "code": code, "password": ACTIVATED,
                                   "password2": ACTIVATED}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "Account activated" in r.content.decode()
    assert login(client, cast["newcomer"].uid, ACTIVATED).status_code == 302
    SECRETS.add(client.cookies["sessionid"].value)


def test_flow_password_change_at_me_password(client, cast, sinks):
    SECRETS.update({factories.PASSWORD, NEW})
    assert login(client, cast["hoang"].uid, factories.PASSWORD).status_code == 302
    SECRETS.add(client.cookies["sessionid"].value)
    r = client.post("/me/password/", {"current": factories.PASSWORD, "password": NEW, "password2": NEW},
                    HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 302
    assert AuditEntry.objects.filter(action="person.password_changed").exists()


def test_flow_sign_in_refused_sign_in_and_sign_out(client, cast, sinks):
    wrong = "mat khau sai hoan toan khong dung"
    SECRETS.update({factories.PASSWORD, wrong})
    assert login(client, cast["hoang"].uid, wrong).status_code == 400
    assert login(client, factories.PASSWORD, "x").status_code == 400  # the password in the user name box
    assert login(client, cast["hoang"].uid, factories.PASSWORD).status_code == 302
    SECRETS.add(client.cookies["sessionid"].value)
    client.post("/accounts/logout/")
    assert AuditEntry.objects.filter(action__startswith="auth.").count() == 4


def test_zz_last_no_secret_in_audit_logs_or_task_arguments():
    """Runs after the flows above (pytest keeps the file's order): scans what they left behind."""
    assert len(SECRETS) >= 8, "the flows did not run before this test"
    assert SINKS["audit"] and SINKS["logs"] and SINKS["published"] and SINKS["broker"], \
        {k: len(v) for k, v in SINKS.items()}
    found = [(sink, secret[:4] + "…") for sink, texts in SINKS.items() for text in texts for secret in SECRETS
             if secret.casefold() in text.casefold()]
    assert found == []
