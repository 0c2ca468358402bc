"""C-02 every provider stopped while HR works; C-04 a provider restarted under held connections;
C-05 Redis stopped between the SQL commit and the publish."""

from __future__ import annotations

import signal
import time

import pytest

pytestmark = pytest.mark.faults


def test_c02_directory_stopped_work_is_kept_and_applied_on_return_login_fails_closed(faults):
    stack = faults.stack
    faults.run("d.onboard('C02', 1)")
    faults.run("d.wait_applied()")
    uid = faults.run("d.set_password('C02', 'một mật khẩu dài đủ mười lăm ký tự')")
    for i in (0, 1):
        stack.slapd_kill(i)
    try:
        faults.run("d.onboard('C02B', 30)")  # committed in SQL, waiting for the directory
        login = faults.run(f"d.login_seconds({uid!r}, 'một mật khẩu dài đủ mười lăm ký tự')")
        assert login["outcome"] == "error: DirectoryUnavailable", login  # AU-06: closed, not 'wrong password'
        status, health = faults.healthz()
        assert status == 503 and health["ldap"].startswith("error:"), health
        assert health["directory_changes"]["pending"] >= 30, health  # pending or claimed and given back
        assert faults.run("d.people_in_sql('C02B')")["count"] == 30
    finally:
        for i in (0, 1):
            stack.slapd_start(i)
    t = time.monotonic()
    assert faults.run("d.wait_applied(120)")["failed"] == 0
    print(f"C-02: applied {time.monotonic() - t:.1f} s after the providers returned")
    faults.assert_zero_drift_everywhere()


def test_c04_graceful_provider_restart_under_held_connections_is_invisible(faults):
    stack = faults.stack
    faults.run("d.onboard('C04', 2)")
    faults.run("d.wait_applied()")
    assert faults.healthz()[0] == 200  # the web workers hold connections to the first provider now
    p = stack.ldap_procs[0]
    p.send_signal(signal.SIGTERM)
    p.wait(15)
    stack.ldap_procs[0] = None
    stack.slapd_start(0)
    status, health = faults.healthz()  # a stale connection: the read is retried once, not a 503
    assert status == 200 and health["ldap"] == "ok", health
    faults.run("d.onboard('C04B', 5)")
    assert faults.run("d.wait_applied(60)")["failed"] == 0
    faults.assert_zero_drift_everywhere()


def test_c05_redis_down_at_publish_time_the_outbox_keeps_the_work(faults):
    stack = faults.stack
    stack.redis_proc.send_signal(signal.SIGKILL)
    stack.redis_proc.wait(10)
    try:
        faults.run("d.onboard('C05', 10)")  # each commit's publish fails; the rows stay pending
        w = faults.run("d.waiting()")
        assert w["pending"] >= 10, w
    finally:
        stack.start_redis(wipe=False)
    assert faults.run("d.wait_applied(120)")["failed"] == 0  # the sweeper published them
    faults.assert_zero_drift_everywhere()
