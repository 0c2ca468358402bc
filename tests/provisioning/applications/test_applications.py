"""Other government systems reading the directory (issue 9): the superadmin registers an application,
idm gives it a bind account scoped to one unit's subtree, and the application, played here with
plain ldap3 as iOffice would use it, logs staff in and reads the unit tree, and nothing more."""

from __future__ import annotations

import re

import ldap3  # noqa: TID251 (this test is another system: it speaks LDAP itself, not through idm)
import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import User
from directory import gateway
from provisioning.applications.models import Application
from provisioning.applications.selectors import applications_with_last_bind
from provisioning.applications.services import application_register, application_revoke, application_rotate
from provisioning.audit.models import AuditEntry
from provisioning.mailboxes.services import unit_set_list
from provisioning.outbox.models import DirectoryChange
from provisioning.outbox.services import directory_changes_drain
from provisioning.units.services import unit_update
from tests import factories

pytestmark = pytest.mark.django_db
ADMIN_PASSWORD = "a local bootstrap password"
PERSONAL = {"mobile": "0912345678", "homePhone": "02333123456", "homePostalAddress": "12 Lê Lợi, Đông Hà"}


@pytest.fixture
def province(slapd_config):
    """The health department (with its hospital below it) and the finance department; a person in each."""
    from scripts.dev import ldap_testing as testing

    p = factories.province()
    syt = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    bv = factories.unit(syt, "000.05.01.H45", "Bệnh viện đa khoa tỉnh")
    stc = factories.unit(p, "000.00.07.H45", "Sở Tài chính")
    an = factories.person(bv, "Nguyễn", "Văn", "An", position="Bác sĩ")
    binh = factories.person(syt, "Trần", "Thị", "Bình")
    chi = factories.person(stc, "Lê", "Thị", "Chi")
    unit_set_list(actor=None, unit=syt, local_part="syt")
    unit_set_list(actor=None, unit=stc, local_part="stc")
    directory_changes_drain()
    for person in (an, binh, chi):  # personal data someone else put in the directory
        for attr, value in PERSONAL.items():
            testing.modify_as(slapd_config, slapd_config.root_dn, slapd_config.root_password,
                              gateway.person_dn(person.uid), attr, [value])
    User.objects.create_superuser("superadmin", password=ADMIN_PASSWORD, source=User.Source.LOCAL)
    return {"p": p, "syt": syt, "bv": bv, "stc": stc, "an": an, "binh": binh, "chi": chi}


def superadmin() -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": "superadmin", "password": ADMIN_PASSWORD}).status_code == 302
    return client


def secret_on(page: str) -> str:
    found = re.findall(r"<code data-secret>([^<]+)</code>", page)
    assert len(found) == 1
    return found[0]


class App:
    """What iOffice does with its LDAP settings: one connection bound as its account."""

    def __init__(self, slapd_config, bind_dn: str, secret: str):
        self.c = slapd_config
        self.server = ldap3.Server("127.0.0.1", port=slapd_config.port, get_info=ldap3.NONE)
        self.conn = ldap3.Connection(self.server, user=bind_dn, password=secret, raise_exceptions=False)

    def bind(self) -> bool:
        return self.conn.bind()

    def search(self, base: str, filt: str, attributes=("*",)) -> list[tuple[str, dict]]:
        self.conn.search(base, filt, search_scope=ldap3.SUBTREE, attributes=list(attributes))
        return [(r["dn"], {k: v for k, v in r["attributes"].items() if v not in ([], None)})
                for r in self.conn.response or [] if r.get("type") == "searchResEntry"]

    def person_password_ok(self, dn: str, password: str) -> bool:
        """Log a member of staff in: bind as them on a second connection (the password never leaves slapd)."""
        as_person = ldap3.Connection(self.server, user=dn, password=password, raise_exceptions=False)
        try:
            return as_person.bind()
        finally:
            as_person.unbind()


