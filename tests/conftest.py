"""One private slapd and one private Redis per test session, on free loopback ports (never the
development ones), wiped between tests. Nothing is mocked: tests talk to the real servers."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis as redis_lib
from django.conf import settings

from directory import connection as dir_connection
from directory import setup as dir_setup
from scripts.dev import dovecot as mailserver
from scripts.dev import ldap_testing as testing
from scripts.dev import slapd

pytest_plugins = ["tests.postgres"]  # IDM_TEST_DB=postgres: the suite on a private PostgreSQL


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 10) -> None:
    import socket

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(port)


def _all_threads_stopped(pid: int) -> bool:
    try:
        return all((t / "stat").read_text().rsplit(")", 1)[1].split()[0] in "tT"
                   for t in Path(f"/proc/{pid}/task").iterdir())
    except (FileNotFoundError, ProcessLookupError):  # a thread ended while we looked
        return False


class Slapd:
    """The session's slapd: its config, process, and controls for fault tests."""

    def __init__(self, config: slapd.SlapdConfig):
        self.config = config
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = slapd.start(self.config)

    def stop(self) -> None:
        if self.proc is not None:
            slapd.stop(self.proc)
            self.proc = None

    def pause(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)
        # SIGSTOP is asynchronous: on a busy machine a slapd thread could still answer one more
        # request, so wait until every thread is really stopped
        end = time.monotonic() + 5
        while time.monotonic() < end and not _all_threads_stopped(self.proc.pid):
            time.sleep(0.005)

    def resume(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)

    def ensure_running(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        else:
            self.resume()


@pytest.fixture(scope="session")
def ldap_server(django_db_blocker):
    import secrets

    cfg = slapd.temporary(nosync=True, root_password=secrets.token_urlsafe(12),
                          idm_password=secrets.token_urlsafe(12), mail_password=secrets.token_urlsafe(12))
    slapd.prepare(cfg)
    server = Slapd(cfg)
    server.start()
    settings.IDM_LDAP_URL = cfg.url
    settings.IDM_LDAP_BASE_DN = cfg.base_dn
    settings.IDM_LDAP_BIND_DN = cfg.idm_dn
    settings.IDM_LDAP_BIND_PASSWORD = cfg.idm_password
    settings.IDM_LDAP_TLS = "none"
    settings.IDM_LDAP_CONNECT_TIMEOUT = 2
    settings.IDM_LDAP_RECEIVE_TIMEOUT = 3
    yield server
    server.stop()
    shutil.rmtree(cfg.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server():
    d = Path(tempfile.mkdtemp(prefix="idm-redis-"))
    port = slapd.free_port()
    proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                             "--appendonly", "no", "--dir", str(d), "--logfile", str(d / "redis.log")],
                            start_new_session=True)
    _wait_port(port, proc)
    url = f"redis://127.0.0.1:{port}/0"
    settings.IDM_REDIS_URL = url
    settings.CELERY_BROKER_URL = url
    # the cache (the login and recovery throttles) follows IDM_REDIS_URL, as base.py makes it do
    from django.core.signals import setting_changed

    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": url}}
    setting_changed.send(sender=None, setting="CACHES", value=settings.CACHES, enter=True)
    from idm.celery import app

    app.conf.broker_url = url
    yield {"url": url, "port": port, "proc": proc}
    proc.terminate()
    proc.wait(10)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(autouse=True)
def stack(ldap_server, redis_server):
    """Every test starts with a running, empty directory and an empty Redis."""
    ldap_server.ensure_running()
    dir_connection.drop()
    dir_setup.forget_failures()
    testing.wipe(ldap_server.config)
    redis_lib.Redis.from_url(redis_server["url"]).flushall()
    yield ldap_server
    ldap_server.ensure_running()
    dir_connection.drop()


@pytest.fixture
def slapd_config(ldap_server) -> slapd.SlapdConfig:
    return ldap_server.config


@pytest.fixture(scope="session")
def dovecot(ldap_server, redis_server):
    c = ldap_server.config
    cfg = mailserver.MailServerConfig(directory=tempfile.mkdtemp(prefix="idm-dovecot-"), imap_port=slapd.free_port(),
                                      lmtp_port=slapd.free_port(), ldap_url=c.url, base_dn=c.base_dn, bind_dn=c.mail_dn,
                                      bind_password=c.mail_password, redis_port=redis_server["port"])
    mailserver.prepare(cfg)
    proc = mailserver.start(cfg)
    yield cfg
    mailserver.stop(proc)
    shutil.rmtree(cfg.directory, ignore_errors=True)


@pytest.fixture
def empty_mailboxes(dovecot):
    for child in (Path(dovecot.directory) / "mail").iterdir():
        shutil.rmtree(child, ignore_errors=True)
    yield dovecot
