"""The scaled stack on loopback: every part a separate process, as each would be a separate host.

    PostgreSQL (scripts/dev/postgres.py)
    Redis (append-only file on, noeviction, as production)
    two slapd providers in multi-provider replication + one read-only consumer (scripts/dev/slapd.py)
    Dovecot reading the consumer (scripts/dev/dovecot.py)
    three Celery worker processes (scripts/dev/workers.py: directory, bulk, bulk2; beat in bulk)
    gunicorn with two workers and the production settings (deploy/gunicorn.conf.py)

`make run-scaled` runs it until Ctrl-C (scripts/devstack_scaled.py); tests get it from the
`scaled_stack` fixture (tests/faults/conftest.py); bench/scaleout.py measures on it. Controls for
fault tests: kill or pause one slapd, kill a worker, wipe Redis, stop PostgreSQL, run Django code
against the stack in a fresh process (`python`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from scripts.dev import postgres, slapd, workers

ROOT = Path(__file__).resolve().parent.parent.parent
HOST = "127.0.0.1"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _wait_port(port: int, proc: subprocess.Popen | None = None, timeout: float = 30, what: str = "server") -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            socket.create_connection((HOST, port), 0.2).close()
            return
        except OSError:
            time.sleep(0.03)
    raise TimeoutError(f"{what} did not listen on {port} within {timeout} s")


def _kill_group(proc: subprocess.Popen, sig: int = signal.SIGTERM, wait: float = 15) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGCONT)
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(wait)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


@dataclass
class ScaledStack:
    root: Path
    workers: int = 3
    web: bool = True
    mail: bool = True
    nosync: bool = True
    secrets: dict = field(default_factory=lambda: {k: secrets.token_urlsafe(15) for k in
                                                    ("root", "idm", "mail", "replicator")})
    pg: postgres.Cluster | None = None
    ldap: list[slapd.SlapdConfig] = field(default_factory=list)
    ldap_procs: list[subprocess.Popen | None] = field(default_factory=list)
    redis_port: int = 0
    redis_proc: subprocess.Popen | None = None
    dovecot: object | None = None
    dovecot_proc: subprocess.Popen | None = None
    lmtp_port: int = 0
    worker_procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    web_port: int = 0
    web_proc: subprocess.Popen | None = None
    env: dict = field(default_factory=dict)

    # ------------------------------------------------------------ what the parts are
    @property
    def providers(self) -> list[slapd.SlapdConfig]:
        return [c for c in self.ldap if c.provider]

    @property
    def consumer(self) -> slapd.SlapdConfig:
        return next(c for c in self.ldap if c.consumer)

    @property
    def redis_url(self) -> str:
        return f"redis://{HOST}:{self.redis_port}/0"

    @property
    def web_url(self) -> str:
        return f"http://{HOST}:{self.web_port}"

    def describe(self) -> dict:
        return {"database": self.pg.url("idm").split("@")[-1] if self.pg else None,
                "providers": [c.url for c in self.providers], "consumer": self.consumer.url,
                "redis": self.redis_url, "web": self.web_url if self.web else None,
                "workers": list(self.worker_procs),
                "imap": f"{HOST}:{self.dovecot.imap_port}" if self.dovecot else None}

    # ------------------------------------------------------------ start / stop
    def start(self) -> ScaledStack:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "var").mkdir(exist_ok=True)
        self.pg = postgres.start()
        postgres.create_database(self.pg, "idm")
        self.ldap = slapd.replicated_set(str(self.root / "ldap"), providers=2, consumers=1, nosync=self.nosync,
                                         root_password=self.secrets["root"], idm_password=self.secrets["idm"],
                                         mail_password=self.secrets["mail"],
                                         replicator_password=self.secrets["replicator"])
        for c in self.ldap:
            slapd.prepare(c)
        self.ldap_procs = [slapd.start(c) for c in self.ldap]
        slapd.wait_in_sync(self.ldap)
        self.start_redis(wipe=True)
        from cryptography.fernet import Fernet

        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("IDM_", "DJANGO_"))}
        self.env.update(
            DJANGO_SETTINGS_MODULE="idm.settings.production", PYTHONUNBUFFERED="1",
            IDM_SECRET_KEY=secrets.token_urlsafe(50), IDM_FIELD_KEYS=Fernet.generate_key().decode(),
            IDM_DIGEST_KEY=secrets.token_urlsafe(32), IDM_ALLOWED_HOSTS=f"{HOST},localhost",
            IDM_HTTPS="0", IDM_VAR_DIR=str(self.root / "var"), IDM_DATABASE_URL=self.pg.url("idm"),
            IDM_LDAP_URLS=",".join(c.url for c in self.providers), IDM_LDAP_BASE_DN=self.ldap[0].base_dn,
            IDM_LDAP_BIND_DN=self.ldap[0].idm_dn, IDM_LDAP_BIND_PASSWORD=self.secrets["idm"], IDM_LDAP_TLS="none",
            IDM_LDAP_CONNECT_TIMEOUT="2", IDM_LDAP_RECEIVE_TIMEOUT="3", IDM_REDIS_URL=self.redis_url,
            IDM_STATIC_ROOT=str(self.root / "static"), IDM_LOG_LEVEL="WARNING",
            # fault tests wait for the sweeper: run it often, give back a dead worker's rows soon
            IDM_OUTBOX_SWEEP_SECONDS="2", IDM_OUTBOX_RESEND_SECONDS="3", IDM_OUTBOX_STALE_SECONDS="8",
            IDM_HEALTH_OUTBOX_LATE_SECONDS="5",
        )
        self.env["IDM_WEB_PORT"] = ""
        if self.mail:  # new mailboxes' stores are created over the mail server's LMTP (C-12)
            self.lmtp_port = slapd.free_port()
            self.env["IDM_MAIL_LMTP"] = f"{HOST}:{self.lmtp_port}"
        self.web_port = slapd.free_port()
        self.env["IDM_BASE_URL"] = self.web_url
        self.manage("migrate", "--no-input", "-v", "0")
        if self.mail:
            from scripts.dev import dovecot as mailserver

            c = self.consumer  # the mail server reads the read-only replica
            self.dovecot = mailserver.MailServerConfig(
                directory=str(self.root / "dovecot"), imap_port=slapd.free_port(), lmtp_port=self.lmtp_port,
                ldap_url=c.url, base_dn=c.base_dn, bind_dn=c.mail_dn, bind_password=self.secrets["mail"],
                redis_port=self.redis_port)
            mailserver.prepare(self.dovecot)
            self.dovecot_proc = mailserver.start(self.dovecot)
        if self.workers:
            self.start_workers(self.workers)
        if self.web:
            self.manage("collectstatic", "--noinput", "-v", "0")
            self.start_web()

    def stop(self) -> None:
        self.stop_workers()
        if self.web_proc is not None:
            _kill_group(self.web_proc)
            self.web_proc = None
        if self.dovecot_proc is not None:
            from scripts.dev import dovecot as mailserver

            mailserver.stop(self.dovecot_proc)
            self.dovecot_proc = None
        if self.redis_proc is not None:
            _kill_group(self.redis_proc)
            self.redis_proc = None
        for p in self.ldap_procs:
            if p is not None:
                slapd.stop(p)
        self.ldap_procs = []
        if self.pg is not None:
            postgres.stop(self.pg)
            self.pg = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------ Django against the stack
    def manage(self, *args: str, settings: str = "idm.settings.production") -> str:
        env = dict(self.env, DJANGO_SETTINGS_MODULE=settings)
        r = subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed: {(r.stderr or r.stdout)[-3000:]}")
        return r.stdout

    def python(self, code: str, *, timeout: float = 300) -> object:
        """Run `code` with Django set up against the stack (development settings: the demo tools
        are there), in a fresh process; whatever it assigns to `result` comes back (JSON)."""
        prelude = ("import json, sys, django; django.setup()\nresult = None\n")
        epilogue = "\nprint('@@RESULT@@' + json.dumps(result, default=str))\n"
        env = dict(self.env, DJANGO_SETTINGS_MODULE="idm.settings.base", IDM_DEBUG="0")
        r = subprocess.run([sys.executable, "-c", prelude + code + epilogue], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError(f"stack python failed:\n{r.stderr[-4000:]}")
        line = next(x for x in reversed(r.stdout.splitlines()) if x.startswith("@@RESULT@@"))
        return json.loads(line[len("@@RESULT@@"):])

    # ------------------------------------------------------------ workers
    def start_workers(self, count: int, *, beat: bool = True) -> None:
        self.stop_workers()
        cmds = workers.scaled_commands(self.root / "var", count, beat=beat)
        procs = workers.start(cmds, dict(self.env), self.root)
        self.worker_procs = dict(zip([n for n, _ in cmds], procs, strict=True))
        self.wait_workers()

    def wait_workers(self, timeout: float = 90) -> None:
        names = list(self.worker_procs)
        code = (f"from idm.celery import app\nfrom scripts.dev import workers\n"
                f"workers.wait_ready(app, {names!r}, [], timeout={timeout})\n")
        self.python(code, timeout=timeout + 30)

    def stop_workers(self) -> None:
        if self.worker_procs:
            workers.stop(list(self.worker_procs.values()))
        self.worker_procs = {}

    def worker_children(self, name: str) -> list[int]:
        """The pool processes (prefork children) of one worker."""
        parent = self.worker_procs[name].pid
        out = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True).stdout
        return [int(x) for x in out.split()]

    # ------------------------------------------------------------ Redis
    def start_redis(self, *, wipe: bool) -> None:
        d = self.root / "redis"
        if wipe:
            shutil.rmtree(d, ignore_errors=True)
        d.mkdir(exist_ok=True)
        self.redis_port = self.redis_port or slapd.free_port()
        self.redis_proc = subprocess.Popen(
            ["redis-server", "--bind", HOST, "--port", str(self.redis_port), "--dir", str(d), "--save", "",
             "--appendonly", "yes", "--maxmemory-policy", "noeviction", "--logfile", str(d / "redis.log")],
            start_new_session=True)
        _wait_port(self.redis_port, self.redis_proc, 10, "redis")

    def restart_redis(self, *, wipe: bool) -> None:
        """C-06: kill -9 Redis and start it again, with its data gone when `wipe`."""
        if self.redis_proc is not None:
            _kill_group(self.redis_proc, signal.SIGKILL)
        self.start_redis(wipe=wipe)

    # ------------------------------------------------------------ the web server
    def start_web(self) -> None:
        log = open(self.root / "gunicorn.log", "ab")
        self.web_proc = subprocess.Popen([GUNICORN, "-c", "deploy/gunicorn.conf.py", "--workers", "2",
                                          "--bind", f"{HOST}:{self.web_port}", "idm.wsgi"],
                                         env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        _wait_port(self.web_port, self.web_proc, 60, "gunicorn")

    def kill_web(self) -> None:
        """C-16: kill -9 gunicorn, master and workers at once (as a crashed host would)."""
        if self.web_proc is not None:
            _kill_group(self.web_proc, signal.SIGKILL, wait=10)
            self.web_proc = None

    # ------------------------------------------------------------ the mail server
    def mail_stop(self) -> None:
        """C-12: Dovecot (IMAP and LMTP) stopped."""
        from scripts.dev import dovecot as mailserver

        if self.dovecot_proc is not None:
            mailserver.stop(self.dovecot_proc)
            self.dovecot_proc = None

    def mail_start(self) -> None:
        from scripts.dev import dovecot as mailserver

        if self.dovecot is not None and (self.dovecot_proc is None or self.dovecot_proc.poll() is not None):
            mailserver.prepare(self.dovecot)  # the same files again; clears the run folder
            self.dovecot_proc = mailserver.start(self.dovecot)

    # ------------------------------------------------------------ slapd
    def slapd_signal(self, index: int, sig: int) -> None:
        os.kill(self.ldap_procs[index].pid, sig)

    def slapd_kill(self, index: int) -> None:
        """kill -9 one slapd (its mdb is crash-safe; it starts again on the same data)."""
        p = self.ldap_procs[index]
        os.kill(p.pid, signal.SIGKILL)
        p.wait(10)
        self.ldap_procs[index] = None

    def slapd_start(self, index: int) -> None:
        if self.ldap_procs[index] is None or self.ldap_procs[index].poll() is not None:
            self.ldap_procs[index] = slapd.start(self.ldap[index])

    def wait_replicated(self, timeout: float = 60) -> float:
        return slapd.wait_in_sync(self.ldap, timeout=timeout)


def temporary(**kwargs) -> ScaledStack:
    return ScaledStack(root=Path(tempfile.mkdtemp(prefix="idm-scaled-")), **kwargs).start()
