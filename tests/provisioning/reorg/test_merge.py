"""Merging units on an effective date (issue 12): preview, apply through the outbox, resumable,
history kept; against the real slapd and Dovecot."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from directory import gateway
from provisioning.outbox.services import directory_changes_drain
from provisioning.people.models import MailAddress, Person
from provisioning.reorg.models import UnitPlan
from provisioning.reorg.services import plan_apply, plan_cancel, plan_merge_create, plan_preview, plans_apply_due
from provisioning.reports.selectors import figures, trend
from provisioning.reports.services import snapshot_build
from provisioning.units.models import Unit
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_provinces():
    qt = factories.province()  # quangtri.gov.vn
    qb = factories.province("000.00.00.H44", domain="quangbinh.gov.vn")
    qb.name = "UBND tỉnh Quảng Bình"
    qb.save(update_fields=["name"])
    qb_syt = factories.unit(qb, "000.00.05.H44", "Sở Y tế Quảng Bình")
    qt_syt = factories.unit(qt, "000.00.05.H45", "Sở Y tế")
    hoang_qt = factories.person(qt_syt, "Nguyễn", "Tiến", "Hoàng")  # hoangnt@quangtri.gov.vn
    hoang_qb = factories.person(qb_syt, "Nguyễn", "Thanh", "Hoàng")  # hoangnt@quangbinh.gov.vn
    lan = factories.person(qb, "Phạm", "Thị", "Lan")  # in the province's own office
    return {"qt": qt, "qb": qb, "qb_syt": qb_syt, "qt_syt": qt_syt, "hoang_qt": hoang_qt, "hoang_qb": hoang_qb,
            "lan": lan}


def test_preview_lists_every_person_unit_and_address_conflict_and_changes_nothing(two_provinces):
    t = two_provinces
    plan = plan_merge_create(actor=None, sources=[t["qb"]], target=t["qt"], effective=timezone.localdate(),
                             note="Nghị quyết 202/2025/QH15")
    MailAddress.objects.create(address="lanpt@quangtri.gov.vn", unit=t["qt"], kind=MailAddress.Kind.LIST)
    preview = plan_preview(plan)
    assert {p["person"].uid for p in preview.people} == {t["hoang_qb"].uid, t["lan"].uid}
    assert [u.code for u in preview.units] == ["000.00.05.H44"]
    after = {p["person"].uid: p["after"] for p in preview.people}
    assert after[t["hoang_qb"].uid] == t["hoang_qb"].mail.replace("quangbinh", "quangtri")
    assert after[t["lan"].uid] == "lanpt2@quangtri.gov.vn"  # lanpt@ is a list's address here
    assert any("lanpt@quangtri.gov.vn" in c and "lanpt2@quangtri.gov.vn" in c for c in preview.conflicts)
    assert Person.objects.get(pk=t["lan"].pk).unit == t["qb"]  # nothing changed


def test_a_province_merged_into_another_keeps_every_address_delivering(two_provinces, dovecot):
    from tests.mail.test_dovecot import deliver, imap_login

    t = two_provinces
    old_address = Person.objects.get(pk=t["hoang_qb"].pk).mail
    plan = plan_merge_create(actor=None, sources=[t["qb"]], target=t["qt"], effective=timezone.localdate())
    plan = plan_apply(actor=None, plan=plan)
    directory_changes_drain()
    assert plan.status == UnitPlan.Status.APPLIED
    hoang = Person.objects.get(pk=t["hoang_qb"].pk)
    assert hoang.unit.code == "000.00.05.H44" and hoang.unit.parent == t["qt"]  # the department moved
    assert hoang.mail == old_address.replace("quangbinh", "quangtri")
    assert MailAddress.objects.get(address=old_address).person == hoang  # kept as an alias
    lan = Person.objects.get(pk=t["lan"].pk)
    assert lan.unit == t["qt"] and lan.mail == "lanpt@quangtri.gov.vn"
    assert Unit.objects.get(pk=t["qb"].pk).closed_on == timezone.localdate()
    entry = gateway.person_get(hoang.uid)
    assert entry.mail == hoang.mail and old_address in entry.mail_aliases
    deliver(dovecot, old_address, "Thư gửi địa chỉ cũ")
    m = imap_login(dovecot, hoang.mail, factories.PASSWORD)
    m.select("INBOX")
    _, found = m.search(None, "ALL")
    assert len(found[0].split()) == 1
    m.logout()


def test_an_interrupted_apply_finishes_when_run_again(two_provinces, monkeypatch):
    from provisioning.people import services as people_services

    t = two_provinces
    plan = plan_merge_create(actor=None, sources=[t["qb_syt"]], target=t["qt_syt"], effective=timezone.localdate())
    real, calls = people_services.person_transfer, []

    def crash_once(**kw):  # the worker dies after the first move
        calls.append(kw["person"].uid)
        if len(calls) == 1:
            raise RuntimeError("worker killed")
        return real(**kw)

    monkeypatch.setattr("provisioning.reorg.services.person_transfer", crash_once)
    with pytest.raises(RuntimeError):
        plan_apply(actor=None, plan=plan)
    assert UnitPlan.objects.get(pk=plan.pk).status == UnitPlan.Status.APPLYING
    assert plans_apply_due() == 1  # the hourly task finishes it
    assert UnitPlan.objects.get(pk=plan.pk).status == UnitPlan.Status.APPLIED
    assert Person.objects.get(pk=t["hoang_qb"].pk).unit == t["qt_syt"]


def test_the_merged_units_past_is_still_readable_as_of_before(two_provinces):
    t = two_provinces
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    from provisioning.people.models import PersonPeriod
    from provisioning.units.models import UnitVersion

    UnitVersion.objects.update(valid_from=yesterday - dt.timedelta(days=30))
    Unit.objects.update(valid_from=yesterday - dt.timedelta(days=30))
    PersonPeriod.objects.update(valid_from=yesterday - dt.timedelta(days=30))
    snapshot_build(yesterday)
    plan = plan_merge_create(actor=None, sources=[t["qb_syt"]], target=t["qt_syt"], effective=timezone.localdate())
    plan_apply(actor=None, plan=plan)
    [qb_before] = figures(yesterday, t["qb"])
    assert qb_before.staff == 2 and [c.unit.code for c in qb_before.children] == ["000.00.05.H44"]
    [qt_now] = figures(timezone.localdate(), t["qt_syt"])
    assert qt_now.staff == 2  # both Hoàngs
    # the merged unit's past is the sum of its parts: yesterday Sở Y tế had 1 and Quảng Bình's had 1
    [(day, _mailbox, _regular)] = trend(t["qt_syt"], [yesterday])


    assert day == yesterday
    from provisioning.reports.selectors import _lineage

    assert set(_lineage(t["qt_syt"])) == {t["qt_syt"].pk, t["qb_syt"].pk}


def test_bad_plans_are_refused_and_a_plan_can_be_cancelled(two_provinces):
    t = two_provinces
    with pytest.raises(ValidationError) as e:
        plan_merge_create(actor=None, sources=[t["qb"]], target=t["qb_syt"], effective=timezone.localdate())
    assert list(e.value.message_dict) == ["target"]
    with pytest.raises(ValidationError):
        plan_merge_create(actor=None, sources=[t["qb"]], new_code="000.00.05.H45", new_name="Trùng mã",
                          new_kind="province", new_domain="moi.gov.vn", effective=timezone.localdate())
    later = timezone.localdate() + dt.timedelta(days=10)
    plan = plan_merge_create(actor=None, sources=[t["qb_syt"]], target=t["qt_syt"], effective=later)
    with pytest.raises(ValidationError):
        plan_apply(actor=None, plan=plan)  # not before its date
    assert plans_apply_due() == 0
    plan_cancel(actor=None, plan=plan)
    assert UnitPlan.objects.get(pk=plan.pk).status == UnitPlan.Status.CANCELLED


def test_dissolving_districts_moves_their_communes_and_people_to_the_province(slapd_config):
    from provisioning.reorg.services import plan_dissolve_create

    qt = factories.province()
    gio_linh = factories.unit(qt, "001.00.00.H45", "Huyện Gio Linh", kind="district")
    cam_lo = factories.unit(qt, "002.00.00.H45", "Huyện Cam Lộ", kind="district")
    gio_mai = factories.unit(gio_linh, "001.01.00.H45", "Xã Gio Mai", kind="commune")
    officer = factories.person(gio_linh, "Lê", "Văn", "Tám")
    clerk = factories.person(gio_mai, "Hồ", "Thị", "Mai")
    plan = plan_dissolve_create(actor=None, sources=[gio_linh, cam_lo], effective=timezone.localdate(),
                                note="Nghị quyết bỏ cấp huyện")
    preview = plan_preview(plan)
    assert {p["person"].uid for p in preview.people} == {officer.uid, clerk.uid}
    assert [u.code for u in preview.units] == ["001.01.00.H45"]
    plan_apply(actor=None, plan=plan)
    assert Unit.objects.get(pk=gio_mai.pk).parent == qt
    assert Person.objects.get(pk=officer.pk).unit == qt
    assert Person.objects.get(pk=clerk.pk).unit_id == gio_mai.pk
    assert Person.objects.get(pk=clerk.pk).mail == clerk.mail  # same domain: the address stays
    assert all(u.closed_on for u in Unit.objects.filter(pk__in=[gio_linh.pk, cam_lo.pk]))
    directory_changes_drain()
    assert gateway.person_get(officer.uid).unit_code == qt.code


def test_a_commune_moved_to_another_province_keeps_its_peoples_mailboxes_and_history(two_provinces):
    from provisioning.units.services import unit_update

    t = two_provinces
    commune = factories.unit(t["qb"], "003.01.00.H44", "Xã Quảng Phú", kind="commune")
    person = factories.person(commune, "Võ", "Văn", "Kiệt")
    address = person.mail
    unit_update(actor=None, unit=commune, parent=t["qt"])
    directory_changes_drain()
    person.refresh_from_db()
    assert person.mail == address and gateway.person_get(person.uid).mail == address
    assert Unit.objects.get(pk=commune.pk).versions.count() >= 1


def test_a_merger_queues_each_moved_person_once_with_their_unit_and_new_address(two_provinces):
    from django.db.models import Count

    from provisioning.outbox.models import DirectoryChange

    t = two_provinces
    directory_changes_drain()
    DirectoryChange.objects.all().delete()
    plan = plan_merge_create(actor=None, sources=[t["qb"]], target=t["qt"], effective=timezone.localdate())
    plan_apply(actor=None, plan=plan)
    rows = dict(DirectoryChange.objects.filter(kind="person").values_list("object_id").annotate(n=Count("pk")))
    assert rows == {t["hoang_qb"].pk: 1, t["lan"].pk: 1}  # moved and readdressed: one row carries both
    directory_changes_drain()
    hoang = Person.objects.get(pk=t["hoang_qb"].pk)
    assert gateway.person_get(hoang.uid).mail == hoang.mail.replace("quangbinh", "quangtri") == hoang.mail
