"""The test-suite's own LDAP helpers: the wipe between tests leaves no entry idm wrote behind."""

from __future__ import annotations

import pytest

from directory import config, gateway
from directory.entries import PersonEntry
from scripts.dev import ldap_testing as testing
from scripts.dev import slapd

pytestmark = pytest.mark.django_db


def test_wipe_also_removes_functional_mailboxes(slapd_config):
    gateway.person_put(PersonEntry(uid="vanthu1", family_name="Lê", given_name="Văn Thư", status="active"))
    gateway.functional_put(address="vanthu@soyte.quangtri.gov.vn", name="Văn thư Sở Y tế", quota_kib=1024,
                           enabled=True, delegate_uids=["vanthu1"])
    mailbox = gateway.functional_dn("vanthu@soyte.quangtri.gov.vn")
    assert gateway.read(mailbox, ["cn"]) is not None

    testing.wipe(slapd_config)

    assert gateway.read(mailbox, ["cn"]) is None
    assert gateway.group_get("delegates-vanthu@soyte.quangtri.gov.vn") is None
    assert gateway.people_uids() == set()
    # the branches themselves stay, ready for the next test
    assert gateway.read(config.current().mailboxes_dn, ["1.1"]) is not None


def test_the_development_slapd_creates_every_branch_the_gateway_uses():
    # the top-level containers, and the branches nested in them (applications under services)
    assert {rdn.split(",")[-1].removeprefix("ou=") for rdn in config.BRANCHES.values()} <= set(slapd.CONTAINERS)
    base = slapd.base_ldif(slapd.SlapdConfig(directory="/nonexistent", port=1))
    for rdn in config.BRANCHES.values():
        assert f"dn: {rdn},dc=quangtri,dc=gov,dc=vn" in base
