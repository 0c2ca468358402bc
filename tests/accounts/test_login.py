"""Staff log in with their uid or official address and their directory password."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse

from accounts.models import User
from directory.errors import DirectoryUnavailable
from provisioning.outbox.services import directory_changes_drain
from provisioning.people.models import PersonStatus
from provisioning.people.services import person_update
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


def test_official_address_and_odd_spacing_map_to_the_same_user(client, hoang):
    assert login(client, "HoangNT@QuangTri.gov.vn", factories.PASSWORD).status_code == 302
    client.logout()
    assert login(client, "  HoangNT ", factories.PASSWORD).status_code == 302
    assert User.objects.filter(username__iexact="hoangnt").count() == 1


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


def test_an_empty_password_never_reaches_a_bind(client, hoang, slapd_config):
    # make slapd accept unauthenticated binds, so a leaked empty-password bind would succeed
    testing.set_config(slapd_config, "cn=config", "olcAllows", ["bind_anon_dn"])
    testing.set_config(slapd_config, "cn=config", "olcDisallows", [])
    try:
        assert testing.cli_bind_result(slapd_config, "uid=hoangnt,ou=people," + slapd_config.base_dn, "") == 0
        assert authenticate(username="hoangnt", password="") is None
        r = login(client, "hoangnt", "")
        assert r.status_code == 400 and "_auth_user_id" not in client.session
    finally:
        testing.set_config(slapd_config, "cn=config", "olcAllows", [])
        testing.set_config(slapd_config, "cn=config", "olcDisallows", ["bind_anon"])


def test_a_suspended_person_cannot_log_in(client, hoang):
    person_update(actor=None, person=hoang, status=PersonStatus.SUSPENDED)
    directory_changes_drain()
    r = login(client, "hoangnt", factories.PASSWORD)
    assert r.status_code == 400 and WRONG in r.content.decode()


def test_service_accounts_and_the_rootdn_cannot_log_in(client, slapd_config, hoang):
    for username, password in ((slapd_config.idm_dn, slapd_config.idm_password),
                               (slapd_config.root_dn, slapd_config.root_password),
                               ("idm", slapd_config.idm_password), ("admin", slapd_config.root_password)):
        r = login(client, username, password)
        assert r.status_code == 400, username
    assert not User.objects.filter(source=User.Source.DIRECTORY).exclude(username="hoangnt").exists()


def test_directory_down_means_login_fails_closed_with_a_clear_page(client, hoang, stack):
    stack.stop()
    r = login(client, "hoangnt", factories.PASSWORD)
    assert r.status_code == 503
    assert "Directory unavailable" in r.content.decode()
    assert "_auth_user_id" not in client.session
    r = login(client, "hoangnt@quangtri.gov.vn", factories.PASSWORD)
    assert r.status_code == 503


def test_directory_down_in_vietnamese(client, hoang, stack):
    stack.stop()
    r = login(client, "hoangnt", factories.PASSWORD, lang="vi")
    assert r.status_code == 503 and "Không kết nối được" in r.content.decode()


def test_directory_down_is_an_error_not_a_wrong_password_for_the_backend(hoang, stack):
    stack.stop()
    with pytest.raises(DirectoryUnavailable):
        authenticate(username="hoangnt", password=factories.PASSWORD)


def test_a_huge_password_is_refused_quickly(client, hoang):
    t = time.monotonic()
    r = login(client, "hoangnt", "x" * (1024 * 1024))
    assert r.status_code == 400 and time.monotonic() - t < 1.0


def test_local_superadmin_logs_in_even_when_the_directory_is_down(client, stack, tmp_path):
    User.objects.create_superuser("superadmin", password="a local bootstrap password", source=User.Source.LOCAL)
    stack.stop()
    assert login(client, "superadmin", "a local bootstrap password").status_code == 302


def test_a_directory_entry_cannot_log_in_as_the_local_superadmin(client):
    User.objects.create_superuser("hoangnt", password="the local password here", source=User.Source.LOCAL)
    unit = factories.unit(factories.province(), "000.00.01.H45", "Sở Khoa học và Công nghệ")
    factories.person(unit)  # uid hoangnt in the directory too
    r = login(client, "hoangnt", factories.PASSWORD)
    assert r.status_code == 400


def test_a_directory_users_local_password_never_works(client, hoang):
    assert login(client, "hoangnt", factories.PASSWORD).status_code == 302
    client.logout()
    user = User.objects.get(username="hoangnt")
    user.set_password("a local password that must not count")
    user.save()
    assert login(client, "hoangnt", "a local password that must not count").status_code == 400


def test_login_rotates_the_session_id(client, hoang):
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    login(client, "hoangnt", factories.PASSWORD)
    assert client.session.session_key != before


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


def test_a_person_entry_outside_ou_people_cannot_log_in(client, slapd_config, hoang):
    from directory.passwords import hash_password

    dn = f"uid=intruder,ou=groups,{slapd_config.base_dn}"
    testing.add_as_root(slapd_config, dn, ["inetOrgPerson", "vnCivilServant"], {
        "uid": "intruder", "cn": "Kẻ Lạ", "sn": "Lạ", "vnAccountStatus": "active",
        "userPassword": hash_password(factories.PASSWORD)})
    assert testing.bind_result(slapd_config, dn, factories.PASSWORD) == 0  # the password itself is right
    assert login(client, "intruder", factories.PASSWORD).status_code == 400
