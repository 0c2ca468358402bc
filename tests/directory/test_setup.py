"""One configuration, three clients: ldap3, python-ldap and django-auth-ldap get the same URLs,
TLS checks and timeouts from directory/setup.py."""

from __future__ import annotations

import pytest

from directory import auth, config, setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def tls_settings(settings, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("not used: nothing connects in these tests\n")
    settings.IDM_LDAP_URL = "ldap://ldap1.quangtri.gov.vn:389 ldap://ldap2.quangtri.gov.vn:389"
    settings.IDM_LDAP_TLS = "starttls"
    settings.IDM_LDAP_CA_FILE = str(ca)
    settings.IDM_LDAP_CONNECT_TIMEOUT = 2
    settings.IDM_LDAP_RECEIVE_TIMEOUT = 7.5
    return settings


def test_several_urls_are_tried_in_order_by_every_client(tls_settings):
    cfg = config.current()
    assert cfg.urls == ("ldap://ldap1.quangtri.gov.vn:389", "ldap://ldap2.quangtri.gov.vn:389")
    assert [setup.ldap3_server(cfg, u).host for u in setup.ordered_urls(cfg)] == ["ldap1.quangtri.gov.vn",
                                                                                   "ldap2.quangtri.gov.vn"]
    assert setup.python_ldap_uri(cfg) == "ldap://ldap1.quangtri.gov.vn:389 ldap://ldap2.quangtri.gov.vn:389"
    assert auth.django_auth_ldap_settings()["SERVER_URI"] == setup.python_ldap_uri(cfg)


def test_tls_and_timeouts_are_the_same_for_ldap3_python_ldap_and_django_auth_ldap(tls_settings):
    cfg = config.current()
    server = setup.ldap3_server(cfg, cfg.url)
    assert server.tls.ca_certs_file == cfg.ca_file and server.connect_timeout == 2
    assert setup.ldap3_connection_kwargs(cfg)["receive_timeout"] == 8  # ldap3 wants whole seconds, rounded up
    options = setup.python_ldap_options(cfg)
    assert cfg.ca_file in options.values() and 2.0 in options.values() and 7.5 in options.values()
    login = auth.django_auth_ldap_settings()
    assert login["START_TLS"] is True
    assert login["CONNECTION_OPTIONS"] == options


def test_every_branch_dn_comes_from_the_base_dn(settings):
    cfg = config.current()
    for kind, dn in (("people", cfg.people_dn), ("mailboxes", cfg.mailboxes_dn), ("units", cfg.units_dn),
                     ("groups", cfg.groups_dn), ("services", cfg.services_dn)):
        assert dn == f"ou={kind},{settings.IDM_LDAP_BASE_DN}"
