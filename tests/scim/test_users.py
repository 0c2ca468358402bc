"""/scim/v2/Users: a provisioning client (an HR system) creates, finds, changes, suspends and removes people
through the same people services as the pages, within the token owner's units, every change audited."""

from __future__ import annotations

import pytest

from directory import gateway
from provisioning.audit.models import AuditEntry
from provisioning.outbox.models import DirectoryChange
from provisioning.outbox.services import directory_changes_drain
from provisioning.people.models import Person, PersonStatus
from provisioning.scim.models import ScimUserLink
from tests import factories
from tests.scim.conftest import ENTERPRISE, new_user

pytestmark = pytest.mark.django_db
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def _patch(*operations) -> dict:
    return {"schemas": [PATCH], "Operations": list(operations)}


def test_a_scim_created_person_is_onboarded_like_on_the_pages(scim, cast):
    r = scim.post("/Users", new_user(cast["ns"].code, externalId="hrm-0042", title="Chuyên viên",
                                     emails=[{"value": "mai.le@gmail.com"}], phoneNumbers=[{"value": "0912345678"}]))
    assert r.status_code == 201, r.json()
    assert r["Content-Type"] == "application/scim+json"
    body = r.json()
    person = Person.objects.get(pk=int(body["id"]))
    # idm's naming function chose the user name and the address (the client's "ignored" is not used)
    assert (body["userName"], person.mail) == ("mailt", "mailt@quangtri.gov.vn")
    assert body["active"] is True and person.status == PersonStatus.STAGED
    assert body[ENTERPRISE] == {"employeeNumber": "NV900", "department": cast["ns"].code}
    assert body["externalId"] == "hrm-0042" and body["meta"]["version"].startswith('W/"')
    assert r["ETag"] == body["meta"]["version"] and r["Location"].endswith(f"/scim/v2/Users/{person.pk}")
    audit = AuditEntry.objects.filter(target_type="person", target_id=str(person.pk))
    assert set(audit.values_list("action", flat=True)) == {"person.onboarded", "scim.external_id_set"}
    assert {e.actor for e in audit} == {cast["hr_user"]}
    assert DirectoryChange.objects.filter(kind=DirectoryChange.Kind.PERSON, object_id=person.pk).exists()
    directory_changes_drain()
    assert gateway.person_get("mailt").mail == "mailt@quangtri.gov.vn"


def test_active_false_on_creation_onboards_then_suspends(scim, cast):
    r = scim.post("/Users", new_user(cast["stc"].code, active=False))
    assert r.status_code == 201 and r.json()["active"] is False
    assert Person.objects.get(pk=r.json()["id"]).status == PersonStatus.SUSPENDED


def test_patch_active_false_suspends_through_the_service_and_true_reinstates(scim, cast):
    colleague = cast["colleague"]
    r = scim.send("patch", f"/Users/{colleague.pk}", _patch({"op": "replace", "path": "active", "value": False}))
    assert r.status_code == 200 and r.json()["active"] is False
    colleague.refresh_from_db()
    assert colleague.status == PersonStatus.SUSPENDED
    entry = AuditEntry.objects.get(action="person.suspended", target_id=str(colleague.pk))
    assert entry.actor == cast["hr_user"] and entry.reason == "SCIM"
    r = scim.send("patch", f"/Users/{colleague.pk}", _patch({"op": "replace", "value": {"active": True}}))
    assert r.status_code == 200 and r.json()["active"] is True
    assert AuditEntry.objects.filter(action="person.reinstated", target_id=str(colleague.pk)).exists()


def test_patch_add_replace_and_remove_reach_the_record(scim, cast):
    pk = cast["colleague"].pk
    r = scim.send("patch", f"/Users/{pk}", _patch(
        {"op": "add", "path": "title", "value": "Phó trưởng phòng"},
        {"op": "replace", "path": "emails", "value": [{"value": "hoang@gmail.com"}]},
        {"op": "add", "path": "externalId", "value": "hrm-7"}))
    assert r.status_code == 200, r.json()
    person = Person.objects.get(pk=pk)
    assert (person.position, person.personal_email) == ("Phó trưởng phòng", "hoang@gmail.com")
    assert ScimUserLink.objects.get(person=person).external_id == "hrm-7"
    r = scim.send("patch", f"/Users/{pk}", _patch({"op": "remove", "path": "title"},
                                                  {"op": "remove", "path": "externalId"}))
    assert r.status_code == 200 and "title" not in r.json() and "externalId" not in r.json()
    assert Person.objects.get(pk=pk).position == "" and not ScimUserLink.objects.filter(person_id=pk).exists()
    assert AuditEntry.objects.filter(action="person.updated", target_id=str(pk)).count() == 2


def test_a_new_department_is_a_transfer(scim, cast):
    pk = cast["colleague"].pk
    r = scim.send("patch", f"/Users/{pk}", _patch(
        {"op": "replace", "path": f"{ENTERPRISE}:department", "value": cast["stc"].code}))
    assert r.status_code == 200, r.json()
    assert Person.objects.get(pk=pk).unit == cast["stc"]
    assert AuditEntry.objects.filter(action="person.transferred", target_id=str(pk)).exists()


