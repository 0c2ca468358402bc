"""SCIM refusals are SCIM errors (status, scimType, detail) and never a server error; the token is the REST
API's, scoped like its owner and throttled the same way; units are read-only Groups."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import RoleAssignment
from provisioning.api.authentication import FailedTokenThrottle
from provisioning.people.models import Person
from tests.scim.conftest import ENTERPRISE, Scim, new_user

pytestmark = pytest.mark.django_db
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def _is_error(r, status: int, scim_type: str | None = None) -> dict:
    assert r.status_code == status, (r.status_code, r.content[:300])
    body = r.json()
    assert body["schemas"] == [ERROR] and body["status"] == str(status) and body["detail"]
    if scim_type:
        assert body["scimType"] == scim_type, body
    return body


def test_without_or_with_a_wrong_token_the_answer_is_a_scim_401(client, cast):
    r = Scim(client, None).get("/Users")
    _is_error(r, 401)
    assert r["WWW-Authenticate"].startswith("Bearer")
    _is_error(Scim(client, "idm_not-a-token").get("/Users"), 401)


def test_failed_tokens_are_throttled_like_the_api(client, cast, monkeypatch):
    monkeypatch.setattr(FailedTokenThrottle, "rate", "3/min", raising=False)
    wrong = Scim(client, "idm_guess")
    for _ in range(3):
        _is_error(wrong.get("/Users"), 401)
    _is_error(wrong.get("/Users"), 429)
    _is_error(Scim(client, cast["token"]).get("/Users"), 429)  # whatever it sends, for a while
    # one counter for the REST API and SCIM: failures at one door count at the other
    assert client.get("/api/v1/people/", headers={"Authorization": "Bearer idm_x"}).status_code == 429


def test_the_token_acts_as_its_owner_only_within_their_units(scim, cast):
    _is_error(scim.get(f"/Users/{cast['outsider'].pk}"), 404)
    _is_error(scim.send("patch", f"/Users/{cast['outsider'].pk}",
                        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                         "Operations": [{"op": "replace", "path": "active", "value": False}]}), 404)
    _is_error(scim.post("/Users", new_user(cast["syt"].code)), 400, "invalidValue")  # not their unit
    assert not Person.objects.filter(employee_code="NV900").exists()


def test_bad_input_is_a_scim_400_and_nothing_is_written(scim, cast):
    _is_error(scim.get("/Users", {"filter": 'userName eq'}), 400, "invalidFilter")
    _is_error(scim.get("/Users", {"filter": 'nickName eq "x"'}), 400, "invalidFilter")
    _is_error(scim.get("/Users", {"count": "many"}), 400, "invalidValue")
    _is_error(scim.post("/Users", new_user(cast["ns"].code, given="Mai2")), 400, "invalidValue")
    _is_error(scim.post("/Users", new_user(cast["ns"].code, phoneNumbers=[{"value": "12"}])), 400, "invalidValue")
    _is_error(scim.post("/Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}), 400)
    _is_error(scim.post("/Users", [1, 2]), 400, "invalidSyntax")
    r = scim.client.post("/scim/v2/Users", "{not json", content_type="application/scim+json",
                         headers={"Authorization": f"Bearer {cast['token']}"})
    _is_error(r, 400, "invalidSyntax")
    assert Person.objects.count() == 3


def test_numbers_beyond_the_database_range_are_no_server_error(scim, cast, settings):
    assert scim.get("/Users", {"startIndex": 10**30}).json()["totalResults"] == 2
    assert scim.get("/Users", {"filter": f'id eq "{10**30}"'}).json()["totalResults"] == 0
    _is_error(scim.get(f"/Users/{10**30}"), 404)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _is_error(scim.post("/Users", new_user(cast["ns"].code, title="x" * 2000)), 413)


def test_an_employee_code_taken_is_a_409_uniqueness(scim, cast):
    body = new_user(cast["ns"].code, code=cast["colleague"].employee_code.lower())
    _is_error(scim.post("/Users", body), 409, "uniqueness")


def test_read_only_attributes_cannot_be_patched(scim, cast):
    r = scim.send("patch", f"/Users/{cast['colleague'].pk}",
                  {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                   "Operations": [{"op": "replace", "path": "userName", "value": "root"}]})
    _is_error(r, 400, "mutability")
    assert Person.objects.get(pk=cast["colleague"].pk).uid == cast["colleague"].uid


def test_unknown_endpoints_and_cross_type_search(scim):
    _is_error(scim.get("/Bulk"), 404)
    _is_error(scim.post("/.search", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}), 501)


def test_units_are_read_only_groups_with_their_people(scim, cast):
    r = scim.get("/Groups")
    assert [g["id"] for g in r.json()["Resources"]] == [cast["stc"].code, cast["ns"].code]  # the officer's units
    ns = scim.get(f"/Groups/{cast['ns'].code}").json()
    assert ns["displayName"] == cast["ns"].name
    assert [m["value"] for m in ns["members"]] == [str(cast["colleague"].pk)]
    found = scim.get("/Groups", {"filter": f'members[value eq "{cast["colleague"].pk}"]'}).json()
    assert [g["id"] for g in found["Resources"]] == [cast["ns"].code]
    assert scim.get("/Groups", {"filter": 'displayName co "ngân"'}).json()["totalResults"] == 1
    _is_error(scim.get(f"/Groups/{cast['syt'].code}"), 404)
    _is_error(scim.post("/Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                    "displayName": "x"}), 405)
    _is_error(scim.send("delete", f"/Groups/{cast['ns'].code}"), 405)


def test_an_it_lead_without_hr_role_cannot_provision(client, cast):
    from accounts.models import Role, RoleAssignment
    from accounts.tokens.services import token_create
    from tests.api.conftest import directory_user

    RoleAssignment.objects.create(person=cast["outsider"], role=Role.IT_LEAD, unit=cast["p"])
    secret = token_create(actor=directory_user(cast["outsider"]), name="it")[1]
    _is_error(Scim(client, secret).get("/Users"), 403)
    assert Scim(client, secret).get("/ServiceProviderConfig").status_code == 200


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner,
                                                                                     max_size=4), max_leaves=8)
FIELDS = st.fixed_dictionaries({}, optional={
    "schemas": st.just(["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE]),
    "name": st.dictionaries(st.sampled_from(["familyName", "givenName", "middleName", "formatted"]), JSONISH),
    "active": JSONISH, "emails": JSONISH, "phoneNumbers": JSONISH, "title": JSONISH, "externalId": JSONISH,
    ENTERPRISE: st.dictionaries(st.sampled_from(["employeeNumber", "department", "manager"]), JSONISH),
    "Operations": st.lists(st.fixed_dictionaries({"op": st.sampled_from(["add", "replace", "remove", "x"])},
                                                 optional={"path": st.text(max_size=30), "value": JSONISH}),
                           max_size=2)})


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(body=FIELDS, method=st.sampled_from(["post", "put", "patch"]), filt=st.text(max_size=40))
def test_no_input_makes_scim_answer_a_server_error(scim, cast, body, method, filt):
    url = "/Users" if method == "post" else f"/Users/{cast['colleague'].pk}"
    if method == "patch":
        body = body | {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}
    r = scim.send(method, url, body)
    assert r.status_code < 500, (method, json.dumps(body)[:300], r.content[:300])
    assert scim.get("/Users", {"filter": filt}).status_code < 500, filt


def test_refusals_are_logged_to_idm_access_like_the_pages_and_the_rest_api(client, cast, caplog):
    """AC-08: a SCIM 404 (another unit's person) and 403 (no HR role) leave a line with who, method and path."""
    caplog.set_level(logging.INFO, logger="idm.access")
    pk = cast["outsider"].pk
    _is_error(Scim(client, cast["token"]).send("patch", f"/Users/{pk}", {}), 404)
    RoleAssignment.objects.filter(person=cast["hr"]).delete()
    _is_error(Scim(client, cast["token"]).get("/Groups"), 403)
    lines = [r.getMessage() for r in caplog.records if r.name == "idm.access"]
    who = cast["hr_user"].username
    assert f"not found (404): {who} PATCH /scim/v2/Users/{pk}" in lines
    assert f"access refused (403): {who} GET /scim/v2/Groups" in lines
