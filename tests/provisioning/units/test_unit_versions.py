"""The unit's history keeps every setting, not only its name and place: mail policy, quotas and the
distribution list's address can be read as of any past date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from provisioning.mailboxes.services import unit_set_list
from provisioning.units.models import Unit, UnitVersion
from provisioning.units.selectors import versions_as_of
from provisioning.units.services import unit_update, unit_version_record
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_setting_change_opens_a_version_and_the_past_keeps_the_old_values(slapd_config):
    qt = factories.province()
    stc = factories.unit(qt, "000.00.03.H45", "Sở Tài chính")
    today = timezone.localdate()
    last_week = today - dt.timedelta(days=7)
    unit_update(actor=None, unit=stc, mailbox_policy="cong_chuc", default_quota_mb=2048,
                category_quota_mb={"vien_chuc": 512}, effective=last_week)
    unit_set_list(actor=None, unit=Unit.objects.get(pk=stc.pk), local_part="sotaichinh")
    then = {v.unit_id: v for v in versions_as_of(last_week)}[stc.pk]
    now = {v.unit_id: v for v in versions_as_of(today)}[stc.pk]
    assert (then.mailbox_policy, then.default_quota_mb, then.category_quota_mb) == ("cong_chuc", 2048,
                                                                                    {"vien_chuc": 512})
    assert then.list_address == ""
    assert now.list_address == "sotaichinh@quangtri.gov.vn" and now.default_quota_mb == 2048
    before_changes = {v.unit_id: v for v in versions_as_of(last_week - dt.timedelta(days=1))}[stc.pk]
    assert before_changes.mailbox_policy == "" and before_changes.default_quota_mb is None
    # nothing changed: nothing recorded
    assert unit_version_record(actor=None, unit=Unit.objects.get(pk=stc.pk)) is None
    assert UnitVersion.objects.filter(unit=stc).count() == 3
