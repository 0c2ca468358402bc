"""A person changes their own password (issue 8 "Change"; PW-02, PW-04, PW-07, PW-12, PW-15, PW-16,
PW-17, RS-15, AU-10) — against the real slapd, and at IMAP where the mail server is involved."""

from __future__ import annotations

import imaplib
import unicodedata

import pytest
from django.core import mail
from passlib.hash import ldap_salted_sha1

from accounts.models import PasswordRecord
from directory import gateway
from provisioning.audit.models import AuditEntry
from scripts.dev import ldap_testing as testing
from tests import factories
from tests.accounts.profile.conftest import login

pytestmark = pytest.mark.django_db
CHANGE = "/me/password/"
NEW = "hai con chim non tren canh dao"


def change(client, current, new, new2=None):
    return client.post(CHANGE, {"current": current, "password": new, "password2": new if new2 is None else new2},
                       HTTP_ACCEPT_LANGUAGE="en")


def binds(slapd_config, uid, password) -> bool:
    return testing.bind_result(slapd_config, gateway.person_dn(uid), password) == 0


def test_pw12_a_change_needs_the_right_current_password(client, cast, slapd_config):
    uid = cast["hoang"].uid
    assert login(client, uid).status_code == 302
    assert change(client, "", NEW).status_code == 400  # the form requires it
    for current in ("not my password at all", factories.PASSWORD.upper()):
        r = change(client, current, NEW)
        assert r.status_code == 400 and "current password is not correct" in r.content.decode()
    assert binds(slapd_config, uid, factories.PASSWORD) and not binds(slapd_config, uid, NEW)
    assert AuditEntry.objects.filter(action="person.password_change_refused").count() == 2


def test_pw12_the_current_password_is_proved_by_a_bind_as_the_person(client, cast, slapd_config, monkeypatch):
    """The proof is a simple bind with the person's DN (slapd logs it as theirs), never a compare by cn=idm."""
    from directory import connection

    seen = []
    real = connection.credentials_valid
    monkeypatch.setattr("directory.gateway.people.credentials_valid",
                        lambda dn, pw: seen.append(dn) or real(dn, pw))
    login(client, cast["hoang"].uid)
    assert change(client, factories.PASSWORD, NEW).status_code == 302
    assert seen == [gateway.person_dn(cast["hoang"].uid)]
    uid = cast["hoang"].uid
    assert binds(slapd_config, uid, NEW) and not binds(slapd_config, uid, factories.PASSWORD)


def test_a_change_is_checked_by_the_one_policy_with_reasons(client, cast, slapd_config):
    login(client, cast["hoang"].uid)
    for new, reason in (("short", "too short"), ("quangtri2026quangtri", "too easy to guess"),
                        ("aaaaaaaaaaaaaaaa", "predictable"), ("nguyen tien hoang 2025", "your name")):
        r = change(client, factories.PASSWORD, new)
        assert r.status_code == 400 and reason in r.content.decode(), new
    r = change(client, factories.PASSWORD, NEW, NEW + "x")
    assert r.status_code == 400 and "not the same" in r.content.decode()
    assert binds(slapd_config, cast["hoang"].uid, factories.PASSWORD)


@pytest.mark.parametrize("length", [64, 128])
def test_pw02_long_passwords_work_for_web_login_and_ldapwhoami(client, cast, slapd_config, length):
    words = "mưa rơi trên mái ngói đỏ của làng quê ven sông hồng "
    new = (words * 4)[:length]
    assert len(new) == length
    login(client, cast["hoang"].uid)
    assert change(client, factories.PASSWORD, new).status_code == 302
    client.post("/accounts/logout/")
    assert login(client, cast["hoang"].uid, new).status_code == 302
    assert testing.cli_bind_result(slapd_config, gateway.person_dn(cast["hoang"].uid),
                                   unicodedata.normalize("NFC", new)) == 0


def test_pw04_no_truncation_and_no_case_change(client, cast, slapd_config):
    new = "mot buoi sang mua thu nang vang tren nhung canh dong lua chin o que huong toi"  # past bcrypt's 72
    assert len(new.encode()) > 72
    login(client, cast["hoang"].uid)
    assert change(client, factories.PASSWORD, new).status_code == 302
    uid = cast["hoang"].uid
    assert binds(slapd_config, uid, new)
    assert not binds(slapd_config, uid, new.encode()[:72].decode())
    assert not binds(slapd_config, uid, new.upper())


@pytest.mark.parametrize("typed_as", ["NFC", "NFD"])
def test_pw07_a_password_set_one_way_works_typed_the_other_on_the_web_and_at_imap(client, cast, dovecot,
                                                                                  typed_as):
    """Issue 15: IMAP refused an NFD-typed password that the web accepted."""
    new = "Trời hôm nay thật đẹp và trong xanh"
    set_as = "NFD" if typed_as == "NFC" else "NFC"
    login(client, cast["hoang"].uid)
    assert change(client, factories.PASSWORD, unicodedata.normalize(set_as, new)).status_code == 302
    typed = unicodedata.normalize(typed_as, new)
    client.post("/accounts/logout/")
    assert login(client, cast["hoang"].uid, typed).status_code == 302
    # AUTHENTICATE PLAIN carries UTF-8 (LOGIN is ASCII-only): what mail apps send for such a password
    m = imaplib.IMAP4(dovecot.host, dovecot.imap_port)
    try:
        m.authenticate("PLAIN", lambda _: b"\0" + cast["hoang"].mail.encode() + b"\0" + typed.encode())
    finally:
        m.logout()


