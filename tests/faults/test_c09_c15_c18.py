"""C-09 PostgreSQL away while a worker marks its rows; C-15 the providers refuse writes; C-18 SQL
restored from an older backup while the directory is newer."""

from __future__ import annotations

import pytest

from scripts.dev import ldap_testing, postgres

pytestmark = pytest.mark.faults


def test_c09_database_restarted_while_marking_rows_done_applies_once(faults):
    stack = faults.stack
    pg = (str(stack.pg.directory), stack.pg.port, stack.pg.password)
    worker = stack.worker_procs["directory"].pid
    report = faults.run(f"d.c07_kill_worker_after_ldap_write('C09', 4, {worker}, {faults.root(0)!r}, "
                        f"crash='database', cluster={pg!r})")
    assert report["locked_rows"] == 4 and report["running_after_crash"] == 4, report
    assert faults.run("d.wait_applied(120)")["failed"] == 0
    changes = faults.run("d.changes_of('C09')")
    assert all(c["status"] == "applied" and c["attempts"] == 2 for c in changes), changes
    faults.assert_zero_drift_everywhere()
    assert faults.healthz()[1]["database"] == "ok"


def test_c15_providers_refusing_writes_fail_visibly_without_retry_loop_then_repair(faults):
    stack = faults.stack
    for c in stack.providers:
        ldap_testing.set_config(c, "olcDatabase={1}mdb,cn=config", "olcReadOnly", ["TRUE"])
    try:
        faults.run("d.onboard('C15', 3)")
        faults.run("d.wait_applied(60)")
        failed = faults.run("d.failed_rows('C15')")
        # unwillingToPerform is permanent (LD-13): marked failed with the reason, tried once
        assert len(failed) == 3 and all(f["attempts"] == 1 and f["last_error"] for f in failed), failed
        status, health = faults.healthz()
        assert health["directory_changes"]["failed"] >= 3, health
    finally:
        for c in stack.providers:
            ldap_testing.set_config(c, "olcDatabase={1}mdb,cn=config", "olcReadOnly", [])
    providers = [c.url for c in stack.providers]
    assert faults.run(f"d.repair_from({providers!r})")["repaired"] == 3  # the operator's repair
    faults.assert_zero_drift_everywhere()


def test_c18_sql_restored_from_older_backup_reports_newer_ldap_entries_and_deletes_nothing(faults, tmp_path):
    stack = faults.stack
    backup = tmp_path / "idm.dump"
    postgres.dump(stack.pg, "idm", backup)
    faults.run("d.onboard('C18', 4)")
    faults.run("d.wait_applied()")
    newer = faults.run("d.people_in_sql('C18')")["uids"]
    stack.stop_workers()
    try:
        postgres.restore(stack.pg, "idm", backup)
    finally:
        stack.start_workers(3)
    assert faults.run("d.people_in_sql('C18')")["count"] == 0
    stack.wait_replicated()
    drift = faults.run(f"d.reconcile_each({faults.urls!r})")
    for url, d in drift.items():  # unmatched on every replica; nothing deleted by itself
        assert d["total"] == 4 and sorted(d["extra"]) == sorted(newer), (url, d)
    providers = [c.url for c in stack.providers]
    faults.run(f"d.repair_from({providers!r})")  # a repair without the flag deletes nothing
    assert all(d["total"] == 4 for d in faults.run(f"d.reconcile_each({faults.urls!r})").values())
    assert faults.run(f"d.repair_and_delete_extra({providers!r}, {newer!r})") == 4  # only when asked
    faults.assert_zero_drift_everywhere()
