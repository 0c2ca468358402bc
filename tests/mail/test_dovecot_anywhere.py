"""Mail works wherever the checkout is: a checkout under /root (0700), or in any home folder Debian
creates 0700, is a folder the `dovecot` user that reads mail cannot enter."""

from __future__ import annotations

import imaplib
import os
import shutil
import smtplib
import tempfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from scripts.dev import dovecot as mailserver
from scripts.dev import slapd
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_checkout():
    """A folder like /root: mode 0700, owned by whoever runs the tests (root here)."""
    d = Path(tempfile.mkdtemp(prefix="idm-closed-home-"))
    d.chmod(0o700)
    yield d / "idm"
    shutil.rmtree(mailserver.relocated_directory(d / "idm" / "var" / "dovecot"), ignore_errors=True)
    shutil.rmtree(d, ignore_errors=True)


def start_instance(directory: Path, ldap_server, redis_server) -> tuple[mailserver.MailServerConfig, object]:
    c = ldap_server.config
    cfg = mailserver.MailServerConfig(directory=str(directory), imap_port=slapd.free_port(),
                                      lmtp_port=slapd.free_port(), ldap_url=c.url, base_dn=c.base_dn,
                                      bind_dn=c.mail_dn, bind_password=c.mail_password,
                                      redis_port=redis_server["port"])
    mailserver.prepare(cfg)
    return cfg, mailserver.start(cfg)


def deliver_and_read(cfg, person) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "vanthu@quangtri.gov.vn", person.mail, "Thư công vụ"
    msg.set_content("Xin chào, đây là thư thử nghiệm.")
    with smtplib.LMTP(cfg.host, cfg.lmtp_port) as lmtp:
        assert lmtp.send_message(msg, to_addrs=[person.mail]) == {}
    m = imaplib.IMAP4(cfg.host, cfg.imap_port)
    m.login(person.mail, factories.PASSWORD)
    assert m.select("INBOX")[1] == [b"1"]
    body = m.fetch(b"1", "(BODY[HEADER.FIELDS (SUBJECT)])")[1][0][1]
    m.logout()
    return body


def test_mail_is_delivered_and_read_from_a_checkout_in_a_folder_the_mail_user_cannot_enter(
        closed_checkout, ldap_server, redis_server):
    person = factories.person(factories.unit(factories.province(), "000.00.03.H45", "Sở Tài chính"))
    var_dovecot = closed_checkout / "var" / "dovecot"  # where `make run` puts it
    cfg, proc = start_instance(var_dovecot, ldap_server, redis_server)
    try:
        assert b"Subject:" in deliver_and_read(cfg, person)
        # the mail is still found where the README says: var/dovecot/mail/<domain>/<user>/Maildir
        domain, user = person.mail.split("@")[1], person.mail.split("@")[0]
        maildir = var_dovecot / "mail" / domain / user / "Maildir"
        assert len(list((maildir / "new").iterdir()) + list((maildir / "cur").iterdir())) == 1
    finally:
        mailserver.stop(proc)
    # a second start (the next `make run`) keeps the mailbox
    cfg, proc = start_instance(var_dovecot, ldap_server, redis_server)
    try:
        m = imaplib.IMAP4(cfg.host, cfg.imap_port)
        m.login(person.mail, factories.PASSWORD)
        assert m.select("INBOX")[1] == [b"1"]
        m.logout()
    finally:
        mailserver.stop(proc)
        mailserver.remove(cfg)
    assert not os.path.lexists(var_dovecot)


@pytest.mark.skipif(os.getuid() != 0, reason="only root runs mail processes as another user")
def test_a_name_taken_by_someone_else_under_var_tmp_is_refused(closed_checkout, ldap_server, redis_server):
    var_dovecot = closed_checkout / "var" / "dovecot"
    squatted = mailserver.relocated_directory(var_dovecot)
    squatted.mkdir(mode=0o777)
    os.chown(squatted, 65534, 65534)  # nobody got there first: it must not receive our LDAP password
    try:
        with pytest.raises(RuntimeError, match="not a folder owned by us"):
            mailserver.stop(start_instance(var_dovecot, ldap_server, redis_server)[1])  # stopped if it wrongly ran
        assert list(squatted.iterdir()) == []
    finally:
        shutil.rmtree(squatted, ignore_errors=True)
