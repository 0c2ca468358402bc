"""C-01: kill -9 of a slapd provider while people are being onboarded. The workers fail over to the
other provider; the killed one starts again on its (crash-safe) database and catches up by syncrepl;
every change applied once, no second uid, zero drift on both providers and the consumer; /healthz
named the dead provider meanwhile."""

from __future__ import annotations

import threading
import time

import pytest

pytestmark = pytest.mark.faults


def test_c01_kill_9_provider_mid_onboarding_fails_over_and_loses_nothing(faults):
    stack = faults.stack
    first = stack.providers[0]
    done = threading.Event()
    result: dict = {}

    def onboard():
        result["pks"] = faults.run("d.onboard('C01', 40)")
        done.set()

    t = threading.Thread(target=onboard)
    t.start()
    # kill it once the first of these people reached the directory: mid-way through the 40
    deadline = time.monotonic() + 60
    while faults.run("d.people_in_sql('C01')")["count"] < 5 and time.monotonic() < deadline:
        time.sleep(0.2)
    stack.slapd_kill(0)
    try:
        t.join(120)
        assert done.is_set(), "onboarding did not finish with one provider down"
        status, health = faults.healthz()
        assert status == 200 and health["status"] == "degraded" and health["ldap"] == "ok", health
        assert health["ldap_servers"][first.url].startswith("error:"), health
        applied = faults.run("d.wait_applied(180)")
        assert applied["failed"] == 0
        second = [stack.providers[1].url, stack.consumer.url]
        assert all(d["total"] == 0 for d in faults.run(f"d.reconcile_each({second!r})").values())
    finally:
        stack.slapd_start(0)
    assert faults.run("d.people_in_sql('C01')")["count"] == 40
    faults.assert_zero_drift_everywhere()  # the restarted provider caught up, nothing twice
    status, health = faults.healthz()
    assert status == 200 and all(v == "ok" for v in health["ldap_servers"].values()), health
