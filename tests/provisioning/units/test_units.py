"""The unit tree: any depth, inherited settings, effective-dated history, mirrored to ou=units."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from directory import gateway
from provisioning.audit.models import AuditEntry
from provisioning.outbox.services import directory_changes_drain
from provisioning.units.models import Unit, UnitVersion
from provisioning.units.selectors import flatten, tree_as_of, unit_resolved_settings, unit_subtree
from provisioning.units.services import unit_update
from tests import factories
from tests.fixtures import legacy_province

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def tree():
    p = factories.province()
    syt = factories.unit(p, "000.00.05.H45", "Sở Y tế", mail_domain="syt.quangtri.gov.vn")
    bv = factories.unit(syt, "000.05.31.H45", "Bệnh viện Đa khoa tỉnh", kind="hospital")
    khoa = factories.unit(bv, "000.05.31.01.H45", "Khoa Nội", kind="division")
    to = factories.unit(khoa, "000.05.31.01.01.H45", "Tổ Điều dưỡng", kind="division")
    snv = factories.unit(p, "000.00.02.H45", "Sở Nội vụ")
    return {"p": p, "syt": syt, "bv": bv, "khoa": khoa, "to": to, "snv": snv}


def test_a_tree_of_any_depth_mirrors_to_ou_units(tree):
    directory_changes_drain()
    units = {u.code: u for u in gateway.units_all()}
    assert units["000.05.31.01.01.H45"].parent_code == "000.05.31.01.H45"
    assert units["000.05.31.01.01.H45"].name == "Tổ Điều dưỡng"
    dn = gateway.unit_dn(["000.00.00.H45", "000.00.05.H45", "000.05.31.H45", "000.05.31.01.H45",
                          "000.05.31.01.01.H45"])
    assert gateway.read(dn, ["1.1"]) is not None


def test_subtree_is_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        codes = sorted(u.code for u in unit_subtree(tree["syt"]))
    assert codes == ["000.00.05.H45", "000.05.31.01.01.H45", "000.05.31.01.H45", "000.05.31.H45"]


def test_mail_domain_and_naming_rule_are_inherited_unless_set(tree):
    assert unit_resolved_settings(tree["to"]) == ("syt.quangtri.gov.vn", "given_initials")
    assert unit_resolved_settings(tree["snv"]) == ("quangtri.gov.vn", "given_initials")
    unit_update(actor=None, unit=tree["bv"], naming_rule="initials_given")
    assert unit_resolved_settings(Unit.objects.get(pk=tree["to"].pk))[1] == "initials_given"
    directory_changes_drain()
    assert gateway.unit_get("000.05.31.01.01.H45").mail_domain == "syt.quangtri.gov.vn"


def test_a_rename_is_recorded_with_its_effective_date(tree):
    unit_update(actor=None, unit=tree["snv"], name="Sở Nội vụ tỉnh Quảng Trị", effective=dt.date(2026, 3, 1))
    before = {n["unit"].code: n["version"].name for n in flatten(tree_as_of(dt.date(2026, 2, 28)))}
    after = {n["unit"].code: n["version"].name for n in flatten(tree_as_of(TODAY))}
    assert before["000.00.02.H45"] == "Sở Nội vụ"
    assert after["000.00.02.H45"] == "Sở Nội vụ tỉnh Quảng Trị"
    assert tree_as_of(dt.date(2025, 6, 30)) == []  # nothing existed before the reform day
    assert AuditEntry.objects.filter(action="unit.renamed", target_id=str(tree["snv"].pk)).count() == 1


def test_a_move_takes_the_subtree_along_today_and_keeps_the_past(tree, django_assert_max_num_queries):
    directory_changes_drain()
    unit_update(actor=None, unit=tree["bv"], parent=tree["snv"], effective=dt.date(2026, 1, 1))
    to = Unit.objects.get(pk=tree["to"].pk)
    assert to.path.startswith(Unit.objects.get(pk=tree["snv"].pk).path) and to.depth == 4
    assert sorted(u.code for u in unit_subtree(tree["syt"])) == ["000.00.05.H45"]
    with django_assert_max_num_queries(1):
        past = {n["unit"].code: n for n in flatten(tree_as_of(dt.date(2025, 12, 31)))}
    assert past["000.05.31.H45"]["version"].parent_id == tree["syt"].pk
    now = {n["unit"].code: n for n in flatten(tree_as_of(TODAY))}
    assert now["000.05.31.H45"]["version"].parent_id == tree["snv"].pk
    assert now["000.05.31.01.01.H45"]["depth"] == 4
    directory_changes_drain()
    units = {u.code: u for u in gateway.units_all()}
    assert units["000.05.31.H45"].parent_code == "000.00.02.H45"
    assert units["000.05.31.01.01.H45"].parent_code == "000.05.31.01.H45"
    # its mail domain followed the new parent
    assert units["000.05.31.01.01.H45"].mail_domain == "quangtri.gov.vn"


def test_a_unit_cannot_move_under_itself(tree):
    with pytest.raises(ValidationError):
        unit_update(actor=None, unit=tree["syt"], parent=tree["khoa"])
    assert Unit.objects.get(pk=tree["syt"].pk).parent_id == tree["p"].pk


def test_future_and_backdated_effective_dates_are_refused(tree):
    with pytest.raises(ValidationError):
        unit_update(actor=None, unit=tree["snv"], name="X", effective=dt.date(2027, 1, 1))
    unit_update(actor=None, unit=tree["snv"], name="Y", effective=dt.date(2026, 5, 1))
    with pytest.raises(ValidationError):
        unit_update(actor=None, unit=tree["snv"], name="Z", effective=dt.date(2026, 4, 1))
    assert UnitVersion.objects.filter(unit=tree["snv"]).count() == 2


def test_bad_unit_values_are_refused_with_a_field_error(tree):
    with pytest.raises(ValidationError) as info:
        factories.unit(tree["p"], "bad code with spaces", "Sở X")
    assert "code" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        factories.unit(tree["p"], "000.00.09.H45", "Sở X", mail_domain="Not A Domain")
    assert "mail_domain" in info.value.message_dict


@pytest.mark.parametrize("ch", ["\u202e", "\u200b", "\u2060", "\u061c"])
def test_a_unit_name_with_a_bidi_control_or_zero_width_character_never_reaches_the_directory(tree, ch):
    # these once went in and then failed at the LDAP write, which reconcile reported as drift
    with pytest.raises(ValidationError) as info:
        factories.unit(tree["p"], "000.00.09.H45", f"Sở{ch} X")
    assert "name" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        unit_update(actor=None, unit=tree["snv"], name=f"Sở Nội{ch} vụ")
    assert "name" in info.value.message_dict
    assert Unit.objects.get(pk=tree["snv"].pk).name == "Sở Nội vụ"


def test_the_legacy_three_level_shape_still_loads():
    from scripts.dev.demo import load_units

    load_units(legacy_province.PROVINCE, legacy_province.UNITS)
    directory_changes_drain()
    units = {u.code: u for u in gateway.units_all()}
    districts = [c for c, _n, k, _p, _d in legacy_province.UNITS if k == "district"]
    communes = [(c, p) for c, _n, k, p, _d in legacy_province.UNITS if k == "commune"]
    assert districts and communes
    for code, parent in communes:
        assert units[code].parent_code == parent and parent in districts
