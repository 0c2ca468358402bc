"""AC-02 in a real browser: an HR officer of Sở Tài chính types the address of a person of Sở Y tế (their
page, edit form, help-desk reset, the unit's report) and gets the "page not found" page in Vietnamese,
with nothing of that person on it; the search and the export do not find them either. Their own
unit's person opens normally through the same addresses."""

from __future__ import annotations

import logging

import pytest

from accounts.models import Role, RoleAssignment
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_officer_cannot_reach_another_units_person_by_url(live_server, page, caplog):
    caplog.set_level(logging.INFO, logger="idm.access")
    province = factories.province()
    finance = factories.unit(province, "000.00.03.H45", "Sở Tài chính")
    health = factories.unit(province, "000.00.04.H45", "Sở Y tế")
    hr = factories.person(finance, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=finance)
    mine = factories.person(finance, "Trần", "Thị", "Mai", password=None)
    theirs = factories.person(health, "Lê", "Văn", "Bình", password=None, personal_email="binh.le@example.org")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", hr.uid)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/")

    response = page.goto(f"{live_server.url}/people/{mine.pk}/")
    assert response.status == 200 and "Trần Thị Mai" in page.locator("main").inner_text()

    for path in (f"/people/{theirs.pk}/", f"/people/{theirs.pk}/edit/", f"/people/{theirs.pk}/reset/",
                 f"/people/{theirs.pk}/suspend/", f"/reports/units/{health.code}/"):
        response = page.goto(f"{live_server.url}{path}")
        main = page.locator("main").inner_text()
        assert response.status == 404, path
        assert "Không tìm thấy trang" in main, path
        assert "Lê Văn Bình" not in page.content() and theirs.uid not in page.content(), path

    page.goto(f"{live_server.url}/people/?q=Bình")
    assert "Lê Văn Bình" not in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.evaluate("window.location = '/people/?export=csv'")
    exported = open(download.value.path(), encoding="utf-8-sig").read()
    assert mine.uid in exported and theirs.uid not in exported

    # AC-08: each refusal left a line naming who asked for what
    refused = [r.getMessage() for r in caplog.records if r.name == "idm.access"]
    assert any(hr.uid in m and f"/people/{theirs.pk}/edit/" in m for m in refused), refused
