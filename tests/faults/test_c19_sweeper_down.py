"""C-19: the sweeper (Celery beat) and the workers down for a while, with changes whose messages
were lost. /healthz shows the age of the oldest waiting change growing; once beat is back the
catch-up runs (the sweeper re-sends at most 10,000 rows per run) and everything is applied."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.faults


def test_c19_sweeper_down_shows_growing_age_then_catches_up(faults):
    stack = faults.stack
    stack.stop_workers()  # beat runs inside the bulk worker: no sweeper either
    faults.run("d.onboard('C19', 20)")
    stack.restart_redis(wipe=True)  # and their messages lost, so only the sweeper can bring them
    _status, first = faults.healthz()
    time.sleep(3)
    _status, later = faults.healthz()
    assert later["directory_changes"]["oldest_pending_seconds"] >= first["directory_changes"][
        "oldest_pending_seconds"] + 2, (first, later)
    time.sleep(max(0, 6 - later["directory_changes"]["oldest_pending_seconds"]))
    status, late = faults.healthz()
    assert status == 200 and late["directory_changes"]["state"].startswith("late:"), late
    stack.start_workers(3)
    assert faults.run("d.wait_applied(120)")["failed"] == 0
    faults.assert_zero_drift_everywhere()
