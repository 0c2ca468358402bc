"""Logins and reset requests under load, through the production server: 20 clients log in at once,
again and again, against gunicorn with the production settings (behind a pretend proxy saying HTTPS),
a private slapd, Redis (cache, throttles, broker) with a Celery worker, and the database of --engine.
Prints login p50/p95 (target p95 < 100 ms) and reset-request p50/p95 (target p95 < 300 ms), with what a
login is made of: the Argon2 parameters, and one slapd bind and one Argon2 hash measured in the same
run. Run without --engine=, it runs once per engine and ends with both engines against the targets.

    python bench/login_load.py [LOGINS_PER_CLIENT] [--clients=20] [--think=1.0] [--smoke]
                               [--engine=sqlite|postgres] [--profile]

Each client keeps its own cookies, fetches the login page (the CSRF token), posts the login, logs out,
then asks for a password reset code (the forgotten-password page) for the same person; only the two
POSTs are timed. Between two rounds a client waits about --think seconds (0.5x to 1.5x at random):
staff arriving at work, not a password-guessing loop (throttling's job).

--profile: no gunicorn and no load; twenty logins and twenty reset requests in this process under cProfile,
printing where the time goes and the SQL statements of one login (what to look at before changing
anything)."""

from __future__ import annotations

import cProfile
import http.client
import io
import json
import os
import pstats
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

from common import ENGINES, GIVENS, ROOT, SMOKE, Stack, engine, load_demo_units, size

