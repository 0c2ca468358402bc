"""People over the API: the HR officer's subtrees only (404 elsewhere), onboarding and the lifecycle
through the same services, refused fields named, errors in the caller's language."""

from __future__ import annotations

import logging

import pytest

from accounts.models import RoleAssignment
from provisioning.audit.models import AuditEntry
from provisioning.outbox.models import DirectoryChange
from provisioning.people.models import Person, PersonStatus
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def test_hr_officer_lists_only_the_people_of_their_units_with_filters(api, cast, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        body = api.get("/api/v1/people/").json()
    assert {p["uid"] for p in body["results"]} == {cast["hr"].uid, cast["colleague"].uid}
    assert body["count"] == 2 and body["next"] is None
    assert [p["uid"] for p in api.get("/api/v1/people/", {"q": "nguyen tien"}).json()["results"]] == ["hoangnt"]
    assert [p["uid"] for p in api.get("/api/v1/people/", {"unit": "000.03.01.H45"}).json()["results"]] == ["hoangnt"]
    assert api.get("/api/v1/people/", {"unit": "000.00.05.H45"}).json()["count"] == 0  # not theirs
    assert api.get("/api/v1/people/", {"status": "left"}).json()["count"] == 0
    assert api.get("/api/v1/people/", {"status": "gone"}).status_code == 400
    page = api.get("/api/v1/people/", {"size": 1}).json()
    assert len(page["results"]) == 1 and page["next"]


def test_out_of_scope_people_are_404_for_every_verb(api, cast):
    pk = cast["outsider"].pk
    assert api.get(f"/api/v1/people/{pk}/").status_code == 404
    assert api.patch(f"/api/v1/people/{pk}/", {"position": "x"}).status_code == 404
    assert api.post(f"/api/v1/people/{pk}/suspend/", {"reason": "x"}).status_code == 404
    assert api.post(f"/api/v1/people/{pk}/transfer/", {"unit": "000.00.03.H45"}).status_code == 404
    assert Person.objects.get(pk=pk).status == PersonStatus.ACTIVE


def test_onboarding_through_the_api_is_the_same_service_audited_and_queued(api, cast):
    response = api.post("/api/v1/people/", {"unit": "000.03.01.H45", "family_name": "Trần", "middle_name": "Thị Minh",
                                            "given_name": "Khai", "employee_code": "QT-900", "position": "Chuyên viên",
                                            "personal_email": "khai@gmail.com", "mailbox_decision": "issued"})
    assert response.status_code == 201, response.content
    person = response.json()
    assert person["uid"] == "khaittm" and person["mail"] == "khaittm@quangtri.gov.vn"
    assert person["unit"] == "000.03.01.H45" and person["status"] == "staged" and "citizen_id" not in person
    assert person["mailbox_decision"] == "issued"
    entry = AuditEntry.objects.get(action="person.onboarded", target_id=str(person["id"]))
    assert entry.actor == cast["hr_user"]
    assert DirectoryChange.objects.filter(kind=DirectoryChange.Kind.PERSON, object_id=person["id"]).exists()


def test_onboarding_errors_come_back_by_field_in_the_callers_language(api, cast):
    bad = {"unit": "000.00.03.H45", "family_name": "Lê", "given_name": "Tám", "employee_code": "QT-901",
           "phone": "12"}
    en = api.post("/api/v1/people/", bad, language="en")
    vi = api.post("/api/v1/people/", bad, language="vi")
    assert en.status_code == vi.status_code == 400
    assert list(en.json()) == ["phone"] and en.json()["phone"] != vi.json()["phone"]
    taken = api.post("/api/v1/people/", bad | {"phone": "", "employee_code": cast["outsider"].employee_code})
    assert taken.status_code == 400 and "employee_code" in taken.json()
    outside = api.post("/api/v1/people/", bad | {"phone": "", "unit": "000.00.05.H45"})
    assert outside.status_code == 400 and list(outside.json()) == ["unit"]  # not a unit they manage
    assert not Person.objects.filter(employee_code="QT-901").exists()


def test_fields_the_officer_may_not_change_are_refused_by_name(api, cast):
    pk = cast["colleague"].pk
    response = api.patch(f"/api/v1/people/{pk}/", {"uid": "boss", "status": "left", "quota_mb": 99999,
                                                   "position": "Trưởng phòng"})
    assert response.status_code == 400
    assert set(response.json()) == {"uid", "status", "quota_mb"}
    assert Person.objects.get(pk=pk).position == "Chuyên viên"  # nothing applied
    created = api.post("/api/v1/people/", {"unit": "000.00.03.H45", "family_name": "Lê", "given_name": "Tám",
                                           "employee_code": "QT-902", "mail": "sep@quangtri.gov.vn"})
    assert created.status_code == 400 and list(created.json()) == ["mail"]


def test_update_changes_hr_facts_and_is_audited(api, cast):
    pk = cast["colleague"].pk
    response = api.patch(f"/api/v1/people/{pk}/", {"position": "Trưởng phòng", "phone": "0912345678"})
    assert response.status_code == 200, response.content
    assert response.json()["position"] == "Trưởng phòng" and response.json()["phone"] == "+84912345678"
    assert AuditEntry.objects.filter(action="person.updated", target_id=str(pk), actor=cast["hr_user"]).exists()


def test_lifecycle_steps_follow_the_confirmation_rules_of_the_pages(api, cast):
    pk = cast["colleague"].pk
    no_reason = api.post(f"/api/v1/people/{pk}/suspend/", {})
    assert no_reason.status_code == 400 and list(no_reason.json()) == ["reason"]
    later = api.post(f"/api/v1/people/{pk}/suspend/", {"reason": "x", "effective_on": "2999-01-01"})
    assert later.status_code == 400 and list(later.json()) == ["effective_on"]
    done = api.post(f"/api/v1/people/{pk}/suspend/", {"reason": "kỷ luật"})
    assert done.status_code == 200 and done.json()["status"] == "suspended"
    assert api.post(f"/api/v1/people/{pk}/reinstate/", {}).json()["status"] == "active"
    left = api.post(f"/api/v1/people/{pk}/leave/", {"reason": "nghỉ hưu"})
    assert left.json()["status"] == "left" and left.json()["mailbox_kept_until"]
    again = api.post(f"/api/v1/people/{pk}/leave/", {"reason": "again"})
    assert again.status_code == 200  # already left: nothing changes
    bad_move = api.post(f"/api/v1/people/{pk}/suspend/", {"reason": "x"})
    assert bad_move.status_code == 400 and list(bad_move.json()) == ["status"]
    actions = list(AuditEntry.objects.filter(target_id=str(pk)).order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["person.suspended", "person.reinstated", "person.left"]


def test_transfer_within_the_officers_units(api, cast):
    pk = cast["colleague"].pk
    missing = api.post(f"/api/v1/people/{pk}/transfer/", {"unit": "000.00.03.H45"})
    assert missing.status_code == 400 and list(missing.json()) == ["position"]  # new position, or keep it
    outside = api.post(f"/api/v1/people/{pk}/transfer/", {"unit": "000.00.05.H45", "keep_position": True})
    assert outside.status_code == 400 and list(outside.json()) == ["unit"]
    moved = api.post(f"/api/v1/people/{pk}/transfer/", {"unit": "000.00.03.H45", "position": "Kế toán"})
    assert moved.status_code == 200 and moved.json()["unit"] == "000.00.03.H45"
    assert moved.json()["position"] == "Kế toán"
    assert AuditEntry.objects.filter(action="person.transferred", target_id=str(pk)).exists()


def test_a_token_outlives_no_role_its_owner_loses(client, cast):
    RoleAssignment.objects.filter(person=cast["hr"]).delete()  # the role is checked on every request
    assert Api(client, cast["token"]).get("/api/v1/people/").status_code == 403
    assert Api(client, cast["token"]).get(f"/api/v1/people/{cast['colleague'].pk}/").status_code == 403


def test_refusals_are_logged_to_idm_access_like_the_pages(api, cast, caplog):
    """AC-08: DRF answers 403 and 404 itself, past Django's error handlers; its exception handler logs them."""
    caplog.set_level(logging.INFO, logger="idm.access")
    pk = cast["outsider"].pk
    assert api.get(f"/api/v1/people/{pk}/").status_code == 404
    assert api.get("/api/v1/mailboxes/").status_code == 403  # an HR officer is no IT lead
    lines = [r.getMessage() for r in caplog.records if r.name == "idm.access"]
    who = cast["hr_user"].username
    assert f"not found (404): {who} GET /api/v1/people/{pk}/" in lines
    assert f"access refused (403): {who} GET /api/v1/mailboxes/" in lines
