"""A private Dovecot for the session, reading the session's slapd and writing to its Redis."""

from __future__ import annotations

import shutil
import tempfile

import pytest

from directory.slapd import free_port
from provisioning import mailserver


@pytest.fixture(scope="session")
def dovecot(ldap_server, redis_server):
    c = ldap_server.config
    cfg = mailserver.MailServerConfig(directory=tempfile.mkdtemp(prefix="idm-dovecot-"), imap_port=free_port(),
                                      lmtp_port=free_port(), ldap_url=c.url, base_dn=c.base_dn, bind_dn=c.mail_dn,
                                      bind_password=c.mail_password, redis_port=redis_server["port"])
    mailserver.prepare(cfg)
    proc = mailserver.start(cfg)
    yield cfg
    mailserver.stop(proc)
    shutil.rmtree(cfg.directory, ignore_errors=True)


@pytest.fixture(autouse=True)
def empty_mailboxes(dovecot):
    """Every test starts with no mail stored (the directory is wiped by the main conftest)."""
    from pathlib import Path

    for child in (Path(dovecot.directory) / "mail").iterdir():
        shutil.rmtree(child, ignore_errors=True)
    yield
