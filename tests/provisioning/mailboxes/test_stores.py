"""A new mailbox's store is created on the mail server (a welcome message over LMTP) once its
directory entry is written; until then the person and HR see "mailbox being prepared" and
reconcile lists it (security-bar C-12; the fault itself, on the scaled stack, is
tests/faults/test_c12_mail_server_down.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.models import Role, RoleAssignment
from provisioning.audit.models import AuditEntry
from provisioning.mailboxes.models import MailboxStore
from provisioning.mailboxes.stores import mail_stores_create, mail_stores_sweep
from provisioning.outbox.services import directory_changes_drain
from provisioning.people.models import Person, PersonStatus
from provisioning.people.services import person_set_status, person_update
from provisioning.reconcile.services import compare
from provisioning.units.services import unit_update
from scripts.dev.slapd import free_port
from tests import factories
from tests.mail.test_dovecot import imap_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    p = factories.province()
    stc = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    unit_update(actor=None, unit=stc, mailbox_policy="none")
    return {"p": p, "stc": stc}


def maildir(dovecot, address: str) -> Path:
    local, _at, domain = address.partition("@")
    return Path(dovecot.directory) / "mail" / domain / local / "Maildir"


def test_an_issued_mailbox_is_prepared_while_the_mail_server_is_away_then_created(
        client, dovecot, units, settings):
    settings.IDM_MAIL_LMTP = f"127.0.0.1:{free_port()}"  # nothing listens there: the mail server is away
    hr = factories.person(units["stc"], "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=units["stc"])
    p = factories.person(units["stc"])
    assert not MailboxStore.objects.exists()  # the unit gives nobody a mailbox
    person_update(actor=None, person=p, mailbox_decision="issued")
    directory_changes_drain()  # the directory now says mailbox: the store is requested
    store = MailboxStore.objects.get(person=p)
    assert (store.address, store.status) == (p.mail, "pending")
    assert mail_stores_create(store_ids=[store.pk]) == [store.pk]  # refused connection: still pending
    store.refresh_from_db()
    assert store.attempts == 1 and "ConnectionRefusedError" in store.last_error
    assert compare().unprepared_mailboxes == [p.mail]

    client.post("/accounts/login/", {"username": hr.uid, "password": factories.PASSWORD})
    page = client.get(f"/people/{p.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "mailbox being prepared" in page
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": p.uid, "password": factories.PASSWORD})
    assert "hộp thư đang được chuẩn bị" in client.get("/me/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()

    settings.IDM_MAIL_LMTP = f"{dovecot.host}:{dovecot.lmtp_port}"  # the mail server is back
    MailboxStore.objects.filter(pk=store.pk).update(updated_at=store.updated_at.replace(year=2000))
    assert mail_stores_sweep() == 1  # what the beat task does: the store is sent again
    assert mail_stores_create(store_ids=[store.pk]) == []
    store.refresh_from_db()
    assert store.status == "created" and store.ready_at is not None and store.attempts == 2
    assert (maildir(dovecot, p.mail) / "new").is_dir()
    m = imap_login(dovecot, p.mail, factories.PASSWORD)
    m.select("INBOX")
    _typ, found = m.search(None, '(SUBJECT "Your official mailbox is ready")')
    assert len(found[0].split()) == 1  # the welcome message, in Vietnamese and English
    m.logout()
    assert compare().total == 0
    assert "mailbox being prepared" not in client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert AuditEntry.objects.filter(action="mailbox.store_created", target_id=str(p.pk)).count() == 1
    assert mail_stores_create(store_ids=[store.pk]) == []  # created once: a late retry delivers nothing


def test_without_a_configured_mail_server_there_is_no_store_step(dovecot, units, settings):
    settings.IDM_MAIL_LMTP = ""
    p = factories.person(units["stc"])
    person_update(actor=None, person=p, mailbox_decision="issued")
    directory_changes_drain()
    assert not MailboxStore.objects.exists()
    assert compare().total == 0
    assert imap_login(dovecot, p.mail, factories.PASSWORD) is not None  # Dovecot makes it on first use


def test_only_an_enabled_mailbox_gets_a_store(dovecot, units, settings):
    """A staged person (not activated yet) has an address but no delivery: the store waits for activation."""
    settings.IDM_MAIL_LMTP = f"{dovecot.host}:{dovecot.lmtp_port}"
    staged = factories.person(units["stc"], status=PersonStatus.STAGED, password=None)
    person_update(actor=None, person=staged, mailbox_decision="issued")
    directory_changes_drain()
    assert not MailboxStore.objects.exists()
    person_set_status(actor=None, person=Person.objects.get(pk=staged.pk), status=PersonStatus.ACTIVE)
    directory_changes_drain()
    store = MailboxStore.objects.get(person=staged)
    assert mail_stores_create(store_ids=[store.pk]) == []
    assert (maildir(dovecot, staged.mail) / "new").is_dir()