PER_CLIENT = size(10, smoke=2)
CLIENTS = int(next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--clients=")), "20"))
THINK = float(next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--think=")), "1.0"))
PEOPLE = 20 if SMOKE else 200  # (in a smoke run no person may ask for more than 10 codes: RS-08)
PASSWORD = "cay tre xanh ben bo song"
PROFILE = "--profile" in sys.argv
LOGIN_TARGET_MS, RESET_TARGET_MS = 100, 300
RESULTS = "IDM_BENCH_LOGIN_RESULTS"  # a file each engine's run appends its figures to (the summary's input)
HOST = "idm.quangtri.gov.vn"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


class Browser:
    """One client: a keep-alive connection and a cookie jar, as a browser behind the proxy."""

    def __init__(self, port: int, address: str = "198.51.100.20"):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.address = address  # the client's address, as the proxy tells it (the throttles count per address)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, dict]:
        from urllib.parse import urlencode

        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": self.address,
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
    # nothing from a developer's shell but the web server's own knobs (IDM_WEB_WORKERS, IDM_WEB_THREADS)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IDM_", "DJANGO_")) or k.startswith("IDM_WEB_")}
    env.update(DJANGO_SETTINGS_MODULE="idm.settings.production", IDM_SECRET_KEY=secrets.token_urlsafe(50),
               IDM_ALLOWED_HOSTS=HOST, IDM_BASE_URL=f"https://{HOST}", IDM_BEHIND_PROXY="1",
               IDM_VAR_DIR=str(stack.tmp), IDM_STATIC_ROOT=str(stack.tmp / "static"), IDM_DATABASE_URL=db_url,
               IDM_LDAP_URL=c.url, IDM_LDAP_BASE_DN=c.base_dn, IDM_LDAP_BIND_DN=c.idm_dn,
               IDM_LDAP_BIND_PASSWORD=c.idm_password, IDM_LDAP_TLS="none", IDM_REDIS_URL=os.environ["IDM_REDIS_URL"],
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
    from django.utils import timezone

    from accounts.models import PasswordRecord
    from directory import gateway
    from directory.passwords import SCHEME, hash_password
    from provisioning.outbox.services import directory_changes_drain
    from provisioning.people.models import Person
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
    # as after an activation (accounts.credentials.password_write): the password's record, made with the
    # current scheme; without it every person's first login here would rewrite their hash (PW-15's upgrade)
    people = Person.objects.filter(uid__in=uids)
    now = timezone.now()
    PasswordRecord.objects.bulk_create([PasswordRecord(person=p, hashed=stored, scheme=SCHEME, created_at=now)
                                        for p in people])
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
            b = Browser(port, f"198.51.100.{seed % 250 + 1}")  # each client from its own office
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
                if status != 302:  # 429 would be a throttled request: not what is measured here
                    errors.append(f"reset {uid}: {status}")
            time.sleep(think * rnd.uniform(0.5, 1.5))
    except Exception as exc:  # reported by main(), and the run fails
        errors.append(f"{type(exc).__name__}: {exc}")


def profile(uids: list[str], slapd_pid: int) -> None:
    """Twenty logins and twenty reset requests in this process (no gunicorn, no load): ten timed with the
    CPU each costs here and in slapd, ten under cProfile; and the SQL statements of one. The logins are
    of three people, so most are not first logins; the reset requests are for everyone (RS-08 limits)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    statements: list[str] = []
    timed = {"login": [], "reset request": []}
    profiles = {"login": cProfile.Profile(), "reset request": cProfile.Profile()}

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    cpu = {kind: [] for kind in timed}  # (this process, slapd) CPU ms: what the load does not change much

    def slapd_cpu() -> float:
        fields = Path(f"/proc/{slapd_pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")  # utime + stime

    def post(c: Client, kind: str, path: str, form: dict, step: int) -> None:
        """Steps 0-2 warm up; 3-12 are timed with the CPU they cost; 13-22 run under cProfile."""
        statements.clear()
        t, here, there = time.perf_counter(), time.process_time(), slapd_cpu()
        if step >= 13:
            profiles[kind].enable()
        with connection.execute_wrapper(count):
            r = c.post(path, form)
        if step >= 13:
            profiles[kind].disable()
        elif step >= 3:
            timed[kind].append((time.perf_counter() - t) * 1000)
            cpu[kind].append(((time.process_time() - here) * 1000, slapd_cpu() - there))
        assert r.status_code == 302, (path, r.status_code)

    for i in range(23):
        uid, c = uids[i % 3], Client()
        c.get("/accounts/login/")
        post(c, "login", "/accounts/login/", {"username": uid, "password": PASSWORD, "next": ""}, i)
        login_sql = list(statements)
        c.post("/accounts/logout/")
        c.get("/password/forgot/")
        post(c, "reset request", "/password/forgot/", {"identifier": uids[i % len(uids)], "channel": "email"}, i)
        reset_sql = list(statements)
    for kind, sql in (("login", login_sql), ("reset request", reset_sql)):
        web, directory = (statistics.mean(x) for x in zip(*cpu[kind], strict=True))
        print(f"== {kind}: p50 {statistics.median(timed[kind]):.1f} ms in this process; CPU "
              f"{web:.1f} ms here and {directory:.1f} ms in slapd (means; clock ticks of 10 ms); one {kind} makes "
              f"{len(sql)} SQL statements, {sum(q.startswith('BEGIN') for q in sql)} transactions (BEGIN):")
        for q in sql:
            print("   ", q[:110])
        out = io.StringIO()
        ours = r"/(accounts|directory|provisioning|idm|ldap3|ldap|django_ratelimit|kombu|celery)/"
        pstats.Stats(profiles[kind], stream=out).sort_stats("cumulative").print_stats(ours, 30)
        print(out.getvalue())


def main() -> None:
    from cryptography.fernet import Fernet

    from directory.passwords import MEMORY_KIB, PARALLELISM, TIME_COST

    os.environ["BENCH_FIELD_KEY"] = Fernet.generate_key().decode()
    os.environ["IDM_FIELD_KEYS"] = os.environ["BENCH_FIELD_KEY"]
    # the whole stack, as production runs it: Redis for the cache (the throttles) and the broker, and a
    # Celery worker sending the reset codes
    stack = Stack(nosync=True, worker=not PROFILE, redis=True)
    proc = None
    try:
        uids = make_people(PEOPLE)
        if PROFILE:
            profile(uids, stack.proc.pid)
            return
        bind_ms, hash_ms = one_bind_and_one_hash(stack, uids[0])
        proc, port = start_gunicorn(stack, os.environ["IDM_DATABASE_URL"])
        warm: list[float] = []
        for i in range(3 if SMOKE else 12):  # workers open their database and directory connections: not timed
            client_run(port, uids[:1], i, warm, None, [], rounds=1, think=0)
        errors: list[str] = []
        alone: list[float] = []  # one client, one login after another: what a login costs without queueing
        client_run(port, uids, 99, alone, None, errors, rounds=3 if SMOKE else 20, think=0)
        logins: list[float] = []
        resets: list[float] = []
        threads = [threading.Thread(target=client_run, args=(port, uids, i, logins, resets, errors))
                   for i in range(CLIENTS)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        stack.check_worker()
        if errors:
            tail = "\n".join(line for line in (stack.tmp / "gunicorn.log").read_text(errors="replace").splitlines()
                              if '"level": "ERROR"' in line)[-6000:]
            raise SystemExit(f"{len(errors)} errors, e.g. {errors[:3]}\nserver log:\n{tail}")
        print(f"{CLIENTS} clients, {len(logins)} logins and {len(resets)} reset requests in {wall:.1f} s "
              f"({len(logins) / wall:.1f} logins/s), think {THINK} s, gunicorn {gunicorn_shape()} on "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
        print(f"Argon2id m={MEMORY_KIB} KiB, t={TIME_COST}, p={PARALLELISM} (directory/passwords.py and slapd's "
              f"argon2 module): one slapd bind {bind_ms:.1f} ms, one argon2 hash here {hash_ms:.1f} ms (medians)")
        print(f"one client alone: login p50 {p50(alone):.1f} ms, p95 {p95(alone) * 1000:.1f} ms "
              f"(a login is one search on the kept service connection and one bind as the person)")
        print(f"{CLIENTS} clients: login max {max(logins) * 1000:.1f} ms, "
              f"reset request max {max(resets) * 1000:.1f} ms")
        figures = {"login_p50": p50(logins), "login_p95": p95(logins) * 1000, "reset_p50": p50(resets),
                   "reset_p95": p95(resets) * 1000, "bind_ms": bind_ms, "hash_ms": hash_ms}
        print(f"login p50 {figures['login_p50']:.1f} ms, "
              + verdict("login p95", figures["login_p95"], LOGIN_TARGET_MS))
        print(f"reset-request p50 {figures['reset_p50']:.1f} ms, "
              + verdict("reset-request p95", figures["reset_p95"], RESET_TARGET_MS))
        if os.environ.get(RESULTS):
            with open(os.environ[RESULTS], "a", encoding="utf-8") as f:
                f.write(json.dumps({"engine": engine(), **figures}) + "\n")
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        stack.close()


def gunicorn_shape() -> str:
    """What deploy/gunicorn.conf.py made of this environment: '5 workers x 4 threads'."""
    import runpy

    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    threads = conf.get("threads", 1)  # (gunicorn runs gthread whenever threads > 1)
    return f"{conf['workers']} workers x {threads} thread{'s' if threads > 1 else ''}"


def p50(values: list[float]) -> float:
    return statistics.median(values) * 1000


def verdict(what: str, ms: float, target: int) -> str:
    return f"{what} {ms:.1f} ms (target < {target} ms: {'met' if ms < target else 'MISSED'})"


def per_engine() -> None:
    """Once per engine, each in a fresh process, then both engines side by side against the targets."""
    import tempfile

    if engine() or PROFILE:
        main()
        return
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", prefix="idm-login-") as results:
        for name, label in ENGINES.items():
            print(f"== {label} ==", flush=True)
            r = subprocess.run([sys.executable, sys.argv[0], *sys.argv[1:], f"--engine={name}"],
                               env={**os.environ, RESULTS: results.name})
            if r.returncode:
                raise SystemExit(r.returncode)
        rows = [json.loads(line) for line in results.read().splitlines() if line.strip()]
    print("== both engines, this run ==")
    for row in rows:
        name = ENGINES[row["engine"]].split(" (")[0]
        print(f"{name:>15}: login p50 {row['login_p50']:6.1f} p95 {row['login_p95']:6.1f} ms"
              f" | reset request p50 {row['reset_p50']:6.1f} p95 {row['reset_p95']:6.1f} ms"
              f" | one bind {row['bind_ms']:.1f} ms")
    met = all(r["login_p95"] < LOGIN_TARGET_MS and r["reset_p95"] < RESET_TARGET_MS for r in rows)
    print(f"targets (login p95 < {LOGIN_TARGET_MS} ms, reset-request p95 < {RESET_TARGET_MS} ms) on both engines: "
          f"{'met' if met else 'MISSED'}")


if __name__ == "__main__":
    per_engine()
