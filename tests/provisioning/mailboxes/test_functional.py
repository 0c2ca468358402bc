"""A unit's functional mailbox opens for its delegates only, each with their own password."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from provisioning.mailboxes.services import functional_create, functional_set_delegates
from provisioning.outbox.services import directory_changes_drain
from provisioning.people.models import PersonStatus
from provisioning.people.services import person_set_status
from tests import factories
from tests.mail.test_dovecot import deliver, imap_login

pytestmark = pytest.mark.django_db
BOX = "vanthu.stc@quangtri.gov.vn"


@pytest.fixture
def office():
    unit = factories.unit(factories.province(), "000.00.03.H45", "Sở Tài chính")
    clerk = factories.person(unit)
    other = factories.person(unit, "Trần", "Thị Minh", "Khai")
    fm = functional_create(actor=None, unit=unit, local_part="vanthu.stc", name="Văn thư Sở Tài chính",
                           delegates=[clerk])
    directory_changes_drain()
    return {"unit": unit, "clerk": clerk, "other": other, "fm": fm}


def test_a_functional_mailbox_takes_mail_and_opens_for_its_delegates_only(dovecot, office):
    assert deliver(dovecot, BOX) == {}
    m = imap_login(dovecot, f"{BOX}*hoangnt", factories.PASSWORD)  # the clerk, with the clerk's own password
    assert m is not None and m.select("INBOX")[1][0] == b"1"
    m.logout()
    assert imap_login(dovecot, f"{BOX}*khaittm", factories.PASSWORD) is None  # not a delegate
    assert imap_login(dovecot, BOX, factories.PASSWORD) is None  # nobody logs in to it directly
    assert imap_login(dovecot, f"{BOX}*hoangnt", "not the clerks password") is None


def test_delegates_change_and_a_suspended_delegate_loses_access(dovecot, office):
    functional_set_delegates(actor=None, mailbox=office["fm"], delegates=[office["other"]])
    directory_changes_drain()
    assert imap_login(dovecot, f"{BOX}*hoangnt", factories.PASSWORD) is None
    assert imap_login(dovecot, f"{BOX}*khaittm", factories.PASSWORD) is not None
    person_set_status(actor=None, person=office["other"], status=PersonStatus.SUSPENDED)
    directory_changes_drain()
    assert imap_login(dovecot, f"{BOX}*khaittm", factories.PASSWORD) is None


def test_its_address_is_unique_across_everything(office):
    with pytest.raises(ValidationError):
        functional_create(actor=None, unit=office["unit"], local_part="vanthu.stc", name="again")
    with pytest.raises(ValidationError):
        functional_create(actor=None, unit=office["unit"], local_part="hoangnt", name="a person's address")


def test_hr_officer_creates_one_and_sets_delegates_from_the_unit_page(client, office):
    from accounts.models import Role, RoleAssignment
    from provisioning.mailboxes.models import FunctionalMailbox

    hr = factories.person(office["unit"], "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=office["unit"])
    client.post("/accounts/login/", {"username": hr.uid, "password": factories.PASSWORD})
    page = client.get(f"/units/{office['unit'].code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert BOX in page and "Create a functional mailbox" in page
    client.post(f"/units/{office['unit'].code}/mailboxes/", {"local_part": "tiepdan", "name": "Tiếp dân",
                                                             "delegates": [office["other"].pk]})
    fm = FunctionalMailbox.objects.get(address="tiepdan@quangtri.gov.vn")
    assert [p.uid for p in fm.delegates.all()] == ["khaittm"]
    client.post(f"/units/{office['unit'].code}/mailboxes/{fm.pk}/", {"delegates": [office["clerk"].pk]})
    assert [p.uid for p in fm.delegates.all()] == ["hoangnt"]


def test_staff_cannot_manage_functional_mailboxes(client, office):
    client.post("/accounts/login/", {"username": "khaittm", "password": factories.PASSWORD})
    r = client.post(f"/units/{office['unit'].code}/mailboxes/", {"local_part": "x", "name": "x"})
    assert r.status_code == 403
