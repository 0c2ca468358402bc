"""The directory's access rules, exercised with each kind of account against the real slapd."""

from __future__ import annotations

import datetime as dt

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


# ---- other government systems' accounts (provisioning/applications) ----

SECRET = "mot bi mat cua ung dung rat dai 2026"
ALLOWED_PERSON_ATTRS = {"objectClass", "uid", "cn", "sn", "givenName", "vnMiddleName", "displayName", "employeeNumber",
                        "employeeType", "title", "departmentNumber", "vnOrgUnitCode", "vnAccountStatus", "mail",
                        "mailAlias", "memberOf", "preferredLanguage"}
# what a person's entry may hold besides idm's attributes: personal data another tool (or an older
# idm) might have put there; an application must see none of it
PERSONAL = {"mobile": ["0912345678"], "homePhone": ["02333123456"], "telephoneNumber": ["02333999999"],
            "homePostalAddress": ["12 Lê Lợi, Đông Hà"], "carLicense": ["074 1985 001234"], "roomNumber": ["204"]}


@pytest.fixture
def province(slapd_config):
    """P > SYT > BV (a hospital of the health department) and P > STC (finance): an application of
    SYT sees SYT and BV, not P or STC."""
    for path, name in ((["P"], "Tỉnh"), (["P", "SYT"], "Sở Y tế"), (["P", "SYT", "BV"], "Bệnh viện tỉnh"),
                       (["P", "STC"], "Sở Tài chính")):
        gateway.unit_put(UnitEntry(code=path[-1], name=name, parent_code=path[-2] if len(path) > 1 else None), path)
    for uid, code in (("annv", "BV"), ("binhtt", "SYT"), ("chilt", "STC"), ("dungpv", "P")):
        gateway.person_put(PersonEntry(uid=uid, family_name="Nguyễn", given_name=uid, unit_code=code, status="active",
                                       employee_code=uid.upper(), position="Chuyên viên",
                                       mail=f"{uid}@quangtri.gov.vn", mail_enabled=True, mail_quota_kib=1024))
        gateway.person_set_password_hash(uid, hash_password(PW))
        for attr, values in PERSONAL.items():
            assert testing.modify_as(slapd_config, slapd_config.root_dn, slapd_config.root_password,
                                     gateway.person_dn(uid), attr, values) == 0
    gateway.mail_list_put("list-SYT", description="Sở Y tế", address="syt@quangtri.gov.vn", aliases=[],
                          member_uids=["annv", "binhtt"], unit_code="SYT")
    gateway.mail_list_put("list-STC", description="Sở Tài chính", address="stc@quangtri.gov.vn", aliases=[],
                          member_uids=["chilt"], unit_code="STC")
    gateway.mail_list_put("list-P", description="Tỉnh", address="tinh@quangtri.gov.vn", aliases=[],
                          member_uids=["annv", "binhtt", "chilt", "dungpv"], unit_code="P")
    gateway.application_put(name="ioffice-syt", description="iOffice Sở Y tế", scope_dn=gateway.unit_dn(["P", "SYT"]),
                            password_hash=hash_password(SECRET))
    return gateway.application_dn("ioffice-syt")


def test_an_application_reads_the_people_units_and_groups_of_its_subtree_only(slapd_config, province):
    c, app = slapd_config, province
    bound, people = testing.search_as(c, app, SECRET, f"ou=people,{c.base_dn}", "(objectClass=*)", ["*", "+"])
    assert bound and sorted(a["uid"][0] for _, a in people) == ["annv", "binhtt"]
    _, units = testing.search_as(c, app, SECRET, f"ou=units,{c.base_dn}", "(objectClass=*)")
    assert sorted(a["vnOrgUnitCode"][0] for _, a in units) == ["BV", "SYT"]
    _, groups = testing.search_as(c, app, SECRET, f"ou=groups,{c.base_dn}", "(objectClass=*)", ["*"])
    assert [a["cn"][0] for _, a in groups] == ["list-SYT"]
    assert "member" not in groups[0][1]  # members are read from people's memberOf, in scope only
    for outside in ("(uid=chilt)", "(uid=dungpv)", "(vnOrgUnitCode=STC)"):
        assert testing.search_as(c, app, SECRET, c.base_dn, outside)[1] == []


