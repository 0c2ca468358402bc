"""C-08: SIGTERM to the workers while an import's directory changes are being applied. Celery's warm
shutdown finishes the running task and leaves the rest unacknowledged in Redis (acks_late); the
workers started again take them up, from the per-row outbox state, not from the start of the import:
no row applied twice, the import done, zero drift."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.faults


def test_c08_sigterm_mid_import_resumes_from_the_outbox_rows(faults):
    stack = faults.stack
    batch = faults.run("d.import_commit_sent('C08', 1500)")
    pids = [p.pid for p in stack.worker_procs.values()]
    state = faults.run(f"d.sigterm_when_first_applied({batch}, 'C08', {pids!r})")
    assert state["applied"] < 1500, state  # the shutdown came mid-way
    for p in stack.worker_procs.values():
        p.wait(120)
    stopped = faults.run(f"d.import_state({batch}, 'C08')")
    stack.start_workers(3)
    assert faults.run("d.wait_applied(240)")["failed"] == 0
    end = faults.run(f"d.import_state({batch}, 'C08')")
    print(f"C-08: at SIGTERM {state}; after the warm shutdown {stopped}; at the end {end}")
    assert end["status"] == "done" and end["people"] == 1500 and end["applied"] == end["rows"] == 1500, end
    assert end["attempts"] == [1], end  # each row claimed and applied once
    faults.assert_zero_drift_everywhere()