def test_put_replaces_and_clears_what_is_left_out(scim, cast):
    pk = cast["colleague"].pk
    scim.send("patch", f"/Users/{pk}", _patch({"op": "add", "path": "title", "value": "Chuyên viên"}))
    body = new_user(cast["ns"].code, family="Nguyễn", middle="Tiến", given="Hoàng",
                    code=cast["colleague"].employee_code, active=True)
    r = scim.send("put", f"/Users/{pk}", body)
    assert r.status_code == 200, r.json()
    assert Person.objects.get(pk=pk).position == ""


def test_delete_is_a_departure_and_the_user_is_gone_from_scim(scim, cast):
    pk = cast["colleague"].pk
    assert scim.send("delete", f"/Users/{pk}").status_code == 204
    person = Person.objects.get(pk=pk)
    assert person.status == PersonStatus.LEFT and person.left_on is not None  # the record stays
    assert scim.get(f"/Users/{pk}").status_code == 404
    assert AuditEntry.objects.filter(action="person.left", target_id=str(pk), reason="SCIM").exists()


def test_filters_on_username_externalid_emails_and_employee_number(scim, cast):
    assert scim.post("/Users", new_user(cast["ns"].code, externalId="hrm-1",
                                        emails=[{"value": "mai.le@gmail.com"}])).status_code == 201
    cases = {
        'userName eq "MAILT"': ["mailt"],  # userName is case-insensitive
        'userName sw "mai"': ["mailt"],
        'externalId eq "hrm-1"': ["mailt"],
        'emails co "le@gmail"': ["mailt"],
        'emails[value ew ".com"]': ["mailt"],
        f'{ENTERPRISE}:employeeNumber eq "nv900"': ["mailt"],
        'employeeNumber sw "NV9" and name.givenName eq "Mai"': ["mailt"],
        f'userName eq "mailt" or userName eq "{cast["colleague"].uid}"': sorted(["mailt", cast["colleague"].uid]),
        'not (userName eq "mailt") and userName eq "mailt"': [],
        f'userName eq "{cast["outsider"].uid}"': [],  # outside the officer's units: not found, not refused
        'active eq true and not (title pr)': ["mailt"],  # the others have a position
    }
    for text, expected in cases.items():
        r = scim.get("/Users", {"filter": text})
        assert r.status_code == 200, (text, r.json())
        assert sorted(u["userName"] for u in r.json().get("Resources", [])) == expected, text
        assert r.json()["totalResults"] == len(expected), text


def test_list_is_paged_with_startindex_and_count(scim, cast):
    for i in range(3):
        factories.person(cast["ns"], "Võ", "Văn", f"Tám{'abc'[i]}", password=None)
    everyone = scim.get("/Users").json()
    assert everyone["totalResults"] == 5 and everyone["startIndex"] == 1
    page = scim.get("/Users", {"startIndex": 2, "count": 2}).json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (5, 2, 2)
    assert [u["id"] for u in page["Resources"]] == [u["id"] for u in everyone["Resources"][1:3]]
    assert "Resources" not in scim.get("/Users", {"count": 0}).json()
    search = scim.post("/Users/.search", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                                          "filter": 'name.familyName eq "Võ"', "count": 2,
                                          "attributes": ["userName"]})
    assert search.status_code == 200 and search.json()["totalResults"] == 3
    assert set(search.json()["Resources"][0]) == {"schemas", "id", "userName"}


def test_the_list_costs_a_few_queries_whatever_its_length(scim, cast, django_assert_max_num_queries):
    for i in range(10):
        factories.person(cast["ns"], "Võ", "Văn", f"Tám{'abcdefghij'[i]}", password=None)
    with django_assert_max_num_queries(12):
        assert len(scim.get("/Users").json()["Resources"]) == 12


def test_etag_if_match_and_if_none_match(scim, cast):
    pk = cast["colleague"].pk
    first = scim.get(f"/Users/{pk}")
    etag = first["ETag"]
    assert scim.get(f"/Users/{pk}", headers={"If-None-Match": etag}).status_code == 304
    changed = scim.send("patch", f"/Users/{pk}", _patch({"op": "add", "path": "title", "value": "Văn thư"}),
                        headers={"If-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    stale = scim.send("patch", f"/Users/{pk}", _patch({"op": "add", "path": "title", "value": "Kế toán"}),
                      headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.json()["status"] == "412"
    assert Person.objects.get(pk=pk).position == "Văn thư"
    assert scim.send("delete", f"/Users/{pk}", headers={"If-Match": etag}).status_code == 412


def test_enterprise_organization_and_manager_on_request(scim, cast):
    from accounts.models import Role, RoleAssignment

    head = factories.person(cast["ns"], "Đỗ", "Văn", "Trưởng", password=None)
    RoleAssignment.objects.create(person=head, role=Role.UNIT_HEAD, unit=cast["ns"])
    r = scim.get(f"/Users/{cast['colleague'].pk}",
                 {"attributes": f"{ENTERPRISE}:organization,{ENTERPRISE}:manager,userName"})
    ext = r.json()[ENTERPRISE]
    assert ext["organization"] == cast["p"].name
    assert ext["manager"]["value"] == str(head.pk) and ext["manager"]["displayName"] == head.full_name