def test_rs15_a_change_ends_every_other_session_and_keeps_this_one(client, cast, slapd_config):
    from django.test import Client

    other = Client()
    login(other, cast["hoang"].uid)
    login(client, cast["hoang"].uid)
    assert other.get("/me/").status_code == 200
    assert change(client, factories.PASSWORD, NEW).status_code == 302
    assert client.get("/me/").status_code == 200
    assert other.get("/me/").status_code == 302  # back to the login page


def test_au10_the_person_is_told_on_the_channels_on_file_without_a_secret(client, cast, eager, sms,
                                                                         django_capture_on_commit_callbacks):
    from django.utils import timezone

    from provisioning.people.models import Person

    Person.objects.filter(pk=cast["hoang"].pk).update(phone_verified_at=timezone.now())
    login(client, cast["hoang"].uid)
    with django_capture_on_commit_callbacks(execute=True):
        assert change(client, factories.PASSWORD, NEW).status_code == 302
    [message] = [m for m in mail.outbox if m.to == ["hoang.nguyen@gmail.com"]]
    assert "đã được thay đổi" in message.subject  # in Vietnamese, the site language
    assert NEW not in message.body and factories.PASSWORD not in message.body
    [text] = sms()
    assert text["to"] == "+84912345678" and NEW not in text["text"]


def test_pw16_a_recent_password_cannot_be_used_again(client, cast, slapd_config):
    login(client, cast["hoang"].uid)
    assert change(client, factories.PASSWORD, NEW).status_code == 302
    second = "ba con meo nam ngu duoi gian bep"
    assert change(client, NEW, second).status_code == 302
    r = change(client, second, NEW)
    assert r.status_code == 400 and "used this password recently" in r.content.decode()
    assert binds(slapd_config, cast["hoang"].uid, second)
    # the first login recorded the factory's password (PW-15's upgrade), then the two changes
    assert PasswordRecord.objects.filter(person=cast["hoang"]).count() == 3


def test_pw14_the_same_password_gets_a_different_hash_for_each_person(client, cast, slapd_config):
    dump = testing.dump(slapd_config, f"ou=people,{slapd_config.base_dn}", attributes=["userPassword"])
    a = dump[gateway.person_dn(cast["hoang"].uid)]["userPassword"]
    b = dump[gateway.person_dn(cast["hr"].uid)]["userPassword"]
    assert a and b and set(a).isdisjoint(b)  # factories gave both the same password


def test_pw15_an_old_ssha_hash_is_upgraded_at_the_next_login(client, cast, slapd_config):
    uid, dn = cast["hoang"].uid, gateway.person_dn(cast["hoang"].uid)
    old = ldap_salted_sha1.hash(factories.PASSWORD)
    testing.modify_as(slapd_config, slapd_config.root_dn, slapd_config.root_password, dn, "userPassword", [old])
    assert binds(slapd_config, uid, factories.PASSWORD)
    assert login(client, uid).status_code == 302
    values = testing.dump(slapd_config, dn, attributes=["userPassword"])[dn]["userPassword"]
    assert values and all(v.startswith("{ARGON2}$argon2id$") for v in values)
    assert binds(slapd_config, uid, factories.PASSWORD)
    # and only once: the record says the value is current
    assert login(client, uid).status_code == 302
    assert testing.dump(slapd_config, dn, attributes=["userPassword"])[dn]["userPassword"] == values


def test_pw17_an_administrators_password_forces_a_change_before_anything_else(client, cast, slapd_config):
    uid, dn = cast["hoang"].uid, gateway.person_dn(cast["hoang"].uid)
    admin_set = "mat khau do quan tri dat cho"
    root = (slapd_config, slapd_config.root_dn, slapd_config.root_password, dn)
    assert testing.modify_as(*root, "userPassword", [admin_set]) == 0
    assert testing.modify_as(*root, "pwdReset", ["TRUE"]) == 0
    assert login(client, uid, admin_set).status_code == 302
    for page in ("/", "/me/", "/people/"):
        r = client.get(page)
        assert r.status_code == 302 and r.url == CHANGE, page
    r = client.get(CHANGE, HTTP_ACCEPT_LANGUAGE="en")
    assert "An administrator set your password" in r.content.decode()
    assert change(client, admin_set, NEW).status_code == 302
    assert client.get("/me/").status_code == 200
    assert not gateway.person_must_change_password(uid)
    client.post("/accounts/logout/")
    assert login(client, uid, NEW).status_code == 302 and client.get("/me/").status_code == 200


def test_pw11_password_fields_allow_paste_managers_and_show(client, cast):
    login(client, cast["hoang"].uid)
    html = client.get(CHANGE).content.decode()
    assert html.count('type="password"') == 3
    assert "onpaste" not in html and 'autocomplete="off"' not in html
    assert 'autocomplete="current-password"' in html and 'autocomplete="new-password"' in html
    assert "data-show-password" in html and "data-strength-for" in html
