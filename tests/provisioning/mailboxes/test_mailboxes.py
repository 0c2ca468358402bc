"""Who gets a mailbox, and how big: the unit's policy and default quota, HR's decision per person."""

from __future__ import annotations

import pytest

from directory import gateway
from provisioning.outbox.services import directory_changes_drain
from provisioning.people.models import Person
from provisioning.people.services import person_update
from provisioning.units.services import unit_update
from tests import factories
from tests.mail.test_dovecot import imap_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    p = factories.province()
    syt = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    bv = factories.unit(syt, "000.05.31.H45", "Bệnh viện Đa khoa tỉnh", kind="hospital")
    return {"p": p, "syt": syt, "bv": bv}


def test_everyone_gets_a_mailbox_with_the_default_quota_by_default(dovecot, units):
    p = factories.person(units["bv"])
    entry = gateway.person_get(p.uid)
    assert entry.mail == p.mail and entry.mail_quota_kib == 1024 * 1024
    m = imap_login(dovecot, p.mail, factories.PASSWORD)
    assert b"STORAGE 0 1048576" in m.getquotaroot("INBOX")[1][1][0]
    m.logout()


def test_a_unit_policy_by_category_and_an_inherited_quota(dovecot, units):
    unit_update(actor=None, unit=units["syt"], mailbox_policy="can_bo,cong_chuc", default_quota_mb=2048)
    doctor = factories.person(units["bv"], "Lê", "Văn", "Tám", category="vien_chuc")
    clerk = factories.person(units["bv"], "Võ", "Thị", "Sáu", category="cong_chuc")
    assert gateway.person_get(doctor.uid).mail == ""  # no mailbox for this category here
    assert imap_login(dovecot, doctor.mail, factories.PASSWORD) is None
    assert gateway.person_get(clerk.uid).mail_quota_kib == 2048 * 1024
    assert imap_login(dovecot, clerk.mail, factories.PASSWORD) is not None


def test_hr_can_issue_or_withhold_a_mailbox_per_person(dovecot, units):
    unit_update(actor=None, unit=units["syt"], mailbox_policy="none")
    p = factories.person(units["bv"])
    assert gateway.person_get(p.uid).mail == ""
    person_update(actor=None, person=p, mailbox_decision="issued")
    directory_changes_drain()
    assert gateway.person_get(p.uid).mail == p.mail
    assert imap_login(dovecot, p.mail, factories.PASSWORD) is not None
    person_update(actor=None, person=Person.objects.get(pk=p.pk), mailbox_decision="withheld")
    directory_changes_drain()
    assert gateway.person_get(p.uid).mail == "" and imap_login(dovecot, p.mail, factories.PASSWORD) is None
    # the address stays the person's: nobody else is given it
    assert Person.objects.get(pk=p.pk).mail == p.mail


def test_changing_a_units_policy_or_quota_reaches_its_people(dovecot, units):
    p = factories.person(units["bv"])
    unit_update(actor=None, unit=units["syt"], default_quota_mb=300)
    directory_changes_drain()
    assert gateway.person_get(p.uid).mail_quota_kib == 300 * 1024
    unit_update(actor=None, unit=Person.objects.get(pk=p.pk).unit.parent, mailbox_policy="none")
    directory_changes_drain()
    assert gateway.person_get(p.uid).mail == ""


def test_default_quota_by_category_is_inherited_and_reaches_the_usage_snapshot(dovecot, units):
    from provisioning.mailboxes.models import MailboxUsage
    from provisioning.mailboxes.usage import collect_from_dovecot

    unit_update(actor=None, unit=units["syt"], category_quota_mb={"vien_chuc": 512})
    doctor = factories.person(units["bv"], "Lê", "Văn", "Tám", category="vien_chuc")
    clerk = factories.person(units["bv"], "Võ", "Thị", "Sáu", category="cong_chuc")
    assert gateway.person_get(doctor.uid).mail_quota_kib == 512 * 1024
    assert gateway.person_get(clerk.uid).mail_quota_kib == 1024 * 1024
    collect_from_dovecot()
    assert MailboxUsage.objects.get(person=doctor).quota_bytes == 512 * 1024 * 1024
