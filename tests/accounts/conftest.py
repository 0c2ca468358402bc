"""PW-13 after every flow: once each test of accounts/ is done, every userPassword in the directory is
an approved slow hash — argon2id with m ≥ 19 MiB, t ≥ 2, p ≥ 1 — never {CLEARTEXT}, {SHA}, {SSHA},
{MD5}, {SMD5} or {CRYPT}. A test that seeds an old hash on purpose must also see it upgraded."""

from __future__ import annotations

import re

import pytest

from scripts.dev import ldap_testing as testing

APPROVED = re.compile(r"^\{ARGON2\}\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")


def weak_password_values(slapd_config) -> list[tuple[str, str]]:
    found = testing.dump(slapd_config, slapd_config.base_dn, attributes=["userPassword"])
    weak = []
    for dn, attrs in found.items():
        for value in attrs.get("userPassword", []):
            value = value.decode() if isinstance(value, bytes) else value
            m = APPROVED.match(value)
            if not m or int(m[1]) < 19456 or int(m[2]) < 2 or int(m[3]) < 1:
                weak.append((dn, value[:12]))
    return weak


@pytest.fixture(autouse=True)
def pw13_every_password_value_is_argon2id(request, ldap_server, slapd_config):
    yield
    if request.node.get_closest_marker("weak_hash_on_purpose") is None:
        ldap_server.ensure_running()  # a fault test may have left it stopped
        assert weak_password_values(slapd_config) == [], "PW-13: a password value is not argon2id"
