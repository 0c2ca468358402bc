"""The demo province: post-2025 shape, loaded through the services, the same on every run."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import RoleAssignment
from directory import gateway
from provisioning.audit.models import AuditEntry
from provisioning.people.models import Person
from provisioning.units.models import Unit, UnitVersion
from scripts.dev import demo_data
from scripts.dev import ldap_testing as testing

pytestmark = pytest.mark.django_db


def snapshot(slapd_config):
    sql_units = sorted(Unit.objects.values_list("code", "name", "kind", "parent__code", "mail_domain", "path"))
    sql_people = sorted(Person.objects.values_list("uid", "employee_code", "mail", "unit__code", "status"))
    ldap_units = testing.dump(slapd_config, f"ou=units,{slapd_config.base_dn}")
    ldap_people = testing.dump(slapd_config, f"ou=people,{slapd_config.base_dn}",
                               ["uid", "cn", "mail", "vnOrgUnitCode", "vnAccountStatus"])
    return sql_units, sql_people, ldap_units, ldap_people, UnitVersion.objects.count(), AuditEntry.objects.count()


def test_seed_demo_twice_gives_the_same_tree(slapd_config, capsys):
    call_command("seed_demo")
    first = snapshot(slapd_config)
    out1 = capsys.readouterr().out
    call_command("seed_demo")
    out2 = capsys.readouterr().out
    assert snapshot(slapd_config) == first
    # the demo's roles were granted through the audited service, once
    assert AuditEntry.objects.filter(action="role.granted", actor=None).count() == RoleAssignment.objects.count() > 0
    assert "units 0 created, 0 updated; people 0 created, 0 updated" in out2
    assert "passwords set 0" in out2 and "passwords set 0" not in out1

    units = Unit.objects.all()
    assert units.filter(kind="department").count() >= 15
    assert units.filter(kind="commune").count() >= 30
    assert units.filter(kind="division").exists()
    names = set(units.values_list("name", flat=True))
    assert {"Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Tài chính", "Sở Nội vụ"} <= names
    assert not units.filter(kind="district").exists()  # the post-2025 shape
    assert {u.code for u in gateway.units_all()} == set(units.values_list("code", flat=True))
    # every unit has demo staff, and SQL and the directory agree on them
    assert not units.exclude(people__isnull=False).exists()
    assert gateway.people_uids() == set(Person.objects.values_list("uid", flat=True))
    # the examples of the naming rule
    assert Person.objects.filter(uid="hoangnt", family_name="Nguyễn", given_name="Hoàng").exists()
    assert Person.objects.filter(uid="ducdv", mail="ducdv@quangtri.gov.vn").exists()
    an = Person.objects.filter(family_name="Nguyễn", middle_name="Văn", given_name="An").order_by("pk")
    assert [p.uid for p in an] == ["annv", "annv2"]
    # a department with its own domain gives it to its staff
    assert Person.objects.filter(unit__code=Unit.objects.get(name="Sở Y tế").code,
                                 mail__endswith="@syt.quangtri.gov.vn").exists()


def test_pw13_demo_staff_can_bind_and_hashes_are_argon2id(slapd_config):
    call_command("seed_demo")
    dn = gateway.person_dn("hoangnt")
    assert testing.bind_result(slapd_config, dn, demo_data.DEMO_PASSWORD) == 0
    assert testing.bind_result(slapd_config, dn, "not the demo password") == 49
    hashes = testing.dump(slapd_config, slapd_config.base_dn, ["userPassword"])
    values = [v for attrs in hashes.values() for v in attrs.get("userPassword", [])]
    assert len(values) >= Person.objects.count()
    assert all(v.startswith("{ARGON2}$argon2id$v=19$m=19456,t=2,p=1$") for v in values), values[:3]
    assert len(set(values)) == len(values)  # unique salts: same password, different hashes
