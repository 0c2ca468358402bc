"""Every kind of plan survives faults during its apply (issue 12, "Scale and safety"): the worker dies
half-way through the SQL part (a batch rolled back, earlier ones committed), then slapd is killed while
the outbox is writing the directory. The plan is finished by the hourly task, the directory caught up
once slapd is back, and then `reconcile` finds no drift and every person's entry carries the unit and
addresses SQL has — against the real slapd."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from directory import connection, gateway
from directory.errors import DirectoryUnavailable
from provisioning.outbox import services as outbox
from provisioning.outbox.models import DirectoryChange
from provisioning.people.models import MailAddress, Person
from provisioning.reorg import services as reorg
from provisioning.reorg.models import PlanAlias, UnitPlan
from provisioning.units.models import Unit
from tests import factories

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """The worker process dying: not an Exception, so nothing on the way catches it."""


def kill_worker_at(monkeypatch, name: str, call: int) -> None:
    """The `call`-th call of reorg.services.<name> kills the worker (inside that step's transaction)."""
    real, calls = getattr(reorg, name), []

    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            raise WorkerKilled(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(reorg, name, dying)


def restart(stack) -> None:
    stack.start()
    connection.drop()  # this process's ldap3 session died with slapd (reconcile runs in a fresh process)


def drain_with_slapd_killed(stack, monkeypatch) -> None:
    """The outbox applies one small batch, then slapd is killed: the rest stays pending (nothing lost,
    nothing half-marked); slapd comes back and a second drain finishes."""
    real, calls = outbox.directory_changes_apply, []

    def apply(ids):
        calls.append(1)
        if len(calls) == 2:
            stack.stop()
        return real(ids)

    monkeypatch.setattr(outbox, "directory_changes_apply", apply)
    with pytest.raises(DirectoryUnavailable):
        outbox.directory_changes_drain(batch_size=2)
    monkeypatch.setattr(outbox, "directory_changes_apply", real)
    assert DirectoryChange.objects.filter(status=DirectoryChange.Status.RUNNING).count() == 0
    assert DirectoryChange.objects.filter(status=DirectoryChange.Status.PENDING).exists()
    restart(stack)
    outbox.directory_changes_drain()
    assert DirectoryChange.objects.exclude(status=DirectoryChange.Status.APPLIED).count() == 0


def assert_no_drift_and_every_entry_right(people: list[Person], unit_of: dict[int, str], domain_of: dict[int, str],
                                          old_mail: dict[int, str]) -> None:
    out = io.StringIO()
    call_command("reconcile", stdout=out)  # exits 1 on drift
    assert out.getvalue().strip().splitlines()[-1] == "reconcile: drift 0"
    for p in people:
        person = Person.objects.select_related("unit").get(pk=p.pk)
        entry = gateway.person_get(person.uid)
        assert person.unit.code == unit_of[p.pk] and entry.unit_code == unit_of[p.pk], person.uid
        assert person.mail.endswith("@" + domain_of[p.pk]) and entry.mail == person.mail, person.uid
        aliases = sorted(MailAddress.objects.filter(person=person, kind=MailAddress.Kind.ALIAS)
                         .values_list("address", flat=True))
        assert sorted(entry.mail_aliases) == aliases, person.uid
        if person.mail != old_mail[p.pk]:  # readdressed: the old address delivers, once, as an alias
            assert aliases == [old_mail[p.pk]], person.uid
            assert PlanAlias.objects.filter(person=person, address=old_mail[p.pk]).count() == 1
        else:
            assert aliases == [], person.uid


def finish_after_faults(plan: UnitPlan, stack, monkeypatch, kill: tuple[str, int]) -> UnitPlan:
    monkeypatch.setattr(reorg, "BATCH", 2)  # several batches, so the kill lands between committed ones
    kill_worker_at(monkeypatch, *kill)
    with pytest.raises(WorkerKilled):
        reorg.plan_apply(actor=None, plan=plan)
    monkeypatch.undo()
    monkeypatch.setattr(reorg, "BATCH", 2)
    assert UnitPlan.objects.get(pk=plan.pk).status == UnitPlan.Status.APPLYING
    outbox.directory_changes_drain()  # the directory follows the half-applied plan
    stack.stop()  # slapd is away while the hourly task finishes the SQL part: the outbox keeps it
    assert reorg.plans_apply_due() == 1
    restart(stack)
    drain_with_slapd_killed(stack, monkeypatch)
    plan = UnitPlan.objects.get(pk=plan.pk)
    assert plan.status == UnitPlan.Status.APPLIED
    return plan


@pytest.fixture
def two_provinces():
    qt = factories.province()  # quangtri.gov.vn
    qb = factories.province("000.00.00.H44", domain="quangbinh.gov.vn")
    qb_syt = factories.unit(qb, "000.00.05.H44", "Sở Y tế Quảng Bình")
    commune = factories.unit(qb, "003.01.00.H44", "Xã Quảng Phú", kind="commune")
    hamlet = factories.unit(commune, "003.01.01.H44", "Thôn Phú Xuân", kind="division")
    people = [factories.person(qb, "Phạm", "Thị", "Lan", code="QB01", password=None),
              factories.person(qb, "Lê", "Văn", "Tám", code="QB02", password=None),
              factories.person(qb_syt, "Nguyễn", "Thanh", "Hoàng", code="QB03", password=None),
              factories.person(qb_syt, "Trần", "Thị", "Thu", code="QB04", password=None),
              factories.person(commune, "Võ", "Văn", "Kiệt", code="QP01", password=None),
              factories.person(commune, "Đặng", "Thị", "Hà", code="QP02", status="staged", password=None),
              factories.person(hamlet, "Hồ", "Văn", "Nam", code="QP03", password=None)]
    factories.person(qt, "Phạm", "Thị", "Lan", code="QT01", password=None)
    return {"qt": qt, "qb": qb, "qb_syt": qb_syt, "commune": commune, "hamlet": hamlet, "people": people}


def _before(people):
    return {p.pk: Person.objects.get(pk=p.pk).mail for p in people}


def test_an_interrupted_merger_of_two_provinces_finishes_with_zero_drift(two_provinces, stack, monkeypatch):
    t = two_provinces
    old = _before(t["people"])
    plan = reorg.plan_merge_create(actor=None, sources=[t["qb"]], target=t["qt"], effective=timezone.localdate())
    finish_after_faults(plan, stack, monkeypatch, kill=("_progress", 3))
    codes = {p.pk: Person.objects.get(pk=p.pk).unit.code for p in t["people"]}
    assert {codes[p.pk] for p in t["people"][:2]} == {t["qt"].code}  # the province's own office moved
    assert Unit.objects.get(pk=t["qb"].pk).closed_on is not None
    assert Unit.objects.get(pk=t["commune"].pk).parent_id == t["qt"].pk
    assert_no_drift_and_every_entry_right(t["people"], codes, dict.fromkeys(codes, "quangtri.gov.vn"), old)


def test_an_interrupted_move_of_communes_to_another_province_finishes_with_zero_drift(two_provinces, stack,
                                                                                     monkeypatch):
    t = two_provinces
    old = _before(t["people"])
    plan = reorg.plan_reparent_create(actor=None, sources=[t["qb_syt"], t["commune"]], new_parent=t["qt"],
                                      effective=timezone.localdate())
    finish_after_faults(plan, stack, monkeypatch, kill=("_progress", 2))  # after the first unit moved
    codes = {p.pk: Person.objects.get(pk=p.pk).unit.code for p in t["people"]}
    assert codes == {p.pk: p.unit.code for p in t["people"]}  # nobody changed unit
    domains = {p.pk: "quangbinh.gov.vn" if p.unit_id == t["qb"].pk else "quangtri.gov.vn" for p in t["people"]}
    assert_no_drift_and_every_entry_right(t["people"], codes, domains, old)
    assert gateway.unit_get(t["hamlet"].code).parent_code == t["commune"].code
    assert gateway.unit_get(t["commune"].code).parent_code == t["qt"].code


def test_an_interrupted_dissolution_finishes_with_zero_drift(two_provinces, stack, monkeypatch):
    t = two_provinces
    old = _before(t["people"])
    plan = reorg.plan_dissolve_create(actor=None, sources=[t["qb_syt"], t["commune"]],
                                      effective=timezone.localdate())
    finish_after_faults(plan, stack, monkeypatch, kill=("_progress", 2))
    codes = {p.pk: Person.objects.get(pk=p.pk).unit.code for p in t["people"]}
    assert codes[t["people"][2].pk] == codes[t["people"][4].pk] == t["qb"].code
    assert codes[t["people"][6].pk] == t["hamlet"].code
    assert_no_drift_and_every_entry_right(t["people"], codes, dict.fromkeys(codes, "quangbinh.gov.vn"), old)
    assert all(u.closed_on for u in Unit.objects.filter(pk__in=[t["qb_syt"].pk, t["commune"].pk]))


@pytest.fixture
def department():
    qt = factories.province()
    snv = factories.unit(qt, "000.00.10.H45", "Sở Nội vụ")
    office = factories.unit(snv, "000.00.10.01.H45", "Văn phòng Sở", kind="division")
    archive = factories.unit(snv, "000.00.10.02.H45", "Chi cục Văn thư - Lưu trữ", kind="division")
    people = [factories.person(snv, "Lê", "Văn", "Bình", code="NV001", position="Giám đốc", password=None),
              factories.person(snv, "Trần", "Thị", "Thu", code="NV002", position="Chánh Thanh tra", password=None),
              factories.person(snv, "Hồ", "Văn", "Nam", code="NV003", position="Chuyên viên Ban Tôn giáo",
                               password=None),
              factories.person(snv, "Hồ", "Thị", "Mai", code="NV005", position="Chuyên viên tôn giáo",
                               password=None),
              factories.person(snv, "Lê", "Thị", "Hoa", code="NV006", position="Kế toán", password=None),
              factories.person(office, "Võ", "Thị", "Lan", code="NV004", position="Văn thư", password=None)]
    return {"qt": qt, "snv": snv, "office": office, "archive": archive, "people": people}


def test_an_interrupted_split_finishes_with_zero_drift(department, stack, monkeypatch):
    d = department
    old = _before(d["people"])
    parts = [{"code": "000.00.11.H45", "name": "Sở Nội vụ", "kind": "department", "default": True,
              "units": ["000.00.10.01.H45"]},
             {"code": "000.00.12.H45", "name": "Ban Tôn giáo", "kind": "department", "positions": ["tôn giáo"],
              "units": ["000.00.10.02.H45"]}]
    plan = reorg.plan_split_create(actor=None, source=d["snv"], parts=parts, effective=timezone.localdate())
    finish_after_faults(plan, stack, monkeypatch, kill=("_progress", 6))  # parts, units and a batch made
    want = {p.pk: "000.00.11.H45" for p in d["people"]}
    want[d["people"][2].pk] = want[d["people"][3].pk] = "000.00.12.H45"
    want[d["people"][5].pk] = d["office"].code
    assert_no_drift_and_every_entry_right(d["people"], want, dict.fromkeys(want, "quangtri.gov.vn"), old)
    assert Unit.objects.filter(code__in=["000.00.11.H45", "000.00.12.H45"]).count() == 2  # made once
    assert gateway.unit_get(d["office"].code).parent_code == "000.00.11.H45"
    assert Unit.objects.get(pk=d["snv"].pk).closed_on is not None


def test_an_interrupted_renaming_finishes_with_zero_drift(department, stack, monkeypatch):
    d = department
    old = _before(d["people"])
    plan = reorg.plan_rename_create(actor=None, unit=d["snv"], new_name="Sở Nội vụ và Lao động",
                                    effective=timezone.localdate())
    # the name committed, the certificates of the first people raised, then the worker dies
    monkeypatch.setattr(reorg, "BATCH", 2)
    real, calls = reorg.certificates.people_changed_agency, []

    def dying(**kw):
        calls.append(1)
        if len(calls) == 2:
            raise WorkerKilled("people_changed_agency")
        return real(**kw)

    monkeypatch.setattr(reorg.certificates, "people_changed_agency", dying)
    with pytest.raises(WorkerKilled):
        reorg.plan_apply(actor=None, plan=plan)
    monkeypatch.undo()
    assert Unit.objects.get(pk=d["snv"].pk).name == "Sở Nội vụ và Lao động"
    stack.stop()
    assert reorg.plans_apply_due() == 1
    restart(stack)
    drain_with_slapd_killed(stack, monkeypatch)
    assert UnitPlan.objects.get(pk=plan.pk).status == UnitPlan.Status.APPLIED
    assert gateway.unit_get(d["snv"].code).name == "Sở Nội vụ và Lao động"
    codes = {p.pk: p.unit.code for p in d["people"]}
    assert_no_drift_and_every_entry_right(d["people"], codes, dict.fromkeys(codes, "quangtri.gov.vn"), old)
