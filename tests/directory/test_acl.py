"""The directory's access rules, exercised with each kind of account against the real slapd."""

from __future__ import annotations

import pytest

from directory import gateway
from directory.entries import GroupEntry, PersonEntry, UnitEntry
from directory.passwords import hash_password
from scripts.dev import ldap_testing as testing

pytestmark = pytest.mark.django_db
PW = "mat khau rat dai cua nguoi dung"
REFUSED = (50, 53)  # insufficient access, unwilling to perform


@pytest.fixture
def people(slapd_config):
    for uid, given in (("hoangnt", "Hoàng"), ("annv", "An")):
        gateway.person_put(PersonEntry(uid=uid, family_name="Nguyễn", middle_name="Văn", given_name=given,
                                       employee_code=uid.upper(), status="active", position="Chuyên viên",
                                       mail=f"{uid}@quangtri.gov.vn", mail_enabled=True, mail_quota_kib=1048576))
        gateway.person_set_password_hash(uid, hash_password(PW))
    return {uid: gateway.person_dn(uid) for uid in ("hoangnt", "annv")}


def test_anonymous_reads_nothing(slapd_config, people):
    bound, entries = testing.search_as(slapd_config, None, None, slapd_config.base_dn)
    assert entries == []
    assert not bound  # anonymous bind itself is disallowed


def test_unauthenticated_bind_with_an_empty_password_is_refused(slapd_config, people):
    assert testing.cli_bind_result(slapd_config, people["hoangnt"], "") == 53  # unwilling to perform
    assert testing.cli_bind_result(slapd_config, people["hoangnt"], PW) == 0


@pytest.mark.parametrize("new", ["aaaaaaaaaaaaaaaa", "quangtri2026quangtri", "mot mat khau moi that dai"])
def test_issue15_a_person_cannot_write_any_password_straight_to_slapd(slapd_config, people, new):
    """Issue 15: ldappasswd as oneself skipped the web policy. Now every password change goes through
    idm (which proves the current password by binding as the person, then writes as cn=idm)."""
    me, other = people["hoangnt"], people["annv"]
    assert testing.password_modify_as(slapd_config, me, PW, other, None, new) == 50
    # refused twice over: ppolicy's pwdAllowUserChange FALSE (53) and the access rule (50)
    assert testing.password_modify_as(slapd_config, me, PW, me, PW, new) in REFUSED
    assert testing.modify_as(slapd_config, me, PW, me, "userPassword", [new]) in REFUSED
    assert testing.bind_result(slapd_config, me, PW) == 0 and testing.bind_result(slapd_config, me, new) == 49
    assert testing.bind_result(slapd_config, other, PW) == 0
    # and nothing else of their own entry
    assert testing.modify_as(slapd_config, me, PW, me, "title", ["Giám đốc"]) == 50


def test_issue15_ldappasswd_as_oneself_is_refused(slapd_config, people):
    """The command line of the report, against the running slapd."""
    import subprocess

    me = people["hoangnt"]
    for new, old in (("aaaaaaaaaaaaaaaa", ["-a", PW]), ("quangtri2026quangtri", [])):
        p = subprocess.run(["ldappasswd", "-x", "-H", slapd_config.url, "-D", me, "-w", PW, *old, "-s", new],
                           capture_output=True, text=True, timeout=15)
        assert p.returncode != 0 and ("(50)" in p.stdout + p.stderr or "(53)" in p.stdout + p.stderr), p.stdout
        assert testing.bind_result(slapd_config, me, new) == 49
    assert testing.bind_result(slapd_config, me, PW) == 0


def test_people_never_read_password_hashes(slapd_config, people):
    _, entries = testing.search_as(slapd_config, people["hoangnt"], PW, people["annv"], attributes=["*"])
    assert entries and not entries[0][1].get("userPassword")
    assert entries[0][1]["cn"] == ["Nguyễn Văn An"]  # the address book is readable


def test_service_account_writes_people_units_groups_but_not_the_rest(slapd_config, people):
    c = slapd_config
    gateway.unit_put(UnitEntry(code="P", name="Tỉnh"), ["P"])
    gateway.group_put(GroupEntry(name="g", member_uids=["hoangnt"]))
    # not the rootdn: it cannot touch services, policies, the base entry or cn=config
    for dn in (c.mail_dn, f"cn=default,ou=policies,{c.base_dn}", c.base_dn):
        assert testing.modify_as(c, c.idm_dn, c.idm_password, dn, "description", ["x"]) == 50
    assert testing.bind_result(c, c.idm_dn, c.idm_password) == 0
    bound, entries = testing.search_as(c, c.idm_dn, c.idm_password, f"ou=services,{c.base_dn}")
    assert bound and [d for d, _ in entries if d.lower() == c.mail_dn.lower()] == []
    # it may set a password (activation, reset) but never read one back
    _, entries = testing.search_as(c, c.idm_dn, c.idm_password, people["annv"], attributes=["userPassword"])
    assert entries and not entries[0][1].get("userPassword")


def test_mail_server_reads_mail_attributes_only(slapd_config, people):
    c = slapd_config
    bound, entries = testing.search_as(c, c.mail_dn, c.mail_password, f"ou=people,{c.base_dn}", "(uid=hoangnt)")
    assert bound and len(entries) == 1
    attrs = entries[0][1]
    assert attrs["mail"] == ["hoangnt@quangtri.gov.vn"] and attrs["mailQuota"] == ["1048576"]
    for hidden in ("cn", "sn", "title", "employeeNumber", "userPassword", "vnMiddleName"):
        assert not attrs.get(hidden), hidden
    assert testing.modify_as(c, c.mail_dn, c.mail_password, people["hoangnt"], "mail", ["x@evil.test"]) == 50
    _, units = testing.search_as(c, c.mail_dn, c.mail_password, f"ou=units,{c.base_dn}")
    assert units == []


def test_the_policy_has_no_expiry_and_no_server_lockout(slapd_config):
    policy = testing.dump(slapd_config, f"cn=default,ou=policies,{slapd_config.base_dn}")
    attrs = next(iter(policy.values()))
    assert "pwdMaxAge" not in attrs  # PW-09: no periodic expiry
    assert attrs["pwdLockout"] == ["FALSE"]  # AU-02: lockout cannot be used against staff
    assert attrs["pwdMinLength"] == ["15"]
    assert attrs["pwdAllowUserChange"] == ["FALSE"]  # issue 15: changes go through idm
