"""C-06: Redis restarted without its data while 200 directory changes wait in its queues. The queue
is empty after the restart; the sweeper finds the outbox rows not applied and re-sends them all;
all applied, zero drift. /healthz shows the waiting changes and the age of the oldest meanwhile."""

from __future__ import annotations

import time

import pytest
import redis

pytestmark = pytest.mark.faults


def test_c06_redis_restarted_with_data_wiped_loses_no_directory_change(faults):
    stack = faults.stack
    stack.stop_workers()  # the changes wait in Redis
    faults.run("d.onboard('C06', 200, one_transaction=True)")
    r = redis.Redis.from_url(stack.redis_url)
    queued = r.llen("directory") + r.llen("directory_bulk")
    assert queued > 0
    stack.restart_redis(wipe=True)
    assert r.llen("directory") + r.llen("directory_bulk") == 0  # gone with the data
    time.sleep(6)  # older than IDM_HEALTH_OUTBOX_LATE_SECONDS (5 s in the scaled stack)
    status, health = faults.healthz()
    assert status == 200 and health["status"] == "degraded", health
    assert health["directory_changes"]["pending"] >= 200, health
    assert health["directory_changes"]["oldest_pending_seconds"] >= 5, health
    stack.start_workers(3)  # beat's sweeper re-sends what the broker lost
    assert faults.run("d.wait_applied(180)")["failed"] == 0
    assert faults.run("d.people_in_sql('C06')")["count"] == 200
    faults.assert_zero_drift_everywhere()
    status, health = faults.healthz()
    assert health["directory_changes"]["state"] == "ok", health