def test_an_application_registered_by_the_superadmin_logs_staff_in_and_reads_its_subtree_only(province,
                                                                                             slapd_config):
    c = slapd_config
    r = superadmin().post("/applications/", {"name": "iOffice Sở Y tế", "account": "ioffice-syt",
                                             "unit": province["syt"].pk, "contact": "Trung tâm CNTT, 0233 3 555 555"},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    secret = secret_on(r.content.decode())
    bind_dn = f"cn=ioffice-syt,ou=applications,ou=services,{c.base_dn}"
    assert bind_dn in r.content.decode()
    app = Application.objects.get()
    assert secret not in app.secret_hash and app.secret_hash.startswith("{ARGON2}$argon2id$")
    directory_changes_drain()

    ioffice = App(c, bind_dn, secret)
    assert ioffice.bind()
    people = f"ou=people,{c.base_dn}"
    # a member of staff types their user name and password into iOffice
    found = ioffice.search(people, f"(uid={province['an'].uid})", ["*", "+", *PERSONAL, "userPassword"])
    assert len(found) == 1
    dn, attrs = found[0]
    assert attrs["cn"] == ["Nguyễn Văn An"] and attrs["title"] == ["Bác sĩ"]
    assert attrs["mail"] == [province["an"].mail]
    assert not set(attrs) & {*PERSONAL, "userPassword", "mailQuota", "pwdChangedTime", "authTimestamp"}, attrs
    assert ioffice.person_password_ok(dn, factories.PASSWORD)
    assert not ioffice.person_password_ok(dn, factories.PASSWORD + "!")
    # their unit, and the groups they belong to
    units = ioffice.search(f"ou=units,{c.base_dn}", f"(vnOrgUnitCode={attrs['vnOrgUnitCode'][0]})")
    assert [u["vnUnitName"] for _, u in units] == [["Bệnh viện đa khoa tỉnh"]]
    readable_groups = [g for group_dn in attrs["memberOf"] for g in ioffice.search(group_dn, "(objectClass=*)")]
    assert [g["cn"] for _, g in readable_groups] == [["list-000.00.05.H45"]]
    # the unit tree below its unit, and the members of the department's list
    tree = ioffice.search(f"ou=units,{c.base_dn}", "(objectClass=vnOrgUnit)")
    assert sorted(u["vnOrgUnitCode"][0] for _, u in tree) == ["000.00.05.H45", "000.05.01.H45"]
    members = ioffice.search(people, f"(memberOf={readable_groups[0][0]})", ["uid"])
    assert sorted(m["uid"][0] for _, m in members) == sorted([province["an"].uid, province["binh"].uid])
    # outside its subtree it sees nothing: not the finance department, its people or its list
    assert ioffice.search(people, f"(uid={province['chi'].uid})") == []
    assert ioffice.search(c.base_dn, "(vnOrgUnitCode=000.00.07.H45)") == []
    assert ioffice.search(f"ou=groups,{c.base_dn}", "(cn=list-000.00.07.H45)") == []
    assert ioffice.search(c.base_dn, "(objectClass=*)", ["1.1"]) == []  # not even the base entry
    # the superadmin's list says when it last bound
    page = superadmin().get("/applications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "iOffice Sở Y tế" in page
    assert re.search(r'data-label="Last bind">\d\d/\d\d/\d{4} \d\d:\d\d</td>', page)
    assert secret not in page


def test_after_a_rotation_the_old_secret_no_longer_binds_and_after_revocation_none_does(province, slapd_config):
    app, first = application_register(actor=None, name="Một cửa", account="motcua", unit=province["p"],
                                      contact="Văn phòng UBND tỉnh")
    directory_changes_drain()
    bind_dn = gateway.application_dn("motcua")
    assert App(slapd_config, bind_dn, first).bind()
    second = application_rotate(actor=None, application=app)
    assert second != first
    directory_changes_drain()
    assert not App(slapd_config, bind_dn, first).bind()
    assert App(slapd_config, bind_dn, second).bind()
    application_revoke(actor=None, application=app, reason="hợp đồng kết thúc")
    directory_changes_drain()
    assert not App(slapd_config, bind_dn, second).bind()
    assert gateway.read(bind_dn, ["1.1"]) is None
    with pytest.raises(ValidationError):
        application_rotate(actor=None, application=app)
    actions = list(AuditEntry.objects.filter(target_type="application").order_by("seq").values_list("action",
                                                                                                    flat=True))
    assert actions == ["application.registered", "application.secret_rotated", "application.revoked"]
    for entry in AuditEntry.objects.filter(target_type="application"):  # no secret, no hash, in the audit
        text = f"{entry.before} {entry.after} {entry.reason}"
        assert first not in text and second not in text and "ARGON2" not in text


def test_the_scope_follows_its_unit_when_the_unit_moves(province, slapd_config):
    app, secret = application_register(actor=None, name="iOffice BV", account="ioffice-bv", unit=province["bv"],
                                       contact="Phòng CNTT bệnh viện")
    directory_changes_drain()
    unit_update(actor=None, unit=province["bv"], parent=province["stc"])  # (not realistic, but a move)
    directory_changes_drain()
    assert gateway.application_scope("ioffice-bv").lower() == gateway.unit_dn(
        ["000.00.00.H45", "000.00.07.H45", "000.05.01.H45"]).lower()
    seen = App(slapd_config, gateway.application_dn("ioffice-bv"), secret)
    assert seen.bind()
    assert [a["uid"] for _, a in seen.search(f"ou=people,{slapd_config.base_dn}", "(uid=*)", ["uid"])] == [
        [province["an"].uid]]


def test_registration_refuses_a_taken_or_malformed_name_clearly_and_writes_nothing(province):
    client = superadmin()
    application_register(actor=None, name="iOffice", account="ioffice", unit=province["syt"], contact="x")
    revoked = Application.objects.get()
    application_revoke(actor=None, application=revoked)
    before = (Application.objects.count(), DirectoryChange.objects.count(), AuditEntry.objects.count())
    for account, message in (("ioffice", "already used by another application"),
                             ("IOffice Sở", "lower-case letters, digits")):
        r = client.post("/applications/", {"name": "Khác", "account": account, "unit": province["syt"].pk,
                                           "contact": "y"}, HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 400 and message in r.content.decode()
        assert "data-secret" not in r.content.decode()
    r = client.post("/applications/", {"name": "Khác", "account": "khac", "unit": province["syt"].pk,
                                       "contact": "y"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert r.status_code == 200
    assert (Application.objects.count(), DirectoryChange.objects.count()) == (before[0] + 1, before[1] + 1)


def test_only_the_superadmin_reaches_the_applications_pages(province):
    app, _secret = application_register(actor=None, name="iOffice", account="ioffice", unit=province["syt"],
                                        contact="x")
    from accounts.models import Role
    from accounts.roles.services import role_grant

    role_grant(actor=None, person=province["binh"], role=Role.HR_ADMIN, unit=province["p"])
    role_grant(actor=None, person=province["chi"], role=Role.IT_LEAD, unit=province["p"])
    for uid in (province["an"].uid, province["binh"].uid, province["chi"].uid):
        client = Client()
        assert client.post("/accounts/login/", {"username": uid, "password": factories.PASSWORD}).status_code == 302
        assert client.get("/applications/").status_code == 403
        assert client.post(f"/applications/{app.pk}/rotate/").status_code == 403
        assert client.post(f"/applications/{app.pk}/revoke/").status_code == 403
    assert Client().get("/applications/").status_code == 302  # to the login page
    app.refresh_from_db()
    assert app.active and not AuditEntry.objects.filter(action="application.secret_rotated").exists()
    # the superadmin finds the page from the units page
    assert "/applications/" in superadmin().get("/units/").content.decode()


def test_the_list_shows_each_applications_last_bind_and_survives_a_directory_outage(province, slapd_config, stack):
    app, secret = application_register(actor=None, name="DVC", account="dichvucong", unit=province["p"], contact="x")
    assert applications_with_last_bind()[0].in_directory is False  # not applied yet
    directory_changes_drain()
    row = applications_with_last_bind()[0]
    assert row.in_directory and row.last_bound is None
    assert App(slapd_config, gateway.application_dn("dichvucong"), secret).bind()
    assert applications_with_last_bind()[0].last_bound is not None
    client = superadmin()
    stack.stop()
    try:
        r = client.get("/applications/", HTTP_ACCEPT_LANGUAGE="en")
    finally:
        stack.start()
    assert r.status_code == 200 and "the directory did not answer" in r.content.decode()


def test_the_migration_gives_existing_lists_their_unit_so_applications_can_read_them(province, slapd_config):
    import importlib

    from django.apps import apps

    from provisioning.mailboxes.services import functional_create

    fm = functional_create(actor=None, unit=province["syt"], local_part="vanthu", name="Văn thư",
                           delegates=[province["an"]])
    directory_changes_drain()
    for name in ("list-000.00.05.H45", f"delegates-{fm.address}"):  # as a directory from before it would hold them
        from scripts.dev import ldap_testing as testing

        assert testing.modify_as(slapd_config, slapd_config.root_dn, slapd_config.root_password,
                                 gateway.group_dn(name), "ou", []) == 0
        assert gateway.group_get(name).unit_code == ""
    migration = importlib.import_module("provisioning.migrations.0028_applications")
    migration.groups_carry_their_unit(apps, None)
    directory_changes_drain()
    for name in ("list-000.00.05.H45", f"delegates-{fm.address}"):
        assert gateway.group_get(name).unit_code == "000.00.05.H45"


def test_an_application_is_given_every_provider_when_the_directory_is_replicated(province, slapd_config, settings):
    """On the scaled stack IDM_LDAP_URLS lists the providers: an application told only the first would stop
    when that one is down, while idm fails over. The pages give the list, as an LDAP client's URI takes it."""
    settings.IDM_LDAP_URLS = f"{slapd_config.url},ldap://ldap2.invalid:389"
    r = superadmin().post("/applications/", {"name": "iOffice", "account": "ioffice", "unit": province["syt"].pk,
                                             "contact": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert f"<code>{slapd_config.url} ldap://ldap2.invalid:389</code>" in r.content.decode()
