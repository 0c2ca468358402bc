"""Units over the API: the tree is readable by anyone signed in (as on the unit pages); only the
superadmin creates and changes units, with the unit form's rules."""

from __future__ import annotations

import pytest

from provisioning.audit.models import AuditEntry
from provisioning.units.models import Unit
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def test_the_tree_and_one_unit_with_its_children(api, cast):
    body = api.get("/api/v1/units/").json()
    assert [u["code"] for u in body["results"]][:1] == ["000.00.00.H45"]
    stc = next(u for u in body["results"] if u["code"] == "000.00.03.H45")
    assert stc["parent"] == "000.00.00.H45" and stc["staff"] == 1
    assert [u["code"] for u in api.get("/api/v1/units/", {"q": "ngân"}).json()["results"]] == ["000.03.01.H45"]
    assert api.get("/api/v1/units/", {"as_of": "2999-01-01"}).status_code == 400
    assert api.get("/api/v1/units/", {"as_of": "2020-01-01"}).json()["count"] == 0  # before the tree existed
    detail = api.get("/api/v1/units/000.00.03.H45/").json()
    assert [c["code"] for c in detail["children"]] == ["000.03.01.H45"]
    assert [a["code"] for a in detail["ancestors"]] == ["000.00.00.H45"]
    assert detail["resolved_mail_domain"] == "quangtri.gov.vn"
    assert api.get("/api/v1/units/NOPE/").status_code == 404


def test_only_the_superadmin_creates_and_changes_units(client, api, cast, superadmin_token):
    new = {"code": "000.00.07.H45", "name": "Sở Giáo dục", "kind": "department", "parent": "000.00.00.H45",
           "category_quota_mb": {"vien_chuc": 512}}
    assert api.post("/api/v1/units/", new).status_code == 403
    admin = Api(client, superadmin_token)
    bad = admin.post("/api/v1/units/", new | {"category_quota_mb": {"nobody": 512}, "mailbox_policy": "x"})
    assert bad.status_code == 400 and set(bad.json()) == {"category_quota_mb"}
    bad_policy = admin.post("/api/v1/units/", new | {"mailbox_policy": "robots"})
    assert bad_policy.status_code == 400 and list(bad_policy.json()) == ["mailbox_policy"]
    created = admin.post("/api/v1/units/", new)
    assert created.status_code == 201, created.content
    assert created.json()["category_quota_mb"] == {"vien_chuc": 512}
    assert api.patch("/api/v1/units/000.00.07.H45/", {"name": "x"}).status_code == 403
    renamed = admin.patch("/api/v1/units/000.00.07.H45/", {"name": "Sở Giáo dục và Đào tạo"})
    assert renamed.status_code == 200 and Unit.objects.get(code="000.00.07.H45").name == "Sở Giáo dục và Đào tạo"
    under_itself = admin.patch("/api/v1/units/000.00.03.H45/", {"parent": "000.03.01.H45"})
    assert under_itself.status_code == 400 and list(under_itself.json()) == ["parent"]
    refused = admin.patch("/api/v1/units/000.00.07.H45/", {"code": "NEW"})
    assert refused.status_code == 400 and list(refused.json()) == ["code"]
    assert AuditEntry.objects.filter(action="unit.renamed", actor__username="superadmin").exists()


def test_without_a_token_the_tree_and_the_lists_are_401_not_public(client, cast):
    """SuperadminWrites replaces the default IsAuthenticated: it must ask for a signed-in caller itself."""
    anonymous = Api(client, None)
    for url in ("/api/v1/units/", "/api/v1/units/000.00.03.H45/", "/api/v1/lists/"):
        response = anonymous.get(url)
        assert response.status_code == 401, url
        assert "Sở Tài chính" not in response.content.decode()
