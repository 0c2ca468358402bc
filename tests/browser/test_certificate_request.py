"""A person asks for a certificate in a real browser; the unit head approves it, then the
provincial IT department puts it in a batch for the CA."""

from __future__ import annotations

import pytest

from provisioning.certificates.models import CertificateBatch, CertificateRequest, Stage
from tests import factories
from tests.provisioning.certificates.conftest import cast  # noqa: F401  (the cast of the certificate stories)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser, live_server, person):
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", person.uid)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button.primary")
    return context, page


def test_a_persons_request_walks_through_approval(live_server, browser, cast):  # noqa: F811
    context, page = signed_in(browser, live_server, cast.staff)
    page.goto(f"{live_server.url}/me/")
    page.click("text=Đề nghị cấp chứng thư số cá nhân")
    # what the directory knows is filled in, and the name and official address cannot be typed over
    assert page.input_value("#id_email") == "hoangnt@quangtri.gov.vn" and page.is_disabled("#id_email")
    assert page.input_value("#id_full_name") == "Nguyễn Tiến Hoàng"
    page.fill("#id_birth_date", "1990-05-17")
    page.fill("#id_id_number", "038090001234")
    page.fill("#id_id_issued_on", "2021-04-10")
    page.fill("#id_id_issued_at", "Cục Cảnh sát QLHC về TTXH")
    page.fill("#id_delivery_address", "Số 1 Hùng Vương, Đông Hà")
    page.click("text=Gửi thủ trưởng đơn vị")
    assert "Chờ thủ trưởng đơn vị".lower() in page.inner_text("main").lower()
    context.close()

    context, page = signed_in(browser, live_server, cast.head)
    page.goto(f"{live_server.url}/units/{cast.finance.code}/")  # the unit's page leads to its certificates
    page.click("text=Chứng thư số của đơn vị này")
    assert "Nguyễn Tiến Hoàng" in page.inner_text("main")
    page.click("form.action-row button[value=approve]")
    assert CertificateRequest.objects.get().stage == Stage.IT
    context.close()

    context, page = signed_in(browser, live_server, cast.it)
    page.click("nav >> text=Chứng thư số")  # an IT lead's Certificates entry is the province's queue
    assert "Nguyễn Tiến Hoàng" in page.inner_text("main")
    page.click("form.action-row button[value=approve]")
    assert CertificateRequest.objects.get().stage == Stage.BATCHED
    assert "Tải hồ sơ" in page.inner_text("main")
    assert CertificateBatch.objects.get().requests.count() == 1
    context.close()