def test_an_application_never_reads_a_hash_or_personal_data(slapd_config, province):
    c, app = slapd_config, province
    _, people = testing.search_as(c, app, SECRET, f"ou=people,{c.base_dn}", "(uid=annv)", ["*", "+", *PERSONAL,
                                                                                          "userPassword"])
    assert len(people) == 1
    shown = {k for k, v in people[0][1].items() if v}  # (ldap3 lists a requested attribute it did not get as [])
    assert shown <= ALLOWED_PERSON_ATTRS, shown - ALLOWED_PERSON_ATTRS
    assert people[0][1]["title"] == ["Chuyên viên"] and people[0][1]["vnOrgUnitCode"] == ["BV"]
    # not even by asking whether a value is there (a filter on a hidden attribute matches nothing)
    for probe in ("(mobile=0912345678)", "(homePhone=*)", "(userPassword=*)", "(mailQuota=1024)"):
        assert testing.search_as(c, app, SECRET, f"ou=people,{c.base_dn}", probe)[1] == [], probe


def test_an_application_sees_nothing_else_and_writes_nothing(slapd_config, province):
    c, app = slapd_config, province
    for base in (c.base_dn, f"ou=services,{c.base_dn}", f"ou=policies,{c.base_dn}", f"ou=mailboxes,{c.base_dn}"):
        entries = testing.search_as(c, app, SECRET, base)[1]
        assert [d for d, _ in entries if d.lower() != app.lower()] == [], base  # its own entry only
    for dn, attr in ((gateway.person_dn("annv"), "title"), (gateway.unit_dn(["P", "SYT"]), "description"),
                     (app, "seeAlso"), (app, "userPassword")):
        assert testing.modify_as(c, app, SECRET, dn, attr, [c.base_dn]) == 50, (dn, attr)
    own = testing.search_as(c, app, SECRET, app, "(objectClass=*)", ["userPassword"])[1]
    assert own and not own[0][1].get("userPassword")


def test_an_application_checks_a_password_by_binding_as_the_person(slapd_config, province):
    c = slapd_config
    assert testing.bind_result(c, gateway.person_dn("annv"), PW) == 0
    assert testing.bind_result(c, gateway.person_dn("annv"), PW + "x") == 49


def test_people_and_the_mail_server_do_not_see_application_accounts(slapd_config, province):
    c, app = slapd_config, province
    for who, password in ((gateway.person_dn("annv"), PW), (c.mail_dn, c.mail_password)):
        bound, entries = testing.search_as(c, who, password, f"ou=services,{c.base_dn}")
        assert bound and [d for d, _ in entries if d.lower() == app.lower()] == []


def test_idm_manages_application_accounts_and_sees_when_they_last_bound(slapd_config, province):
    c, app = slapd_config, province
    assert gateway.applications_last_bound() == {"ioffice-syt": None}
    assert testing.bind_result(c, app, SECRET) == 0
    when = gateway.applications_last_bound()["ioffice-syt"]
    assert when is not None and abs((dt.datetime.now(dt.UTC) - when).total_seconds()) < 120
    gateway.application_put(name="ioffice-syt", description="iOffice", scope_dn=gateway.unit_dn(["P"]),
                            password_hash=hash_password("bi mat moi cua ung dung 2026"))
    assert testing.bind_result(c, app, SECRET) == 49
    assert gateway.application_scope("ioffice-syt").lower() == gateway.unit_dn(["P"]).lower()
    assert gateway.application_delete("ioffice-syt") is True
    assert testing.bind_result(c, app, "bi mat moi cua ung dung 2026") == 49
    # and nothing else under services
    assert testing.modify_as(c, c.idm_dn, c.idm_password, c.idm_dn, "description", ["x"]) == 50
