"""Figures as of a past date follow that date's people and tree (issue 11 "as of", issue 12 history)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from provisioning.people.models import PersonPeriod
from provisioning.people.services import person_transfer
from provisioning.reports.selectors import figures
from provisioning.reports.services import snapshot_build
from provisioning.units.models import UnitVersion
from provisioning.units.services import unit_update
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_transfer_and_a_moved_unit_are_read_as_they_stood(slapd_config):
    today = timezone.localdate()
    long_ago, before, after = today - dt.timedelta(days=90), today - dt.timedelta(days=40), today - dt.timedelta(days=5)
    p = factories.province()
    a = factories.unit(p, "000.00.01.H45", "Sở Nội vụ")
    b = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    c = factories.unit(a, "000.01.01.H45", "Phòng Tổ chức")
    UnitVersion.objects.update(valid_from=long_ago)
    for u in (p, a, b, c):
        u.valid_from = long_ago
        u.save(update_fields=["valid_from"])
    anna = factories.person(c, "Trần", "Thị", "An")
    PersonPeriod.objects.update(valid_from=long_ago)
    person_transfer(actor=None, person=anna, unit=b, on=today - dt.timedelta(days=20), reason="Điều động")
    unit_update(actor=None, unit=c, parent=b, effective=today - dt.timedelta(days=10))
    snapshot_build(before)
    snapshot_build(after)

    def staff(day):
        [top] = figures(day, p)
        return {f.unit.code: f.staff for f in top.children}

    assert staff(before) == {"000.00.01.H45": 1, "000.00.05.H45": 0}  # Anna in Phòng Tổ chức, then under Sở Nội vụ
    assert staff(after) == {"000.00.01.H45": 0, "000.00.05.H45": 1}
    [then] = figures(before, a)
    assert [ch.unit.code for ch in then.children] == ["000.01.01.H45"]  # the division was still under Sở Nội vụ
    [now] = figures(after, a)
    assert now.children == []
