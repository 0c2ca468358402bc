"""C-10 duplicate delivery and C-11 out-of-order delivery, with the real broker and worker processes."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.faults


def test_c10_same_message_delivered_twice_at_once_is_applied_once(faults):
    rows = faults.run("d.onboard_unsent('C10', 8)")
    faults.run(f"d.publish_twice_at_once({rows!r})")
    assert faults.run("d.wait_applied(60)")["failed"] == 0
    changes = faults.run("d.changes_of('C10')")
    assert len(changes) == 8 and all(c["status"] == "applied" for c in changes), changes
    # the conditional claim let one delivery take each row; the other found nothing to do
    assert all(c["attempts"] == 1 for c in changes), changes
    faults.assert_zero_drift_everywhere()


def test_c11_suspend_then_reactivate_delivered_reversed_ends_as_sql_says(faults):
    faults.run("d.onboard('C11', 1)")
    faults.run("d.wait_applied()")
    done = faults.run("d.status_changes_reversed('C11')")
    assert faults.run("d.wait_applied(60)")["failed"] == 0
    faults.stack.wait_replicated()
    # each delivery applies the current SQL intent, so the stale 'suspend' arriving last changes nothing
    assert set(faults.run(f"d.directory_status({done['uid']!r}, {faults.urls!r})").values()) == {"active"}
    faults.assert_zero_drift_everywhere()
