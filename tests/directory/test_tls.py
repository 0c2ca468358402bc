"""LD-05: StartTLS and LDAPS verify the server against the configured CA; a wrong CA or a
server without TLS makes the connection fail instead of falling back to plain text."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from directory import bulk, connection, gateway
from directory.entries import PersonEntry
from directory.errors import DirectoryUnavailable
from scripts.dev import slapd

pytestmark = pytest.mark.django_db


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _make_ca(d: Path, name: str) -> tuple[Path, Path]:
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
             "-keyout", f"{name}.key", "-out", f"{name}.crt", cwd=d)
    return d / f"{name}.crt", d / f"{name}.key"


@pytest.fixture(scope="module")
def tls_slapd(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    ca_crt, ca_key = _make_ca(d, "test-ca")
    _make_ca(d, "other-ca")
    ext = d / "san.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key",
             "-out", "server.csr", cwd=d)
    _openssl("x509", "-req", "-in", "server.csr", "-CA", str(ca_crt), "-CAkey", str(ca_key), "-CAcreateserial",
             "-days", "2", "-extfile", str(ext), "-out", "server.crt", cwd=d)
    cfg = slapd.temporary(nosync=True, idm_password="tls-idm-password", root_password="tls-root-password",
                          tls_cert=str(d / "server.crt"), tls_key=str(d / "server.key"), tls_ca=str(ca_crt),
                          ldaps_port=slapd.free_port())
    slapd.prepare(cfg)
    proc = slapd.start(cfg)
    yield cfg, d
    slapd.stop(proc)
    shutil.rmtree(cfg.directory, ignore_errors=True)


@pytest.fixture
def use(settings):
    def configure(cfg, *, url, tls, ca):
        settings.IDM_LDAP_URL = url
        settings.IDM_LDAP_BIND_DN = cfg.idm_dn
        settings.IDM_LDAP_BIND_PASSWORD = cfg.idm_password
        settings.IDM_LDAP_TLS = tls
        settings.IDM_LDAP_CA_FILE = str(ca)
        connection.drop()

    yield configure
    connection.drop()


def _assert_bound_over_verified_tls(cfg) -> None:
    """The service connection runs over TLS whose peer certificate was verified against the
    configured CA (getpeercert() is empty unless it was), and the bind is the idm account's."""
    with connection.service() as conn:
        assert isinstance(conn.socket, ssl.SSLSocket), "the connection is not encrypted"
        issuer = dict(pair[0] for pair in conn.socket.getpeercert()["issuer"])
        assert issuer["commonName"] == "test-ca"
        assert conn.extend.standard.who_am_i() == f"dn:{cfg.idm_dn}"


def test_starttls_with_the_right_ca_works(tls_slapd, use):
    cfg, d = tls_slapd
    use(cfg, url=cfg.url, tls="starttls", ca=d / "test-ca.crt")
    gateway.ping()
    _assert_bound_over_verified_tls(cfg)
    with connection.service() as conn:
        assert conn.tls_started and not conn.server.ssl  # upgraded on the plain port, not LDAPS


def test_ldaps_with_the_right_ca_works(tls_slapd, use):
    cfg, d = tls_slapd
    use(cfg, url=cfg.ldaps_url, tls="ldaps", ca=d / "test-ca.crt")
    gateway.ping()
    _assert_bound_over_verified_tls(cfg)
    with connection.service() as conn:
        assert conn.server.ssl


def test_the_tls_assertion_fails_on_a_plain_connection(tls_slapd, use):
    """The check above can fail: on the same server without TLS it does."""
    cfg, d = tls_slapd
    use(cfg, url=cfg.url, tls="none", ca=d / "test-ca.crt")
    gateway.ping()
    with pytest.raises(AssertionError, match="not encrypted"):
        _assert_bound_over_verified_tls(cfg)


@pytest.mark.parametrize("mode", ["starttls", "ldaps"])
def test_a_certificate_from_another_ca_is_refused(tls_slapd, use, mode):
    cfg, d = tls_slapd
    use(cfg, url=cfg.ldaps_url if mode == "ldaps" else cfg.url, tls=mode, ca=d / "other-ca.crt")
    with pytest.raises(DirectoryUnavailable):
        gateway.ping()


def test_a_server_without_tls_is_refused_when_starttls_is_required(use, slapd_config, tls_slapd):
    _, d = tls_slapd
    use(slapd_config, url=slapd_config.url, tls="starttls", ca=d / "test-ca.crt")
    with pytest.raises(DirectoryUnavailable):
        gateway.ping()


@pytest.mark.parametrize("mode", ["starttls", "ldaps"])
def test_the_bulk_path_checks_the_certificate_the_same_way(tls_slapd, use, mode):
    cfg, d = tls_slapd
    url = cfg.ldaps_url if mode == "ldaps" else cfg.url
    person = PersonEntry(uid=f"tls{mode}", family_name="Lê", given_name="An", status="active")
    use(cfg, url=url, tls=mode, ca=d / "other-ca.crt")
    with pytest.raises(DirectoryUnavailable):
        bulk.people_add_pipelined([person])
    use(cfg, url=url, tls=mode, ca=d / "test-ca.crt")
    existing, failed = bulk.people_add_pipelined([person])
    assert failed == {}
    gateway.person_delete(person.uid)
