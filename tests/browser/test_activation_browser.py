"""A newcomer activates the account in a real browser, with the code from the letter HR printed,
then logs in with the new password. Chromium sends an Origin header with every form post; the
page's Referrer-Policy decides whether that Origin is the site's or "null" (which Django's CSRF
check refuses), so only a real browser catches a policy that breaks the form."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from accounts.models import Role, RoleAssignment
from provisioning.people.models import Person, PersonStatus
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "nui ngu song huong mua thu vang"


def login(page, base_url, uid, password):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", uid)
    page.fill("#id_password", password)
    page.click("button.primary")


def test_newcomer_activates_with_the_letter_code_and_logs_in(live_server, browser, page):
    unit = factories.unit(factories.province(), "000.00.03.H45", "Sở Tài chính")
    hr = factories.person(unit, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=unit)
    newcomer = factories.person(unit, "Trần", "Thị Minh", "Khai", password=None, status=PersonStatus.STAGED)

    # HR prints the letter from the person's page, as the product does
    login(page, live_server.url, hr.uid, factories.PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/people/{newcomer.pk}/")
    with page.expect_download() as download:
        page.click("text=In thư kích hoạt")
    pdf = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    letter = " ".join(pdf.pages[0].extract_text().split())
    code = re.search(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b", letter).group(0)
    assert newcomer.uid in letter

    # the newcomer, in a browser of their own, in Vietnamese
    context = browser.new_context(locale="vi-VN")
    own = context.new_page()
    own.set_default_timeout(15000)
    try:
        own.goto(f"{live_server.url}/activate/")
        assert own.locator("h1").inner_text() == "Kích hoạt tài khoản"
        own.fill("#id_uid", newcomer.uid)
        own.fill("#id_code", code.lower())
        own.fill("#id_password", NEW_PASSWORD)
        own.fill("#id_password2", NEW_PASSWORD)
        own.click("button.primary")
        own.wait_for_selector("h1:has-text('Đã kích hoạt tài khoản')")
        assert newcomer.mail in own.locator("main").inner_text()
        assert Person.objects.get(pk=newcomer.pk).status == PersonStatus.ACTIVE

        own.click("main a:has-text('Đăng nhập')")
        own.fill("#id_username", newcomer.uid)
        own.fill("#id_password", NEW_PASSWORD)
        own.click("button.primary")
        own.wait_for_url(f"{live_server.url}/")
        assert own.locator("h1").inner_text() == "Tổng quan"
    finally:
        context.close()


def test_a_wrong_code_is_refused_in_vietnamese_and_the_form_stays(live_server, page):
    unit = factories.unit(factories.province(), "000.00.03.H45", "Sở Tài chính")
    newcomer = factories.person(unit, password=None, status=PersonStatus.STAGED)
    page.goto(f"{live_server.url}/activate/")
    page.fill("#id_uid", newcomer.uid)
    page.fill("#id_code", "AAAA-BBBB-CCCC")
    page.fill("#id_password", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.click("button.primary")
    page.wait_for_selector(".field-error")
    assert "mã kích hoạt" in page.locator(".field-error").inner_text()
    assert page.input_value("#id_uid") == newcomer.uid
