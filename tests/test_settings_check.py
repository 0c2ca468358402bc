"""`manage.py check` refuses broken directory settings before the first request."""

from __future__ import annotations

import pytest

from directory.checks import check_directory_settings


def ids(settings):
    return {e.id for e in check_directory_settings()}


def test_the_test_settings_pass(settings):
    assert {i for i in ids(settings) if i.startswith("directory.E")} == set()


@pytest.mark.parametrize("changes,expected", [
    ({"IDM_LDAP_URL": "http://127.0.0.1:3389"}, "directory.E001"),
    ({"IDM_LDAP_URL": "ldap://127.0.0.1:3389 http://127.0.0.1:3390"}, "directory.E001"),
    ({"IDM_LDAP_URL": ""}, "directory.E001"),
    ({"IDM_LDAP_URL": "ldap://127.0.0.1:3389 ldap://ldap2.quangtri.gov.vn:389", "IDM_LDAP_TLS": "none"},
     "directory.E005"),
    ({"IDM_LDAP_TLS": "maybe"}, "directory.E002"),
    ({"IDM_LDAP_URL": "ldaps://127.0.0.1:636", "IDM_LDAP_TLS": "none"}, "directory.E003"),
    ({"IDM_LDAP_TLS": "starttls", "IDM_LDAP_CA_FILE": "/nonexistent/ca.pem"}, "directory.E004"),
    ({"IDM_LDAP_URL": "ldap://ldap.quangtri.gov.vn:389", "IDM_LDAP_TLS": "none"}, "directory.E005"),
    ({"IDM_LDAP_BASE_DN": "quangtri"}, "directory.E006"),
    ({"IDM_LDAP_BIND_DN": "cn=admin,dc=other,dc=vn"}, "directory.E007"),
    ({"IDM_LDAP_BIND_DN": "uid=hoangnt,ou=people,dc=quangtri,dc=gov,dc=vn"}, "directory.E008"),
    ({"IDM_LDAP_BIND_PASSWORD": ""}, "directory.E009"),
    ({"IDM_LDAP_CONNECT_TIMEOUT": 60}, "directory.E010"),
    ({"IDM_LDAP_RECEIVE_TIMEOUT": 0}, "directory.E011"),
])
def test_broken_directory_settings_are_reported(settings, changes, expected):
    settings.IDM_LDAP_BASE_DN = "dc=quangtri,dc=gov,dc=vn"
    settings.IDM_LDAP_BIND_DN = "cn=idm,ou=services,dc=quangtri,dc=gov,dc=vn"
    for k, v in changes.items():
        setattr(settings, k, v)
    assert expected in ids(settings)


def test_bind_password_never_appears_in_the_config_repr(settings):
    from directory import config

    assert settings.IDM_LDAP_BIND_PASSWORD not in repr(config.current())
