"""A provisioned mailbox is a real mailbox: Dovecot reads what idm wrote to the directory."""

from __future__ import annotations

import imaplib
import smtplib
from email.message import EmailMessage

import pytest
import redis

from directory import gateway
from directory.passwords import hash_password
from provisioning.outbox.services import directory_changes_drain
from provisioning.people.models import PersonStatus
from provisioning.people.services import person_set_status, person_transfer
from tests import factories

pytestmark = pytest.mark.django_db


def deliver(cfg, to: str, body: str = "Xin chào, đây là thư thử nghiệm.") -> dict:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "vanthu@quangtri.gov.vn", to, "Thư công vụ"
    msg.set_content(body)
    with smtplib.LMTP(cfg.host, cfg.lmtp_port) as lmtp:
        return lmtp.send_message(msg, to_addrs=[to])


def imap_login(cfg, user: str, password: str):
    m = imaplib.IMAP4(cfg.host, cfg.imap_port)
    try:
        m.login(user, password)
        return m
    except imaplib.IMAP4.error:
        m.logout()
        return None


@pytest.fixture
def units():
    p = factories.province()
    return {"stc": factories.unit(p, "000.00.03.H45", "Sở Tài chính"),
            "syt": factories.unit(p, "000.00.05.H45", "Sở Y tế", mail_domain="syt.quangtri.gov.vn")}


def test_a_provisioned_mailbox_takes_delivery_and_opens_with_the_directory_password(dovecot, units):
    hoang = factories.person(units["stc"])
    assert deliver(dovecot, hoang.mail) == {}
    m = imap_login(dovecot, hoang.mail, factories.PASSWORD)
    assert m is not None
    typ, data = m.select("INBOX")
    assert typ == "OK" and data[0] == b"1"
    m.logout()
    assert imap_login(dovecot, "hoangnt", factories.PASSWORD) is not None  # the uid works too
    assert imap_login(dovecot, hoang.mail, "wrong password for sure") is None


def test_an_alias_delivers_to_its_owner(dovecot, units):
    hoang = factories.person(units["stc"])
    old = hoang.mail
    person_transfer(actor=None, person=hoang, unit=units["syt"])  # the old address becomes an alias
    directory_changes_drain()
    assert deliver(dovecot, old) == {}
    m = imap_login(dovecot, "hoangnt@syt.quangtri.gov.vn", factories.PASSWORD)
    assert m.select("INBOX")[1][0] == b"1"
    m.logout()


def test_a_suspended_persons_mailbox_refuses_login_and_delivery(dovecot, units):
    hoang = factories.person(units["stc"])
    person_set_status(actor=None, person=hoang, status=PersonStatus.SUSPENDED)
    directory_changes_drain()
    assert imap_login(dovecot, hoang.mail, factories.PASSWORD) is None
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        deliver(dovecot, hoang.mail)
    person_set_status(actor=None, person=hoang, status=PersonStatus.ACTIVE)
    directory_changes_drain()
    assert imap_login(dovecot, hoang.mail, factories.PASSWORD) is not None


def test_a_staged_person_has_no_working_mailbox_yet(dovecot, units):
    p = factories.person(units["stc"], status=PersonStatus.STAGED)
    assert imap_login(dovecot, p.mail, factories.PASSWORD) is None


def test_a_password_change_takes_effect_at_imap_at_once(dovecot, units):
    hoang = factories.person(units["stc"])
    assert imap_login(dovecot, hoang.mail, factories.PASSWORD) is not None
    gateway.person_set_password_hash(hoang.uid, hash_password("mot mat khau moi rat dai"))
    assert imap_login(dovecot, hoang.mail, factories.PASSWORD) is None
    assert imap_login(dovecot, hoang.mail, "mot mat khau moi rat dai") is not None


def test_the_quota_in_the_directory_is_the_quota_dovecot_enforces(dovecot, units):
    from provisioning.people.directory import person_entry

    hoang = factories.person(units["stc"])
    entry = person_entry(hoang)
    entry.mail_quota_kib = 4
    gateway.person_put(entry)
    m = imap_login(dovecot, hoang.mail, factories.PASSWORD)
    typ, data = m.getquotaroot("INBOX")
    assert b"STORAGE 0 4" in data[1][0]
    m.logout()
    with pytest.raises(smtplib.SMTPDataError) as info:
        deliver(dovecot, hoang.mail, "x" * 8000)
    assert info.value.smtp_code == 552  # 5.2.2 mailbox full
    assert deliver(dovecot, hoang.mail, "ngắn") == {}  # a small message still fits


def test_login_and_storage_are_reported_to_redis_and_a_delivery_is_not_a_login(dovecot, units, redis_server):
    hoang = factories.person(units["stc"])
    r = redis.Redis.from_url(redis_server["url"])
    deliver(dovecot, hoang.mail)
    assert r.get(f"last-login/{hoang.mail}") is None  # a delivery does not make anyone a user
    assert int(r.get(f"{hoang.mail}/quota/messages")) == 1
    imap_login(dovecot, hoang.mail, factories.PASSWORD).logout()
    assert int(r.get(f"last-login/{hoang.mail}")) > 0
