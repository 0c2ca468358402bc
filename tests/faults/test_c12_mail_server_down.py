"""C-12: the mail server (Dovecot: IMAP and LMTP) is down while mailboxes are provisioned. The
directory gets the mail attributes at once (the outbox does not wait for the mail server); the
store (created by the welcome message over LMTP) stays pending and is retried; the person and HR
see "mailbox being prepared"; reconcile lists each such address on every replica. When Dovecot
returns, the retry creates the stores, IMAP login works, the state clears, reconcile is clean."""

from __future__ import annotations

import imaplib

import pytest

pytestmark = pytest.mark.faults

PASSWORD = "Mot mat khau du dai 2026!"  # ASCII: imaplib sends LOGIN arguments as ASCII


def test_c12_mail_server_down_mailbox_pending_and_retried_then_created(faults):
    stack = faults.stack
    stack.mail_stop()
    try:
        faults.run("d.onboard('C12', 3)")  # active, a mailbox by the unit's policy
        faults.run("d.wait_applied()")
        tried = faults.run("d.wait_store_attempted('C12', 2)")  # the task's try and a retry, both refused
        assert len(tried) == 3 and {r["status"] for r in tried} == {"pending"}, tried
        assert all("Connection refused" in r["last_error"] or "ConnectionRefused" in r["last_error"]
                   for r in tried), tried
        stack.wait_replicated(timeout=60)
        boxes = faults.run(f"d.mailboxes_of('C12', {faults.urls!r})")
        for box in boxes:  # the directory has the mail attributes on every server; the store is not there
            assert all(v == [box["mail"], True] for v in box["directory"].values()), box
            assert box["being_prepared"] and box["store"] == "pending", box
        drift = faults.run(f"d.reconcile_each({faults.urls!r})")
        for url, d in drift.items():
            assert sorted(d["unprepared_mailboxes"]) == sorted(b["mail"] for b in boxes), (url, d)
            assert d["total"] == 3, (url, d)
        uid = faults.run(f"d.set_password('C12', {PASSWORD!r})")
    finally:
        stack.mail_start()
    faults.run("d.wait_stores(120)")  # the retry (or the sweeper) delivered the welcome messages
    boxes = faults.run(f"d.mailboxes_of('C12', {faults.urls!r})")
    assert all(b["store"] == "created" and not b["being_prepared"] for b in boxes), boxes
    mail = next(b["mail"] for b in boxes if b["uid"] == uid)
    stack.wait_replicated(timeout=60)  # Dovecot reads the consumer: the password must have reached it
    m = imaplib.IMAP4("127.0.0.1", stack.dovecot.imap_port)
    m.login(mail, PASSWORD)
    m.select("INBOX")
    _typ, found = m.search(None, '(SUBJECT "Your official mailbox is ready")')
    assert len(found[0].split()) == 1, found  # one welcome message: the store was created once
    m.logout()
    faults.assert_zero_drift_everywhere()
