"""C-07: kill -9 of the worker's pool processes after the directory write succeeded and before the
outbox rows are marked applied. The rows stay 'running' under a dead claim; the sweeper gives them
back after IDM_OUTBOX_STALE_SECONDS and re-sends them; the second run finds the entries already as
they should be. Exactly one entry per person, every row applied, zero drift."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.faults


def test_c07_worker_killed_between_ldap_write_and_outbox_mark_applies_exactly_once(faults):
    stack = faults.stack
    worker = stack.worker_procs["directory"].pid
    report = faults.run(f"d.c07_kill_worker_after_ldap_write('C07', 6, {worker}, {faults.root(0)!r})")
    assert report["locked_rows"] == 6 and report["killed"], report  # the kill came after the write
    assert report["running_after_crash"] == 6, report  # nobody marked them: the crash window
    applied = faults.run("d.wait_applied(120)")
    assert applied["failed"] == 0
    changes = faults.run("d.changes_of('C07')")
    assert len(changes) == 6 and all(c["status"] == "applied" for c in changes), changes
    assert all(c["attempts"] == 2 for c in changes), changes  # run again once, by the sweeper
    assert faults.run("d.people_in_sql('C07')")["count"] == 6
    faults.assert_zero_drift_everywhere()
