"""A person's unit and status over time (issues 11 and 12): exact "as of a date" figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from provisioning.people.models import PersonPeriod, PersonStatus
from provisioning.people.selectors import periods_as_of
from provisioning.people.services import person_set_status, person_transfer
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    p = factories.province()
    return p, factories.unit(p, "000.00.01.H45", "Sở Nội vụ"), factories.unit(p, "000.00.05.H45", "Sở Y tế")


def where(person, day):
    row = periods_as_of(day).filter(person=person).values_list("unit__code", "status").first()
    return row


def test_a_transfer_and_a_departure_are_read_exactly_as_of_each_date(tree):
    _, snv, syt = tree
    today = timezone.localdate()
    d0, d1, d2 = today - dt.timedelta(days=30), today - dt.timedelta(days=20), today - dt.timedelta(days=10)
    person = factories.person(snv)
    PersonPeriod.objects.filter(person=person).update(valid_from=d0)  # onboarded a month ago
    person_transfer(actor=None, person=person, unit=syt, on=d1, reason="Quyết định điều động")
    person_set_status(actor=None, person=person, status=PersonStatus.LEFT, on=d2, reason="Nghỉ hưu")
    assert where(person, d0) == ("000.00.01.H45", "active")
    assert where(person, d1 - dt.timedelta(days=1)) == ("000.00.01.H45", "active")
    assert where(person, d1) == ("000.00.05.H45", "active")
    assert where(person, d2) == ("000.00.05.H45", "left")
    assert where(person, d0 - dt.timedelta(days=1)) is None  # not yet there
    assert PersonPeriod.objects.filter(person=person, valid_to__isnull=True).count() == 1


def test_imported_people_get_their_first_period(tree, tmp_path):
    from django.core.management import call_command

    _, snv, _ = tree
    path = tmp_path / "staff.csv"
    path.write_text("Mã cán bộ,Họ và tên,Đơn vị\nQT-1,Trần Văn An,000.00.01.H45\nQT-2,Lê Thị Bình,000.00.01.H45\n",
                    encoding="utf-8")
    call_command("import_staff", str(path), "--no-directory")
    rows = list(periods_as_of(timezone.localdate()).filter(unit=snv).values_list("status", flat=True))
    assert sorted(rows) == ["staged", "staged"]


def test_a_same_day_correction_changes_the_period_instead_of_adding_one(tree):
    _, snv, syt = tree
    person = factories.person(snv)
    person_transfer(actor=None, person=person, unit=syt)
    assert PersonPeriod.objects.filter(person=person).count() == 1
    assert where(person, timezone.localdate()) == ("000.00.05.H45", "active")
