"""Staff log in with their uid or official address and their directory password. The security bar's
authentication statements (AU-03..AU-11) are in test_authentication.py."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from scripts.dev import ldap_testing as testing
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


def test_a_login_is_one_search_on_the_kept_service_connection_and_one_bind_as_the_person(
        client, hoang, slapd_config, monkeypatch):
    # Each bind costs slapd one Argon2 check (the service account's password is argon2id too, PW-13): a
    # login used to bind as the service account on a new connection to search, then as the person.
    from directory import connection

    assert login(client, "hoangnt", factories.PASSWORD).status_code == 302  # the service connection is bound now
    client.post("/accounts/logout/")
    opened = []
    real = connection.open_connection

    def counted(cfg, bind_dn, password):
        opened.append(bind_dn)
        return real(cfg, bind_dn, password)

    monkeypatch.setattr(connection, "open_connection", counted)
    assert login(client, "hoangnt", factories.PASSWORD).status_code == 302
    assert opened == [f"uid=hoangnt,ou=people,{slapd_config.base_dn}"]
    assert client.get("/me/").status_code == 200
    opened.clear()
    assert login(Client(), "hoangnt", "not the password at all, no").status_code == 400
    assert opened == [f"uid=hoangnt,ou=people,{slapd_config.base_dn}"]  # a wrong password: the same one bind
    opened.clear()
    assert login(Client(), "nobody", factories.PASSWORD).status_code == 400
    assert opened == []  # an unknown name: the search finds nobody, nothing to bind (the refusal floor pads it)


def test_a_repeated_login_writes_only_the_session_last_login_and_its_audit_row(client, hoang):
    from django.db import connection

    assert login(client, "hoangnt", factories.PASSWORD).status_code == 302  # the first login creates the user
    client.post("/accounts/logout/")
    before = User.objects.get(username="hoangnt")
    statements = []

    def seen(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(seen):
        assert login(client, "hoangnt", factories.PASSWORD).status_code == 302
    writes = [s for s in statements if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    tables = {s.split('"')[1] for s in writes}
    assert tables == {"django_session", "accounts_user", "provisioning_auditchainhead", "provisioning_auditentry"}
    # the user row: last_login only (the directory's names and address did not change, so no full save)
    assert [s for s in writes if '"accounts_user"' in s] == [
        'UPDATE "accounts_user" SET "last_login" = %s WHERE "accounts_user"."id" = %s']
    after = User.objects.get(username="hoangnt")
    assert after.last_login > before.last_login
    assert (after.first_name, after.last_name, after.email) == (before.first_name, before.last_name, before.email)


def test_a_login_brings_the_user_up_to_date_when_the_directory_changed(client, hoang, slapd_config):
    assert login(client, "hoangnt", factories.PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    dn = f"uid=hoangnt,ou=people,{slapd_config.base_dn}"
    assert testing.modify_as(slapd_config, slapd_config.root_dn, slapd_config.root_password, dn,
                             "displayName", ["Nguyễn Tiến Hoàng (Sở KH&CN)"]) == 0
    assert login(client, "hoangnt", factories.PASSWORD).status_code == 302
    assert User.objects.get(username="hoangnt").display_name == "Nguyễn Tiến Hoàng (Sở KH&CN)"
