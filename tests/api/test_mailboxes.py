"""Mailboxes over the API: functional mailboxes by the unit's HR officers, the IT lead's mailbox list,
distribution lists by the superadmin, quota requests decided by a unit head."""

from __future__ import annotations

import pytest

from accounts.models import Role, RoleAssignment
from accounts.tokens.services import token_create
from provisioning.approvals.models import QuotaRequest
from provisioning.audit.models import AuditEntry
from tests import factories
from tests.api.conftest import Api, directory_user

pytestmark = pytest.mark.django_db


def test_functional_mailbox_created_and_delegated_in_the_officers_units(api, cast):
    colleague = cast["colleague"]
    created = api.post("/api/v1/functional-mailboxes/", {"unit": "000.00.03.H45", "local_part": "vanthu",
                                                         "name": "Văn thư Sở Tài chính", "delegates": [colleague.pk]})
    assert created.status_code == 201, created.content
    fm = created.json()
    assert fm["address"] == "vanthu@quangtri.gov.vn" and fm["delegates"] == [colleague.pk]
    taken = api.post("/api/v1/functional-mailboxes/", {"unit": "000.00.03.H45", "local_part": "vanthu", "name": "x"})
    assert taken.status_code == 400 and list(taken.json()) == ["local_part"]
    outside = api.post("/api/v1/functional-mailboxes/", {"unit": "000.00.05.H45", "local_part": "yte", "name": "x"})
    assert outside.status_code == 400 and list(outside.json()) == ["unit"]
    stranger = api.patch(f"/api/v1/functional-mailboxes/{fm['id']}/", {"delegates": [cast["outsider"].pk]})
    assert stranger.status_code == 400 and list(stranger.json()) == ["delegates"]
    cleared = api.patch(f"/api/v1/functional-mailboxes/{fm['id']}/", {"delegates": []})
    assert cleared.status_code == 200 and cleared.json()["delegates"] == []
    assert [m["address"] for m in api.get("/api/v1/functional-mailboxes/").json()["results"]] == [fm["address"]]
    assert AuditEntry.objects.filter(action="mailbox.delegates_changed", actor=cast["hr_user"]).exists()


def test_the_mailbox_list_is_the_it_leads(client, api, cast):
    assert api.get("/api/v1/mailboxes/").status_code == 403  # an HR officer: not an IT lead
    lead = factories.person(cast["syt"], "Võ", "Thị", "Mai", password=None)
    RoleAssignment.objects.create(person=lead, role=Role.IT_LEAD, unit=cast["syt"])
    it = Api(client, token_create(actor=directory_user(lead), name="dashboard")[1])
    body = it.get("/api/v1/mailboxes/").json()
    assert {m["uid"] for m in body["results"]} == {lead.uid, cast["outsider"].uid}  # Sở Y tế only
    assert body["results"][0]["quota_bytes"] > 0
    assert it.get("/api/v1/mailboxes/", {"activity": "sometimes"}).status_code == 400


def test_lists_are_set_by_the_superadmin(client, api, cast, superadmin_token):
    assert api.post("/api/v1/lists/", {"unit": "000.00.03.H45", "local_part": "sotaichinh"}).status_code == 403
    admin = Api(client, superadmin_token)
    bad = admin.post("/api/v1/lists/", {"unit": "000.00.03.H45", "local_part": "Sở!"})
    assert bad.status_code == 400 and list(bad.json()) == ["local_part"]
    done = admin.post("/api/v1/lists/", {"unit": "000.00.03.H45", "local_part": "sotaichinh"})
    assert done.status_code == 201 and done.json()["list_address"] == "sotaichinh@quangtri.gov.vn"
    assert [u["unit"] for u in api.get("/api/v1/lists/").json()["results"]] == ["000.00.03.H45"]


def test_quota_request_asked_by_the_officer_and_decided_by_a_unit_head(client, api, cast):
    colleague = cast["colleague"]
    small = api.post("/api/v1/quota-requests/", {"person": colleague.pk, "requested_mb": 10, "reason": "thư nhiều"})
    assert small.status_code == 400 and list(small.json()) == ["requested_mb"]
    outside = api.post("/api/v1/quota-requests/", {"person": cast["outsider"].pk, "requested_mb": 4096,
                                                   "reason": "x"})
    assert outside.status_code == 404
    asked = api.post("/api/v1/quota-requests/", {"person": colleague.pk, "requested_mb": 4096, "reason": "thư nhiều"})
    assert asked.status_code == 201, asked.content
    pk = asked.json()["id"]
    assert api.post(f"/api/v1/quota-requests/{pk}/decide/", {"decision": "approve"}).status_code == 404  # not a head
    head = factories.person(cast["stc"], "Hoàng", "Văn", "Nam", password=None)
    RoleAssignment.objects.create(person=head, role=Role.UNIT_HEAD, unit=cast["stc"])
    RoleAssignment.objects.create(person=head, role=Role.HR_ADMIN, unit=cast["stc"])
    boss = Api(client, token_create(actor=directory_user(head), name="inbox")[1])
    decided = boss.post(f"/api/v1/quota-requests/{pk}/decide/", {"decision": "approve", "note": "ok"})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    colleague.refresh_from_db()
    assert colleague.quota_mb == 4096
    assert boss.post(f"/api/v1/quota-requests/{pk}/decide/", {"decision": "refuse"}).status_code == 404  # decided
    assert QuotaRequest.objects.get(pk=pk).decided_by.username == head.uid
    assert [r["id"] for r in api.get("/api/v1/quota-requests/").json()["results"]] == [pk]
