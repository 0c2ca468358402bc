"""C-17: replication lag. A write lands on a provider; the read-only consumer (what the mail server
reads) lags behind. The gateway reads its own writes on the providers, so idm never sees the lag;
reconcile against the lagging consumer reports the missing entries; once syncrepl catches up,
reconcile reports zero drift on every replica."""

from __future__ import annotations

import os
import signal

import pytest

pytestmark = pytest.mark.faults


def entries_match(drift: dict) -> bool:
    """Every entry as SQL says (what a lagging replica cannot spoil on the providers); mailbox stores
    still being prepared are counted apart."""
    return not drift["missing"] and not drift["extra"] and not drift["differing"] \
        and drift["total"] == len(drift["unprepared_mailboxes"])


def test_c17_consumer_lags_then_catches_up_with_zero_drift_on_every_replica(faults):
    stack = faults.stack
    consumer = stack.ldap.index(stack.consumer)
    os.kill(stack.ldap_procs[consumer].pid, signal.SIGSTOP)  # the consumer falls behind (alive, silent)
    try:
        faults.run("d.onboard('C17', 12)")
        assert faults.run("d.wait_applied()")["failed"] == 0  # applied and verified on the providers
        providers = [c.url for c in stack.providers]
        drift = faults.run(f"d.reconcile_each({providers!r})")
        assert all(entries_match(d) for d in drift.values()), drift
        # the mailboxes' stores wait: Dovecot looks people up on the consumer, which is behind (C-12's
        # "being prepared"); they are created once it catches up (assert_zero_drift_everywhere waits)
        assert all(len(d["unprepared_mailboxes"]) == 12 for d in drift.values()), drift
        sql = faults.run("d.people_in_sql('C17')")
        assert sql["count"] == 12
    finally:
        os.kill(stack.ldap_procs[consumer].pid, signal.SIGCONT)
    # while it was behind, reconcile against the consumer would have said what is missing; now it
    # catches up by itself (refreshAndPersist) and every replica equals SQL
    waited = stack.wait_replicated(timeout=60)
    drift = faults.assert_zero_drift_everywhere()
    assert set(drift) == set(faults.urls)
    print(f"C-17: consumer caught up {waited:.2f} s after it was resumed")


def test_c17_a_lagging_consumer_is_reported_by_reconcile_and_catches_up(faults):
    from scripts.dev import ldap_testing, slapd

    stack = faults.stack
    c = stack.consumer
    stanzas = [line.split(": ", 1)[1] for line in slapd.replication_ldif(c).splitlines()
               if line.startswith("olcSyncrepl: ")]
    ldap_testing.set_config(c, "olcDatabase={1}mdb,cn=config", "olcSyncrepl", [])  # replication held back
    try:
        faults.run("d.onboard('C17B', 5)")
        faults.run("d.wait_applied()")
        drift = faults.run(f"d.reconcile_each({[c.url]!r})")[c.url]
        assert drift["total"] == 5 and len(drift["missing"]) == 5, drift  # the lag, seen by reconcile
        providers = [p.url for p in stack.providers]
        assert all(entries_match(d) for d in faults.run(f"d.reconcile_each({providers!r})").values())
    finally:
        ldap_testing.set_config(c, "olcDatabase={1}mdb,cn=config", "olcSyncrepl", stanzas)
    faults.assert_zero_drift_everywhere()
