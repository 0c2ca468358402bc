"""Every lifecycle step reaches the directory: transfer, suspend, leave, rehire."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from directory import gateway
from provisioning.audit.models import AuditEntry
from provisioning.outbox.services import directory_changes_drain
from provisioning.people.models import MailAddress, Person, PersonStatus
from provisioning.people.services import person_onboard, person_set_status, person_transfer, remove_expired_mailboxes
from scripts.dev import ldap_testing as testing
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    p = factories.province()
    return {"stc": factories.unit(p, "000.00.03.H45", "Sở Tài chính"),
            "syt": factories.unit(p, "000.00.05.H45", "Sở Y tế", mail_domain="syt.quangtri.gov.vn"),
            "snv": factories.unit(p, "000.00.02.H45", "Sở Nội vụ")}


def login(client, uid):
    return client.post("/accounts/login/", {"username": uid, "password": factories.PASSWORD})


def test_transfer_changes_attributes_not_the_dn_and_keeps_the_old_address(units):
    hoang = factories.person(units["stc"])
    dn = gateway.person_dn("hoangnt")
    person_transfer(actor=None, person=hoang, unit=units["syt"])
    directory_changes_drain()
    entry = gateway.person_get("hoangnt")
    assert gateway.person_dn("hoangnt") == dn
    assert entry.unit_code == "000.00.05.H45"
    assert entry.mail == "hoangnt@syt.quangtri.gov.vn" and entry.mail_aliases == ["hoangnt@quangtri.gov.vn"]
    assert gateway.people_find(mail="hoangnt@quangtri.gov.vn")[0].uid == "hoangnt"  # old address still works
    # a transfer within the same domain changes no address
    person_transfer(actor=None, person=Person.objects.get(uid="hoangnt"), unit=units["snv"])
    directory_changes_drain()
    assert gateway.person_get("hoangnt").mail == "hoangnt@quangtri.gov.vn"


def test_suspension_refuses_login_at_once_and_ends_sessions(client, units):
    hoang = factories.person(units["stc"])
    assert login(client, "hoangnt").status_code == 302
    assert client.get("/").status_code == 200
    person_set_status(actor=None, person=hoang, status=PersonStatus.SUSPENDED)
    directory_changes_drain()
    assert client.get("/").status_code == 302  # the existing session ended
    entry = gateway.person_get("hoangnt")
    assert entry.status == "suspended" and entry.mail_enabled is False
    other = client.__class__()
    assert login(other, "hoangnt").status_code == 400
    person_set_status(actor=None, person=Person.objects.get(uid="hoangnt"), status=PersonStatus.ACTIVE)
    directory_changes_drain()
    assert login(other, "hoangnt").status_code == 302


def test_leave_keeps_the_mailbox_for_the_retention_period_then_removes_it(units, slapd_config):
    staff = factories.person(units["stc"], "Lê", "Văn", "Tám", position="Chuyên viên")
    director = factories.person(units["stc"], "Phạm", "Thị", "Mai", position="Giám đốc")
    assert not staff.senior and director.senior
    left_day = dt.date(2026, 1, 10)
    person_set_status(actor=None, person=staff, status=PersonStatus.LEFT, on=left_day)
    person_set_status(actor=None, person=director, status=PersonStatus.LEFT, on=left_day)
    directory_changes_drain()
    staff.refresh_from_db()
    director.refresh_from_db()
    assert staff.mailbox_kept_until == dt.date(2026, 7, 10) and director.mailbox_kept_until == dt.date(2027, 1, 10)
    entry = gateway.person_get(staff.uid)
    assert entry.status == "left" and entry.mail == staff.mail and not entry.mail_enabled
    assert testing.cli_bind_result(slapd_config, gateway.person_dn(staff.uid), factories.PASSWORD) == 0  # bind ok..
    assert User.objects.count() == 0
    # ...but the web login refuses anyone not active
    assert remove_expired_mailboxes(today=dt.date(2026, 7, 10)) == 1
    directory_changes_drain()
    assert gateway.person_get(staff.uid).mail == ""
    assert gateway.person_get(director.uid).mail == director.mail
    # the address stays reserved: a namesake gets another one
    newcomer = person_onboard(actor=None, unit=units["stc"], family="Lê", middle="Văn", given="Tám",
                              employee_code="NEW1")
    assert newcomer.mail != staff.mail and MailAddress.objects.get(address=staff.mail).person_id == staff.pk


def test_rehire_gives_back_the_same_uid_and_address(units):
    p = factories.person(units["stc"], "Võ", "Thị", "Sáu")
    uid, mail = p.uid, p.mail
    person_set_status(actor=None, person=p, status=PersonStatus.LEFT)
    remove_expired_mailboxes(today=dt.date.today() + dt.timedelta(days=400))
    person_set_status(actor=None, person=Person.objects.get(pk=p.pk), status=PersonStatus.ACTIVE)
    directory_changes_drain()
    p.refresh_from_db()
    assert (p.uid, p.mail, p.status, p.left_on, p.mailbox_removed_on) == (uid, mail, "active", None, None)
    entry = gateway.person_get(uid)
    assert entry.mail == mail and entry.mail_enabled and entry.status == "active"
    actions = list(AuditEntry.objects.filter(target_id=str(p.pk)).values_list("action", flat=True))
    assert {"person.onboarded", "person.left", "person.mailbox_removed", "person.rehired"} <= set(actions)


def test_impossible_moves_are_refused(units):
    p = person_onboard(actor=None, unit=units["stc"], family="Đỗ", middle="", given="Hải", employee_code="X1")
    person_set_status(actor=None, person=p, status=PersonStatus.LEFT)
    with pytest.raises(ValidationError):
        person_set_status(actor=None, person=Person.objects.get(pk=p.pk), status=PersonStatus.SUSPENDED)


def test_every_change_is_audited_with_before_and_after(units):
    p = factories.person(units["stc"])
    person_transfer(actor=None, person=p, unit=units["snv"])
    entry = AuditEntry.objects.get(action="person.transferred")
    assert entry.before["unit"] == units["stc"].pk and entry.after["unit"] == units["snv"].pk
