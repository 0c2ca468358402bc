"""Logins under load, through the production server: 20 clients log in at once, again and again,
against gunicorn with the production settings (behind a pretend proxy saying HTTPS), a private slapd
and the database of --engine. Prints login p95 (target < 100 ms) and, once the self-service reset
exists, reset-request p95 (target < 300 ms), with what a login is made of: the Argon2 parameters, and
one slapd bind and one Argon2 hash measured in the same run.

    python bench/login_load.py [LOGINS_PER_CLIENT] [--clients=20] [--think=1.0] [--smoke]
                               [--engine=sqlite|postgres]

Each client keeps its own cookies, fetches the login page (the CSRF token), posts the login, and
logs out; only the login POST is timed. Between two logins a client waits about --think seconds
(0.5x to 1.5x at random): staff arriving at work, not a password-guessing loop (throttling's job)."""

from __future__ import annotations

import http.client
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path

from common import GIVENS, ROOT, SMOKE, Stack, load_demo_units, run_per_engine, size

PER_CLIENT = size(10, smoke=2)
CLIENTS = int(next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--clients=")), "20"))
THINK = float(next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--think=")), "1.0"))
PEOPLE = 5 if SMOKE else 200
PASSWORD = "cay tre xanh ben bo song"
HOST = "idm.quangtri.gov.vn"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


class Browser:
    """One client: a keep-alive connection and a cookie jar, as a browser behind the proxy."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, dict]:
        from urllib.parse import urlencode

        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.20",
                   "Accept-Language": "vi", "Origin": f"https://{HOST}", "Referer": f"https://{HOST}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        text = r.read().decode("utf-8", "replace")
        for header in r.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return r.status, text, dict(r.headers)

    def token(self, path: str) -> str:
        status, page, _ = self.request("GET", path)
        assert status == 200, (path, status)
        return CSRF_INPUT.search(page).group(1)


def start_gunicorn(stack: Stack, db_url: str) -> tuple[subprocess.Popen, int]:
    from scripts.dev import slapd

    c = stack.slapd_cfg
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IDM_", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="idm.settings.production", IDM_SECRET_KEY=secrets.token_urlsafe(50),
               IDM_ALLOWED_HOSTS=HOST, IDM_BASE_URL=f"https://{HOST}", IDM_BEHIND_PROXY="1",
               IDM_VAR_DIR=str(stack.tmp), IDM_STATIC_ROOT=str(stack.tmp / "static"), IDM_DATABASE_URL=db_url,
               IDM_LDAP_URL=c.url, IDM_LDAP_BASE_DN=c.base_dn, IDM_LDAP_BIND_DN=c.idm_dn,
               IDM_LDAP_BIND_PASSWORD=c.idm_password, IDM_LDAP_TLS="none", IDM_REDIS_URL="redis://127.0.0.1:1/0",
               IDM_FIELD_KEYS=os.environ["BENCH_FIELD_KEY"], IDM_DIGEST_KEY=secrets.token_urlsafe(32),
               IDM_LOG_LEVEL="ERROR")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env=env, cwd=ROOT,
                   check=True)
    port = slapd.free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = open(stack.tmp / "gunicorn.log", "wb")
    proc = subprocess.Popen([gunicorn, "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
                             "--access-logfile", "/dev/null", "idm.wsgi"], env=env, cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{(stack.tmp / 'gunicorn.log').read_text()}")
        try:
            if Browser(port).request("GET", "/healthz")[0] in (200, 503):
                return proc, port
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in 60 s")


def make_people(n: int) -> list[str]:
    from directory import gateway
    from directory.passwords import hash_password
    from provisioning.outbox.services import directory_changes_drain
    from provisioning.people.services import person_onboard
    from provisioning.units.models import Unit

    codes = load_demo_units()
    units = list(Unit.objects.filter(code__in=codes[1:]))
    rnd = random.Random(3)
    uids = [person_onboard(actor=None, unit=units[i % len(units)], family="Nguyễn", middle="Văn",
                           given=rnd.choice(GIVENS), employee_code=f"QT-{i:06d}", status="active").uid
            for i in range(n)]
    directory_changes_drain()
    stored = hash_password(PASSWORD)  # one hash for all: this measures logins, not set-up
    for uid in uids:
        gateway.person_set_password_hash(uid, stored)
    return uids


def one_bind_and_one_hash(stack: Stack, uid: str) -> tuple[float, float]:
    from directory import admin
    from directory.passwords import hash_password

    dn = f"uid={uid},ou=people,{stack.slapd_cfg.base_dn}"
    binds, hashes = [], []
    for _ in range(5 if SMOKE else 20):
        t = time.perf_counter()
        assert admin.bind_result(stack.slapd_cfg.url, dn, PASSWORD) == 0
        binds.append(time.perf_counter() - t)
        t = time.perf_counter()
        hash_password(PASSWORD)
        hashes.append(time.perf_counter() - t)
    return statistics.median(binds) * 1000, statistics.median(hashes) * 1000


def client_run(port: int, uids: list[str], seed: int, logins: list[float], resets: list[float] | None,
               errors: list[str], rounds: int = PER_CLIENT, think: float = THINK) -> None:
    rnd = random.Random(seed)
    time.sleep(think * rnd.uniform(0, 1))  # clients arrive over the first second, not all in the same instant
    try:
        for _ in range(rounds):
            b = Browser(port)
            uid = rnd.choice(uids)
            token = b.token("/accounts/login/")
            t = time.perf_counter()
            status, _, headers = b.request("POST", "/accounts/login/", {"csrfmiddlewaretoken": token, "username": uid,
                                                                        "password": PASSWORD, "next": ""})
            logins.append(time.perf_counter() - t)
            if status != 302:
                errors.append(f"login {uid}: {status}")
                continue
            b.request("POST", "/accounts/logout/", {"csrfmiddlewaretoken": b.token("/me/")})
            if resets is not None:
                token = b.token("/password/forgot/")
                t = time.perf_counter()
                status, _, _ = b.request("POST", "/password/forgot/", {"csrfmiddlewaretoken": token,
                                                                       "identifier": uid, "channel": "email"})
                resets.append(time.perf_counter() - t)
                if status >= 500:
                    errors.append(f"reset {uid}: {status}")
            time.sleep(think * rnd.uniform(0.5, 1.5))
    except Exception as exc:  # reported by main(), and the run fails
        errors.append(f"{type(exc).__name__}: {exc}")


def main() -> None:
    from cryptography.fernet import Fernet

    os.environ["BENCH_FIELD_KEY"] = Fernet.generate_key().decode()
    os.environ["IDM_FIELD_KEYS"] = os.environ["BENCH_FIELD_KEY"]
    stack = Stack(nosync=True)
    proc = None
    try:
        uids = make_people(PEOPLE)
        bind_ms, hash_ms = one_bind_and_one_hash(stack, uids[0])
        proc, port = start_gunicorn(stack, os.environ["IDM_DATABASE_URL"])
        has_reset = Browser(port).request("GET", "/password/forgot/")[0] == 200
        warm: list[float] = []
        for i in range(3 if SMOKE else 12):  # workers open their database and directory connections: not timed
            client_run(port, uids[:1], i, warm, None, [], rounds=1, think=0)
        errors: list[str] = []
        alone: list[float] = []  # one client, one login after another: what a login costs without queueing
        client_run(port, uids, 99, alone, None, errors, rounds=3 if SMOKE else 20, think=0)
        logins: list[float] = []
        resets: list[float] | None = [] if has_reset else None
        threads = [threading.Thread(target=client_run, args=(port, uids, i, logins, resets, errors))
                   for i in range(CLIENTS)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        if errors:
            tail = "\n".join(line for line in (stack.tmp / "gunicorn.log").read_text(errors="replace").splitlines()
                              if '"level": "ERROR"' in line)[-6000:]
            raise SystemExit(f"{len(errors)} errors, e.g. {errors[:3]}\nserver log:\n{tail}")
        workers = os.environ.get("IDM_WEB_WORKERS", str(min(2 * (os.cpu_count() or 1) + 1, 8)))
        print(f"{CLIENTS} clients, {len(logins)} logins in {wall:.1f} s ({len(logins) / wall:.1f}/s), think "
              f"{THINK} s, gunicorn {workers} sync workers on {os.cpu_count()} CPUs")
        print(f"Argon2id m=19456 KiB, t=2, p=1 (directory/passwords.py and slapd's argon2 module): one slapd "
              f"bind {bind_ms:.1f} ms, one argon2 hash here {hash_ms:.1f} ms (medians)")
        print(f"one client alone: login median {statistics.median(alone) * 1000:.1f} ms, "
              f"p95 {p95(alone) * 1000:.1f} ms (a login is two slapd binds: the service account's search, the user's)")
        print(f"{CLIENTS} clients: login median {statistics.median(logins) * 1000:.1f} ms, "
              f"max {max(logins) * 1000:.1f} ms")
        print(f"login p95 {p95(logins) * 1000:.1f} ms (target < 100 ms)")
        if resets is None:
            print("reset request: skipped, /password/forgot/ does not exist yet (target < 300 ms)")
        else:
            print(f"reset-request p95 {p95(resets) * 1000:.1f} ms (target < 300 ms)")
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        stack.close()


if __name__ == "__main__":
    run_per_engine(main)
