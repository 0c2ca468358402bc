"""gunicorn serves idm with the production settings: /healthz against the session's real slapd and Redis,
static files from whitenoise (hashed, compressed, cached for a year), HTTPS behind a proxy, JSON logs."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from scripts.dev.slapd import free_port
from tests.test_production_settings import ROOT, production_env, run

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": "idm.quangtri.gov.vn", **headers})
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def _wait_until_serving(port: int, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"gunicorn did not listen on {port}:\n{log.read_text()}")


@contextlib.contextmanager
def _serving(tmp_path, ldap_server, redis_server, workers: int, **extra_env: str):
    c = ldap_server.config
    (tmp_path / "var").mkdir()  # systemd's StateDirectory= makes it in production
    env = production_env(tmp_path / "var", IDM_LDAP_URL=c.url, IDM_LDAP_BASE_DN=c.base_dn, IDM_LDAP_BIND_DN=c.idm_dn,
                         IDM_LDAP_BIND_PASSWORD=c.idm_password, IDM_LDAP_TLS="none", IDM_REDIS_URL=redis_server["url"],
                         IDM_STATIC_ROOT=str(tmp_path / "static"), IDM_BEHIND_PROXY="1", **extra_env)
    collected = run(env, "manage.py", "collectstatic", "--noinput", "-v", "0")
    assert collected.returncode == 0, collected.stderr
    # always: /healthz reads the outbox's age (and the login test needs the tables)
    migrated = run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([GUNICORN, "-c", "deploy/gunicorn.conf.py", "--workers", str(workers),
                                 "--bind", f"127.0.0.1:{port}", "idm.wsgi"],
                                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_serving(port, proc, log)
        yield {"port": port, "log": log, "static_root": tmp_path / "static"}
    finally:
        proc.send_signal(signal.SIGTERM)  # gunicorn's graceful stop
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.fixture
def gunicorn(tmp_path, ldap_server, redis_server):
    with _serving(tmp_path, ldap_server, redis_server, workers=2) as served:
        yield served


def test_gunicorn_serves_healthz_and_static_files_with_production_settings(gunicorn):
    port = gunicorn["port"]

    health = _get(port, "/healthz", **{"X-Request-ID": "req-4f2a"})  # plain HTTP: probes are exempt from redirect
    assert health.status == 200, health.body
    body = json.loads(health.body)
    assert {k: body[k] for k in ("database", "ldap", "broker", "status")} == {
        "database": "ok", "ldap": "ok", "broker": "ok", "status": "ok"}
    assert health.getheader("X-Request-ID") == "req-4f2a"

    manifest = json.loads((gunicorn["static_root"] / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/idm.css"]
    assert hashed != "css/idm.css"  # the name carries the content's hash, so it may be cached for good
    original = (ROOT / "static" / "css" / "idm.css").read_bytes()

    css = _get(port, f"/static/{hashed}", **{"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"})
    assert css.status == 200
    assert css.getheader("Content-Type").startswith("text/css")
    assert css.getheader("Cache-Control") == "max-age=315360000, public, immutable"
    assert css.getheader("Content-Encoding") == "gzip" and gzip.decompress(css.body) == original
    assert css.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"

    # a browser that comes over plain HTTP through the proxy is sent to HTTPS, static files included
    plain = _get(port, f"/static/{hashed}", **{"X-Forwarded-Proto": "http"})
    assert plain.status == 301 and plain.getheader("Location") == f"https://idm.quangtri.gov.vn/static/{hashed}"

    login = _get(port, "/accounts/login/", **{"X-Forwarded-Proto": "https"})
    assert login.status == 200
    assert f"/static/{hashed}".encode() in login.body  # pages link the hashed name
    cookie = login.getheader("Set-Cookie") or ""
    assert "csrftoken=" in cookie and "Secure" in cookie


def test_gunicorn_logs_are_json_lines_with_the_request_id(gunicorn):
    _get(gunicorn["port"], "/healthz", **{"X-Request-ID": "req-77b1"})
    missing = _get(gunicorn["port"], "/no-such-page", **{"X-Forwarded-Proto": "https"})
    time.sleep(0.5)  # the access line is written after the response is sent

    lines = [json.loads(line) for line in gunicorn["log"].read_text().splitlines()]  # every line parses

    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert access[-2]["path"] == "/healthz" and access[-2]["status"] == 200
    assert access[-2]["request_id"] == "req-77b1" and access[-2]["duration_ms"] >= 0
    # Django's own line for the 404 (written after the middleware returned) has the id it was given
    generated = missing.getheader("X-Request-ID")
    assert missing.status == 404 and len(generated) == 32
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert not_found[-1]["message"] == "Not Found: /no-such-page" and not_found[-1]["request_id"] == generated
    assert access[-1]["request_id"] == generated


def test_a_request_waiting_out_a_time_floor_holds_a_thread_not_the_worker(tmp_path, ldap_server, redis_server):
    # The refusal and reset-request floors (AU-04, RS-01) sleep. With one sync worker, four reset requests
    # floored at 1 s would take at least 4 s one after another; the configuration's threads overlap them.
    with _serving(tmp_path, ldap_server, redis_server, workers=1,
                  IDM_RECOVERY_FLOOR_MS="1000") as served:
        port = served["port"]
        forms = []
        for i in range(4):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {"Host": "idm.quangtri.gov.vn", "X-Forwarded-Proto": "https"}
            conn.request("GET", "/password/forgot/", headers=headers)
            page = conn.getresponse()
            body = page.read().decode()
            cookie = page.getheader("Set-Cookie").split(";")[0]
            token = body.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
            forms.append((conn, {**headers, "Cookie": cookie, "Origin": "https://idm.quangtri.gov.vn",
                                 "Content-Type": "application/x-www-form-urlencoded",
                                 "X-Forwarded-For": f"198.51.100.{i + 1}"},
                          f"csrfmiddlewaretoken={token}&identifier=nobody{i}&channel=email"))
        answers: list[int] = []

        def post(conn, headers, body):
            conn.request("POST", "/password/forgot/", body=body, headers=headers)
            answers.append(conn.getresponse().status)

        threads = [threading.Thread(target=post, args=form) for form in forms]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.monotonic() - started
        log = served["log"].read_text(errors="replace")
    assert answers == [302] * 4, log[-3000:]
    assert 1.0 <= took < 3.0, f"{took:.2f} s"
