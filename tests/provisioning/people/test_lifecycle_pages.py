"""Suspend, reinstate, leave, rehire and transfer as an HR officer meets them: each opens a
confirmation page asking from when and why, and the person's history says what happened."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role, RoleAssignment
from provisioning.audit.models import AuditEntry
from provisioning.people.models import Person, PersonStatus
from tests import factories

pytestmark = pytest.mark.django_db

ACTIONS = ("suspend", "leave", "transfer")


@pytest.fixture
def cast(client):
    """An HR officer of Sở Tài chính; a commune chairman in Phòng Ngân sách (a stand-in for a
    commune); an outsider in Sở Y tế."""
    p = factories.province()
    stc = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    ns = factories.unit(stc, "000.03.01.H45", "Phòng Ngân sách", kind="division")
    vp = factories.unit(stc, "000.03.02.H45", "Văn phòng Sở", kind="division")
    syt = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    hr = factories.person(stc, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=stc)
    chairman = factories.person(ns, "Nguyễn", "Văn", "An", position="Chủ tịch UBND", password=None)
    outsider = factories.person(syt, "Đặng", "Văn", "Đức", password=None)
    assert client.post("/accounts/login/", {"username": hr.uid, "password": factories.PASSWORD}).status_code == 302
    return {"hr": hr, "chairman": chairman, "outsider": outsider, "stc": stc, "ns": ns, "vp": vp, "syt": syt}


def _entries(person) -> int:
    return AuditEntry.objects.filter(target_type="person", target_id=str(person.pk)).count()


def _today() -> str:
    return timezone.localdate().isoformat()


@pytest.mark.parametrize("action", ["suspend", "leave", "transfer"])
def test_opening_a_lifecycle_action_shows_its_confirmation_and_changes_nothing(client, cast, action):
    person = cast["chairman"]
    before = _entries(person)
    r = client.get(f"/people/{person.pk}/{action}/")
    page = r.content.decode()
    assert r.status_code == 200
    assert 'name="effective_on"' in page and f'value="{_today()}"' in page and 'name="reason"' in page
    assert "Nguyễn Văn An" in page
    if action == "transfer":
        assert 'name="unit"' in page and 'name="position"' in page
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.status, fresh.unit_id, fresh.position) == (PersonStatus.ACTIVE, cast["ns"].pk, "Chủ tịch UBND")
    assert _entries(person) == before


def test_the_person_page_links_to_the_confirmation_pages(client, cast):
    pk = cast["chairman"].pk
    page = client.get(f"/people/{pk}/").content.decode()
    for action in ACTIONS:
        assert f'href="/people/{pk}/{action}/"' in page


def test_an_outsider_cannot_be_acted_on(client, cast):
    pk = cast["outsider"].pk
    assert client.get(f"/people/{pk}/suspend/").status_code == 404
    assert client.post(f"/people/{pk}/suspend/", {"effective_on": _today(), "reason": "x"}).status_code == 404
    assert Person.objects.get(pk=pk).status == PersonStatus.ACTIVE


@pytest.mark.parametrize("action", ["suspend", "leave"])
def test_suspending_or_leaving_without_a_reason_is_refused_in_vietnamese(client, cast, action):
    person = cast["chairman"]
    before = _entries(person)
    r = client.post(f"/people/{person.pk}/{action}/", {"effective_on": _today(), "reason": "  "})
    assert r.status_code == 400
    assert "Hãy ghi lý do" in r.content.decode()
    assert Person.objects.get(pk=person.pk).status == PersonStatus.ACTIVE and _entries(person) == before


def test_a_future_effective_date_is_refused_and_says_why(client, cast):
    person = cast["chairman"]
    later = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    r = client.post(f"/people/{person.pk}/suspend/", {"effective_on": later, "reason": "Kỷ luật"})
    assert r.status_code == 400 and "chưa thể hẹn trước" in r.content.decode()
    assert Person.objects.get(pk=person.pk).status == PersonStatus.ACTIVE


def test_the_old_one_click_post_only_leads_to_the_confirmation(client, cast):
    pk = cast["chairman"].pk
    r = client.post(f"/people/{pk}/action/", {"action": "suspend"})
    assert r.status_code == 302 and r["Location"] == f"/people/{pk}/suspend/"
    assert Person.objects.get(pk=pk).status == PersonStatus.ACTIVE


def test_suspension_records_its_date_and_reason_and_the_history_shows_them(client, cast):
    person = cast["chairman"]
    day = timezone.localdate() - dt.timedelta(days=2)
    r = client.post(f"/people/{person.pk}/suspend/", {"effective_on": day.isoformat(),
                                                       "reason": "Tạm đình chỉ công tác để kiểm điểm"})
    assert r.status_code == 302 and r["Location"] == f"/people/{person.pk}/"
    assert Person.objects.get(pk=person.pk).status == PersonStatus.SUSPENDED
    entry = AuditEntry.objects.get(action="person.suspended", target_id=str(person.pk))
    assert entry.after["effective_on"] == day.isoformat()
    assert entry.reason == "Tạm đình chỉ công tác để kiểm điểm" and "reason" not in entry.after
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert f"có hiệu lực từ {day:%d/%m/%Y}" in page and "lý do: Tạm đình chỉ công tác để kiểm điểm" in page


def test_leaving_on_a_past_day_counts_the_retention_from_that_day(client, cast):
    person = cast["chairman"]
    day = timezone.localdate() - dt.timedelta(days=10)
    client.post(f"/people/{person.pk}/leave/", {"effective_on": day.isoformat(), "reason": "Nghỉ hưu"})
    person.refresh_from_db()
    assert person.status == PersonStatus.LEFT and person.left_on == day


def test_reinstating_needs_no_reason(client, cast):
    person = cast["chairman"]
    client.post(f"/people/{person.pk}/suspend/", {"effective_on": _today(), "reason": "Kiểm điểm"})
    r = client.post(f"/people/{person.pk}/reinstate/", {"effective_on": _today(), "reason": ""})
    assert r.status_code == 302 and Person.objects.get(pk=person.pk).status == PersonStatus.ACTIVE


def test_a_transfer_without_a_new_position_is_refused_unless_the_old_one_is_kept_explicitly(client, cast):
    person = cast["chairman"]
    r = client.post(f"/people/{person.pk}/transfer/", {"unit": cast["vp"].pk, "position": "",
                                                        "effective_on": _today()})
    assert r.status_code == 400 and "chức vụ" in r.content.decode()
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.unit_id, fresh.position) == (cast["ns"].pk, "Chủ tịch UBND")
    r = client.post(f"/people/{person.pk}/transfer/", {"unit": cast["vp"].pk, "position": "", "keep_position": "on",
                                                        "effective_on": _today()})
    fresh = Person.objects.get(pk=person.pk)
    assert r.status_code == 302 and (fresh.unit_id, fresh.position) == (cast["vp"].pk, "Chủ tịch UBND")


def test_a_transfer_outside_the_officers_units_is_refused(client, cast):
    person = cast["chairman"]
    r = client.post(f"/people/{person.pk}/transfer/", {"unit": cast["syt"].pk, "position": "Chuyên viên",
                                                        "effective_on": _today()})
    assert r.status_code == 400 and Person.objects.get(pk=person.pk).unit_id == cast["ns"].pk


def test_the_history_says_where_from_and_where_to_with_both_positions(client, cast):
    person = cast["chairman"]
    r = client.post(f"/people/{person.pk}/transfer/", {
        "unit": cast["vp"].pk, "position": "Chuyên viên", "effective_on": _today(),
        "reason": "Theo quyết định 12/QĐ-UBND"})
    assert r.status_code == 302
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.unit_id, fresh.position) == (cast["vp"].pk, "Chuyên viên")
    entry = AuditEntry.objects.get(action="person.transferred", target_id=str(person.pk))
    assert entry.reason == "Theo quyết định 12/QĐ-UBND" and entry.after["effective_on"] == _today()
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "điều chuyển từ Sở Tài chính › Phòng Ngân sách sang Sở Tài chính › Văn phòng Sở" in page
    assert "chức vụ: Chủ tịch UBND → Chuyên viên" in page
    assert "lý do: Theo quyết định 12/QĐ-UBND" in page
    assert f"có hiệu lực từ {timezone.localdate():%d/%m/%Y}" in page
