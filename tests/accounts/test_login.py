"""Staff log in with their uid or official address and their directory password. The security bar's
authentication statements (AU-03..AU-11) are in test_authentication.py."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
WRONG = "The user name or password is not correct"


@pytest.fixture
def hoang():
    unit = factories.unit(factories.province(), "000.00.01.H45", "Sở Khoa học và Công nghệ")
    return factories.person(unit)


def login(client, username, password, lang="en"):
    return client.post(LOGIN, {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE=lang)


def test_staff_member_logs_in_with_uid_and_directory_password(client, hoang):
    r = login(client, "hoangnt", factories.PASSWORD)
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/").context["user"].username == "hoangnt"
    user = User.objects.get(username="hoangnt")
    assert not user.has_usable_password() and user.source == User.Source.DIRECTORY
    assert (user.last_name, user.first_name, user.email) == ("Nguyễn", "Hoàng", "hoangnt@quangtri.gov.vn")
    assert user.get_full_name() == "Nguyễn Tiến Hoàng"  # Vietnamese order, middle name kept


@pytest.mark.parametrize("username,password", [
    ("hoangnt", "wrong password entirely"),
    ("nobody", factories.PASSWORD),
    ("nobody@quangtri.gov.vn", factories.PASSWORD),
    ("*", factories.PASSWORD),
    ("hoangnt)(|(uid=*", factories.PASSWORD),
])
def test_wrong_or_unknown_logins_get_one_message_and_no_session(client, hoang, username, password):
    r = login(client, username, password)
    assert r.status_code == 400
    assert WRONG in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_huge_password_is_refused_quickly(client, hoang):
    t = time.monotonic()
    r = login(client, "hoangnt", "x" * (1024 * 1024))
    assert r.status_code == 400 and time.monotonic() - t < 1.0


def test_login_page_is_vietnamese_by_default_and_switches_to_english(client):
    r = client.get(LOGIN)
    page = r.content.decode()
    assert r.status_code == 200 and 'lang="vi"' in page and "Đăng nhập" in page
    r = client.post(reverse("set_language"), {"language": "en", "next": LOGIN}, follow=True)
    assert 'lang="en"' in r.content.decode() and "Log in" in r.content.decode()


def test_password_field_allows_paste_managers_and_show(client):
    page = client.get(LOGIN).content.decode()
    assert 'type="password"' in page and 'autocomplete="current-password"' in page
    assert "onpaste" not in page and "data-show-password" in page


def test_logout_is_post_only_and_ends_the_session(client, hoang):
    login(client, "hoangnt", factories.PASSWORD)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
