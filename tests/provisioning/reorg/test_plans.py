"""Splitting, renaming and re-parenting units as effective-dated plans, editing a plan before it runs,
and the old addresses a plan keeps delivering until their period ends (on a frozen clock); against the
real slapd and Dovecot."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from directory import gateway
from provisioning.audit.models import AuditEntry
from provisioning.outbox.services import directory_changes_drain
from provisioning.people.models import MailAddress, Person, PersonPeriod
from provisioning.reorg.models import PlanAlias, UnitPlan
from provisioning.reorg.services import (
    aliases_expire,
    plan_apply,
    plan_assignments_load,
    plan_cancel,
    plan_edit,
    plan_preview,
    plan_rename_create,
    plan_reparent_create,
    plan_split_create,
    plans_apply_due,
)
from provisioning.reports.selectors import figures
from provisioning.reports.services import snapshot_build
from provisioning.units.models import Unit, UnitVersion
from provisioning.units.selectors import tree_as_of
from tests import factories

pytestmark = pytest.mark.django_db


def csv_file(rows: list[tuple[str, str]]) -> io.BytesIO:
    return io.BytesIO(("Mã cán bộ,Mã đơn vị mới\n" + "".join(f"{a},{b}\n" for a, b in rows)).encode())


@pytest.fixture
def department():
    qt = factories.province()
    snv = factories.unit(qt, "000.00.10.H45", "Sở Nội vụ")
    office = factories.unit(snv, "000.00.10.01.H45", "Văn phòng Sở", kind="division")
    archive = factories.unit(snv, "000.00.10.02.H45", "Chi cục Văn thư - Lưu trữ", kind="division")
    director = factories.person(snv, "Lê", "Văn", "Bình", code="NV001", position="Giám đốc")
    inspector = factories.person(snv, "Trần", "Thị", "Thu", code="NV002", position="Chánh Thanh tra")
    religion = factories.person(snv, "Hồ", "Văn", "Nam", code="NV003", position="Chuyên viên Ban Tôn giáo")
    clerk = factories.person(office, "Võ", "Thị", "Lan", code="NV004", position="Văn thư")
    return {"qt": qt, "snv": snv, "office": office, "archive": archive, "director": director,
            "inspector": inspector, "religion": religion, "clerk": clerk}


PARTS = [
    {"code": "000.00.11.H45", "name": "Sở Nội vụ", "kind": "department", "default": True,
     "units": ["000.00.10.01.H45"]},
    {"code": "000.00.12.H45", "name": "Ban Tôn giáo", "kind": "department", "positions": ["tôn giáo"],
     "units": ["000.00.10.02.H45"]},
]


def test_a_split_places_people_by_spreadsheet_then_position_then_default_and_keeps_their_addresses(department):
    d = department
    plan = plan_split_create(actor=None, source=d["snv"], parts=PARTS, effective=timezone.localdate())
    errors = plan_assignments_load(actor=None, plan=plan, filename="phan-cong.csv", fileobj=csv_file([
        ("NV002", "000.00.12.H45"),  # the inspector goes to the new board, whatever her position says
        ("NV002", "000.00.11.H45"),  # twice
        ("NV999", "000.00.11.H45"),  # nobody
        ("NV004", "000.00.11.H45"),  # works in a division: it moves as a whole
        ("NV001", "000.00.99.H45"),  # not a part
    ]))
    assert [e.number for e in errors] == [3, 4, 5, 6]
    assert "NV999" in errors[1].message and "000.00.99.H45" in errors[3].message
    plan.refresh_from_db()
    assert plan.assignments == {"NV002": "000.00.12.H45"}
    preview = plan_preview(plan)
    to = {p["person"].employee_code: p["to"] for p in preview.people}
    assert to == {"NV001": "000.00.11.H45", "NV002": "000.00.12.H45", "NV003": "000.00.12.H45", "NV004": ""}
    assert not preview.blocking
    addresses = {p.pk: p.mail for p in Person.objects.all()}
    plan_apply(actor=None, plan=plan)
    directory_changes_drain()
    board = Unit.objects.get(code="000.00.12.H45")
    assert Person.objects.get(pk=d["inspector"].pk).unit == board
    assert Person.objects.get(pk=d["religion"].pk).unit == board
    assert Person.objects.get(pk=d["director"].pk).unit.code == "000.00.11.H45"
    assert Unit.objects.get(pk=d["office"].pk).parent.code == "000.00.11.H45"
    assert Unit.objects.get(pk=d["archive"].pk).parent == board
    assert Unit.objects.get(pk=d["snv"].pk).closed_on == timezone.localdate()
    assert {p.pk: p.mail for p in Person.objects.all()} == addresses  # same domain: nobody readdressed
    assert gateway.person_get(d["inspector"].uid).unit_code == "000.00.12.H45"


def test_a_split_with_someone_no_rule_places_is_listed_and_not_applied(department):
    d = department
    parts = [dict(p, default=False) for p in PARTS]
    plan = plan_split_create(actor=None, source=d["snv"], parts=parts, effective=timezone.localdate())
    blocking = plan_preview(plan).blocking
    assert any(d["director"].full_name in b for b in blocking) and any(d["inspector"].full_name in b for b in blocking)
    with pytest.raises(ValidationError):
        plan_apply(actor=None, plan=plan)
    assert plans_apply_due() == 0  # the hourly task leaves it for HR to fix
    assert Person.objects.get(pk=d["director"].pk).unit == d["snv"]
    plan = plan_edit(actor=None, plan=plan, parts=PARTS)  # fixed before its date: one part takes the rest
    assert plan_preview(plan).blocking == []
    assert plan_apply(actor=None, plan=plan).status == UnitPlan.Status.APPLIED


def test_a_split_refuses_bad_parts(department):
    d = department
    with pytest.raises(ValidationError) as e:
        plan_split_create(actor=None, source=d["snv"], effective=timezone.localdate(), parts=[
            {"code": "000.00.00.H45", "name": "x", "kind": "department"},  # the province: above, not closed
            {"code": "bad code!", "name": "", "kind": ""},
            {"code": "000.00.13.H45", "name": "Ban", "kind": "department", "units": ["000.00.99.99.H45"]}])
    text = " ".join(e.value.message_dict["parts"])
    assert "bad code!" not in text or "letters" in text
    assert "000.00.99.99.H45" in text


def test_a_rename_takes_effect_on_its_date_and_history_keeps_the_old_name(department):
    d = department
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    plan = plan_rename_create(actor=None, unit=d["snv"], new_name="Sở Nội vụ và Lao động", effective=tomorrow)
    with pytest.raises(ValidationError):
        plan_apply(actor=None, plan=plan)
    assert plans_apply_due() == 0
    with time_machine.travel(dt.datetime.combine(tomorrow, dt.time(9)).astimezone(), tick=False):
        assert plans_apply_due() == 1
    unit = Unit.objects.get(pk=d["snv"].pk)
    assert unit.name == "Sở Nội vụ và Lao động" and unit.code == "000.00.10.H45"
    names = {n["unit"].pk: n["version"].name for n in _flat(tree_as_of(timezone.localdate()))}
    assert names[unit.pk] == "Sở Nội vụ"  # today, before its date
    names = {n["unit"].pk: n["version"].name for n in _flat(tree_as_of(tomorrow))}
    assert names[unit.pk] == "Sở Nội vụ và Lao động"
    assert AuditEntry.objects.filter(action="plan.applied").count() == 1


def _flat(tree):
    for node in tree:
        yield node
        yield from _flat(node["children"])


@pytest.fixture
def two_provinces_with_a_commune():
    qt = factories.province()
    qb = factories.province("000.00.00.H44", domain="quangbinh.gov.vn")
    commune = factories.unit(qb, "003.01.00.H44", "Xã Quảng Phú", kind="commune")
    chair = factories.person(commune, "Võ", "Văn", "Kiệt", code="QP01")
    clerk = factories.person(commune, "Đặng", "Thị", "Hà", code="QP02", status="staged")
    factories.person(qb, "Phạm", "Thị", "Lan", code="QB01")
    return {"qt": qt, "qb": qb, "commune": commune, "chair": chair, "clerk": clerk}


def test_a_commune_moved_to_another_province_keeps_mailboxes_history_and_figures(two_provinces_with_a_commune,
                                                                                  dovecot):
    from tests.mail.test_dovecot import deliver, imap_login

    t = two_provinces_with_a_commune
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    long_ago = yesterday - dt.timedelta(days=30)
    UnitVersion.objects.update(valid_from=long_ago)
    Unit.objects.update(valid_from=long_ago)
    PersonPeriod.objects.update(valid_from=long_ago)
    snapshot_build(yesterday)
    old_address = t["chair"].mail
    assert old_address.endswith("@quangbinh.gov.vn")
    plan = plan_reparent_create(actor=None, sources=[t["commune"]], new_parent=t["qt"], effective=today,
                                alias_days=90, note="Nghị quyết sắp xếp đơn vị hành chính")
    preview = plan_preview(plan)
    assert [u.code for u in preview.units] == ["003.01.00.H44"]
    assert {p["after"] for p in preview.people} == {old_address.replace("quangbinh", "quangtri"),
                                                     t["clerk"].mail.replace("quangbinh", "quangtri")}
    plan_apply(actor=None, plan=plan)
    directory_changes_drain()
    snapshot_build(today)
    chair = Person.objects.get(pk=t["chair"].pk)
    assert chair.unit_id == t["commune"].pk and chair.uid == t["chair"].uid  # same person, same mailbox
    assert chair.mail == old_address.replace("quangbinh", "quangtri")
    assert Unit.objects.get(pk=t["commune"].pk).parent == t["qt"]
    entry = gateway.person_get(chair.uid)
    assert entry.mail == chair.mail and entry.mail_aliases == [old_address]
    alias = PlanAlias.objects.get(address=old_address)
    assert alias.person == chair and alias.expires_on == today + dt.timedelta(days=90)
    for address in (old_address, chair.mail):
        deliver(dovecot, address, "Thư gửi " + address)
    m = imap_login(dovecot, chair.mail, factories.PASSWORD)
    m.select("INBOX")
    _, found = m.search(None, "ALL")
    assert len(found[0].split()) == 2  # old and new address land in the one mailbox
    m.logout()
    # as-of figures: yesterday the commune counted in Quảng Bình, today in Quảng Trị
    [qb_before] = figures(yesterday, t["qb"])
    [qt_before] = figures(yesterday, t["qt"])
    [qb_after] = figures(today, t["qb"])
    [qt_after] = figures(today, t["qt"])
    # (staff counts those in post: the chair and Lan, not the staged clerk)
    assert (qb_before.staff, qt_before.staff) == (2, 0)
    assert (qb_after.staff, qt_after.staff) == (1, 1)
    assert [c.unit.code for c in qt_after.children] == ["003.01.00.H44"]
    assert [c.unit.code for c in qb_before.children] == ["003.01.00.H44"]
    periods = PersonPeriod.objects.filter(person=chair)
    assert periods.count() == 1 and periods.get().valid_from == long_ago  # no break in the person's history


def test_old_addresses_stop_delivering_when_their_period_ends_and_stay_reserved(two_provinces_with_a_commune,
                                                                                settings):
    t = two_provinces_with_a_commune
    settings.IDM_REORG_ALIAS_DAYS = 30
    old_address = t["chair"].mail
    plan = plan_reparent_create(actor=None, sources=[t["commune"]], new_parent=t["qt"],
                                effective=timezone.localdate())
    plan_apply(actor=None, plan=plan)
    directory_changes_drain()
    chair = Person.objects.get(pk=t["chair"].pk)
    assert gateway.person_get(chair.uid).mail_aliases == [old_address]
    end = timezone.localdate() + dt.timedelta(days=30)
    with time_machine.travel(dt.datetime.combine(end - dt.timedelta(days=1), dt.time(23)).astimezone(), tick=False):
        assert aliases_expire() == 0  # the day before: still delivering
    with time_machine.travel(dt.datetime.combine(end, dt.time(1)).astimezone(), tick=False):
        assert aliases_expire() == 2  # the chair's and the clerk's
        assert aliases_expire() == 0  # once
    directory_changes_drain()
    assert gateway.person_get(chair.uid).mail_aliases == []
    assert gateway.person_get(chair.uid).mail == chair.mail
    kept = MailAddress.objects.get(address=old_address)
    assert kept.person is None  # reserved for good: never handed to anyone else
    assert AuditEntry.objects.filter(action="person.alias_expired", target_id=str(chair.pk)).exists()


def test_a_plan_can_be_edited_until_it_starts_and_every_edit_is_audited(two_provinces_with_a_commune):
    t = two_provinces_with_a_commune
    later = timezone.localdate() + dt.timedelta(days=10)
    plan = plan_reparent_create(actor=None, sources=[t["commune"]], new_parent=t["qt"], effective=later)
    other = factories.unit(t["qt"], "000.00.20.H45", "Huyện Vĩnh Linh", kind="district")
    plan = plan_edit(actor=None, plan=plan, effective=timezone.localdate(), new_parent=other, alias_days=7)
    entry = AuditEntry.objects.get(action="plan.edited")
    assert entry.before["new_parent"] == "000.00.00.H45" and entry.after["new_parent"] == "000.00.20.H45"
    assert entry.after["alias_days"] == 7
    with pytest.raises(ValidationError):
        plan_edit(actor=None, plan=plan, alias_days=99999)
    with pytest.raises(ValidationError):  # a second plan may not take the same unit
        plan_reparent_create(actor=None, sources=[t["commune"]], new_parent=t["qt"], effective=later)
    plan_apply(actor=None, plan=plan)
    assert Unit.objects.get(pk=t["commune"].pk).parent == other
    with pytest.raises(ValidationError):
        plan_edit(actor=None, plan=plan, note="too late")
    with pytest.raises(ValidationError):
        plan_cancel(actor=None, plan=plan)
