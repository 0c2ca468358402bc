"""/api/v1/reports/units/: the reports pages' figures for a token, scoped like the pages."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def test_hr_officer_reads_the_figures_of_their_unit_and_its_children_by_token(api, cast):
    r = api.get("/api/v1/reports/units/")
    assert r.status_code == 200
    [top] = r.json()["units"]
    assert top["code"] == cast["stc"].code and top["staff"] == 2  # the officer and the colleague below
    assert [c["code"] for c in top["children"]] == [cast["ns"].code]
    one = api.get(f"/api/v1/reports/units/{cast['ns'].code}/", {"as_of": "2026-01-01"})
    assert one.status_code == 200 and one.json()["as_of"] == "2026-01-01"


def test_hr_officer_gets_404_for_a_unit_outside_their_subtree(api, cast):
    assert api.get(f"/api/v1/reports/units/{cast['syt'].code}/").status_code == 404
    assert api.get(f"/api/v1/reports/units/{cast['p'].code}/").status_code == 404


def test_a_bad_or_future_day_is_a_400_naming_the_field(api, cast):
    for day in ("yesterday", "2999-01-01"):
        r = api.get("/api/v1/reports/units/", {"as_of": day})
        assert r.status_code == 400 and "as_of" in r.json(), day


def test_reports_need_a_token_or_a_session(client, cast):
    assert Api(client, None).get("/api/v1/reports/units/").status_code == 401
    client.force_login(cast["hr_user"], backend="accounts.backends.DirectoryBackend")
    assert client.get("/api/v1/reports/units/").status_code == 200  # the pages' cookie, read only
    assert client.post("/api/v1/reports/units/").status_code in (403, 405)


def test_reports_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()["paths"]
    assert {"/api/v1/reports/units/", "/api/v1/reports/units/{code}/"} <= set(paths)
