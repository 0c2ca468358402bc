"""C-03: kill -STOP of a slapd provider (alive, accepts TCP, answers nothing). Logins and directory
tasks move to the other provider after one receive timeout (3 s in the scaled stack) instead of
hanging; /healthz names the silent one; after kill -CONT it catches up; zero drift everywhere."""

from __future__ import annotations

import os
import signal

import pytest

pytestmark = pytest.mark.faults
RECEIVE_TIMEOUT = 3.0  # IDM_LDAP_RECEIVE_TIMEOUT of scripts/dev/scaled.py


def test_c03_sigstop_provider_login_and_tasks_fail_over_within_the_timeout(faults):
    stack = faults.stack
    faults.run("d.onboard('C03', 1)")
    faults.run("d.wait_applied()")
    uid = faults.run("d.set_password('C03', 'một mật khẩu dài đủ mười lăm ký tự')")
    stack.wait_replicated()
    pid = stack.ldap_procs[0].pid
    try:
        # a web worker whose kept service connection is on the provider that falls silent: one receive
        # timeout there, then the provider is put last and the search's retry and the bind go to the other
        warm = faults.run(f"d.login_seconds_warm_then_paused({uid!r}, 'một mật khẩu dài đủ mười lăm ký tự', {pid})")
        assert warm["before"] == "ok" and warm["outcome"] == "ok", warm
        assert warm["seconds"] < RECEIVE_TIMEOUT + 2, warm
        # a new process: its first connection meets the silent provider, one timeout, then the other
        login = faults.run(f"d.login_seconds({uid!r}, 'một mật khẩu dài đủ mười lăm ký tự')")
        assert login["outcome"] == "ok", login
        assert login["seconds"] < RECEIVE_TIMEOUT + 2, login
        faults.run("d.onboard('C03B', 10)")
        applied = faults.run("d.wait_applied(90)")
        assert applied["failed"] == 0
        status, health = faults.healthz()
        assert status == 200 and health["status"] == "degraded", health
        assert health["ldap_servers"][stack.providers[0].url].startswith("error:"), health
    finally:
        os.kill(pid, signal.SIGCONT)
    faults.assert_zero_drift_everywhere()
