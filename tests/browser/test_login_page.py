"""A staff member logs in through the real login page, in a real browser."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_member_logs_in_through_the_login_page(live_server, page, tmp_path):
    unit = factories.unit(factories.province(), "000.00.01.H45", "Sở Khoa học và Công nghệ")
    factories.person(unit)
    page.goto(f"{live_server.url}/units/")
    assert page.locator("h1").inner_text() == "Đăng nhập"  # Vietnamese by default
    page.fill("#id_username", "hoangnt@quangtri.gov.vn")
    page.fill("#id_password", factories.PASSWORD)
    page.check("[data-show-password]")
    assert page.get_attribute("#id_password", "type") == "text"
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/units/")
    assert "Sở Khoa học và Công nghệ" in page.content()
    page.screenshot(path=str(tmp_path / "units.png"))
    page.click("button[value=en]")
    page.wait_for_selector("h1:has-text('Units')")


def test_a_wrong_password_shows_the_message_in_vietnamese(live_server, page):
    unit = factories.unit(factories.province(), "000.00.01.H45", "Sở Khoa học và Công nghệ")
    factories.person(unit)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "hoangnt")
    page.fill("#id_password", "sai mat khau roi nhe")
    page.click("button.primary")
    assert "không đúng" in page.locator("[role=alert]").inner_text()
