"""A person who forgot the password walks the whole reset in a real browser, in Vietnamese: the link on
the login page, the code from the mail, the new password, and a normal login. The pages send
Referrer-Policy: no-referrer (RS-11), under which Chromium posts forms with "Origin: null": only a real
browser shows that the forms still go through."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from directory import gateway
from scripts.dev import ldap_testing as testing
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "song han chieu mua bay qua cau"


@pytest.fixture
def eager():
    from idm.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_forgot_password_code_from_the_mail_new_password_then_login(live_server, page, eager, slapd_config):
    unit = factories.unit(factories.province(), "000.00.01.H45", "Sở Khoa học và Công nghệ")
    person = factories.person(unit, personal_email="hoang.nguyen@gmail.com")

    page.goto(f"{live_server.url}/accounts/login/")
    page.click("text=Quên mật khẩu?")
    assert page.locator("h1").inner_text() == "Quên mật khẩu"
    page.fill("#id_identifier", person.uid)
    page.click("button.primary")
    page.wait_for_selector("h1:has-text('Nhập mã')")
    assert page.url == f"{live_server.url}/password/forgot/code/"

    [sent] = mail.outbox
    assert sent.to == ["hoang.nguyen@gmail.com"] and "Mã đặt lại mật khẩu" in sent.body
    code = re.search(r"\b(\d{8})\b", sent.body).group(1)
    page.fill("#id_code", code)
    page.click("button.primary")
    page.wait_for_selector("h1:has-text('Chọn mật khẩu mới')")
    assert code not in page.url
    page.fill("#id_password", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.click("button.primary")

    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert "Hãy đăng nhập bằng mật khẩu mới" in page.locator("main").inner_text()
    assert testing.bind_result(slapd_config, gateway.person_dn(person.uid), NEW_PASSWORD) == 0
    page.fill("#id_username", person.uid)
    page.fill("#id_password", NEW_PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Tổng quan"
