"""Form posts carry the site's Origin, and the CSRF check stays strict: a browser posts a form with
"Origin: null" when the page says Referrer-Policy: no-referrer, and Django refuses that origin."""

from __future__ import annotations

import pytest
from django.test import Client

from provisioning.people.models import PersonStatus
from tests import factories

pytestmark = pytest.mark.django_db
FORM_PAGES = ["/activate/", "/accounts/login/"]


@pytest.mark.parametrize("url", FORM_PAGES)
def test_public_form_pages_let_the_browser_send_their_origin(client, url):
    r = client.get(url)
    assert r.status_code == 200
    assert r["Referrer-Policy"] == "same-origin"


def activation_post(origin: str):
    unit = factories.unit(factories.province(), "000.00.03.H45", "Sở Tài chính")
    factories.person(unit, password=None, status=PersonStatus.STAGED)
    c = Client(enforce_csrf_checks=True)
    c.get("/activate/")
    token = c.cookies["csrftoken"].value
    return c.post("/activate/", {"csrfmiddlewaretoken": token, "uid": "hoangnt", "code": "AAAA-BBBB-CCCC",
                                 "password": "x", "password2": "x"}, HTTP_ORIGIN=origin)


def test_an_activation_post_from_the_site_passes_the_csrf_check():
    r = activation_post("http://testserver")
    assert r.status_code == 400  # the form answered: a wrong code, not a CSRF refusal
    assert "mã kích hoạt" in r.content.decode()


def test_a_post_with_a_null_origin_is_still_refused():
    assert activation_post("null").status_code == 403


def test_a_refused_form_gets_the_products_page_in_vietnamese():
    r = activation_post("null")
    body = r.content.decode()
    assert "Biểu mẫu không được chấp nhận" in body and "tải lại trang" in body
    assert "CSRF" not in body and "Forbidden" not in body


def test_a_refused_form_without_a_cookie_says_so_in_english_when_asked_and_links_back():
    c = Client(enforce_csrf_checks=True)
    r = c.post("/accounts/login/", {"username": "hoangnt", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en",
               HTTP_REFERER="http://testserver/accounts/login/?next=/units/")
    assert r.status_code == 403
    body = r.content.decode()
    assert "The form was not accepted" in body
    assert 'href="http://testserver/accounts/login/?next=/units/"' in body
    assert "csrftoken" in r.cookies  # a fresh token, so reloading the page is enough


def test_the_way_back_never_leads_to_another_site():
    c = Client(enforce_csrf_checks=True)
    r = c.post("/accounts/login/", {}, HTTP_REFERER="https://evil.example/phish")
    assert r.status_code == 403
    assert "evil.example" not in r.content.decode()


def test_a_page_outside_the_role_says_not_allowed_in_vietnamese(client):
    unit = factories.unit(factories.province(), "000.00.03.H45", "Sở Tài chính")
    staff = factories.person(unit)
    client.login(username=staff.uid, password=factories.PASSWORD)
    r = client.get("/mailboxes/")
    assert r.status_code == 403
    assert "Không có quyền truy cập" in r.content.decode()
