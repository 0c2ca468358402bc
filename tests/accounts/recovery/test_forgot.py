"""A person who forgot the password resets it with a code sent to a channel on file (RS-01..RS-18, C-13, C-20)."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client

from accounts import auth_events
from accounts.models import OneTimeCode, PasswordRecord
from directory import gateway
from provisioning.audit.models import AuditEntry
from provisioning.people.models import Person, PersonStatus
from scripts.dev import ldap_testing as testing
from tests import factories
from tests.accounts.recovery.conftest import CODE, FORGOT, NEW, NEWPW, code_in, last_code, login

pytestmark = pytest.mark.django_db


def reset(client, post, ask, who="hoangnt", pw=NEWPW, pw2=None, channel="email"):
    """The whole flow in one browser; returns the last response."""
    assert ask(client, who, channel).status_code == 302
    assert post(client, CODE, {"code": last_code()}).status_code == 302
    return post(client, NEW, {"password": pw, "password2": pw2 or pw})


def test_a_reset_works_at_once_for_an_ldap_bind_and_nobody_is_logged_in(client, cast, eager, ask, post,
                                                                         slapd_config):
    r = reset(client, post, ask)
    assert r.status_code == 302 and r.url == "/accounts/login/"
    assert testing.bind_result(slapd_config, gateway.person_dn("hoangnt"), NEWPW) == 0
    assert testing.bind_result(slapd_config, gateway.person_dn("hoangnt"), factories.PASSWORD) != 0
    assert "_auth_user_id" not in client.session  # RS-14
    assert login(Client(), "hoangnt", NEWPW).status_code == 302
    actions = list(AuditEntry.objects.filter(action__startswith="auth.reset").values_list("action", flat=True))
    assert auth_events.RESET_REQUESTED in actions and auth_events.RESET_COMPLETED in actions  # AU-09
    told = [m for m in mail.outbox if m.to == ["hoang.nguyen@gmail.com"]]
    assert len(told) == 2  # the code, then the notification (AU-10) that carries no code
    assert not any(ch.isdigit() and len(ch) == 8 for ch in told[-1].body.split())


@pytest.mark.parametrize("who", ["hoangnt", "NV001", "HoangNT@QuangTri.gov.vn", " hoangnt "])
def test_the_identifier_is_a_uid_an_official_address_or_an_employee_code(client, cast, eager, ask, who):
    ask(client, who)
    assert [m.to for m in mail.outbox] == [["hoang.nguyen@gmail.com"]]


def _sample(ask, who: str) -> tuple[int, str, str, float]:
    client = Client()
    started = time.monotonic()
    r = ask(client, who)
    elapsed = time.monotonic() - started
    return r.status_code, r.get("Location", ""), r.content.decode(), elapsed


def test_rs01_the_answer_is_the_same_for_existing_unknown_disabled_and_unreachable_names(cast, eager, ask,
                                                                                          settings):
    settings.IDM_RECOVERY_FLOOR_MS = 200
    Person.objects.filter(pk=cast["lan"].pk).update(personal_email="")  # no channel on file
    disabled = factories.person(cast["unit"], "Lê", "Văn", "Tám", personal_email="tam@gmail.com", code="NV003")
    Person.objects.filter(pk=disabled.pk).update(status=PersonStatus.SUSPENDED)
    answers = {who: [_sample(ask, who) for _ in range(3)] for who in ("hoangnt", "khongcoai", "tamlv", "lanpt")}
    shapes = {(status, loc, body) for samples in answers.values() for status, loc, body, _ in samples}
    assert shapes == {(302, CODE, "")}
    medians = {who: statistics.median(s[3] for s in samples) for who, samples in answers.items()}
    assert all(m >= 0.2 for m in medians.values())
    assert max(medians.values()) - min(medians.values()) < 0.05, medians  # within noise
    assert [m.to for m in mail.outbox] == [["hoang.nguyen@gmail.com"]] * 3  # only the reachable active one


class FlakyMail:
    """An SMTP relay that is down for the first ``fails`` messages."""
    fails = 0
    sent: list = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        if FlakyMail.fails > 0:
            FlakyMail.fails -= 1
            raise ConnectionRefusedError("relay down")
        FlakyMail.sent.extend(messages)
        return len(messages)


def test_rs02_c13_a_mail_outage_is_invisible_and_the_retry_sends_a_fresh_code(client, cast, eager, ask, post,
                                                                             settings):
    settings.EMAIL_BACKEND = "tests.accounts.recovery.test_forgot.FlakyMail"
    FlakyMail.fails, FlakyMail.sent = 2, []
    r = ask(client, "hoangnt")
    assert r.status_code == 302 and r.url == CODE  # the same answer as when the relay is up
    assert OneTimeCode.objects.count() == 3  # each attempt made its own code...
    assert OneTimeCode.objects.filter(superseded=False).count() == 1  # ...and only the last one lives
    [sent] = FlakyMail.sent
    live = OneTimeCode.objects.get(superseded=False)
    assert live.sent_at is not None and live.expires_at - live.created_at <= dt.timedelta(minutes=10)
    assert post(client, CODE, {"code": code_in(sent.body)}).status_code == 302


def test_rs03_rs04_codes_are_8_random_digits_and_only_a_digest_is_stored(client, cast, eager, ask):
    ask(client, "hoangnt")
    code = last_code()
    otc = OneTimeCode.objects.get()
    assert len(code) == 8 and code not in otc.digest and code not in otc.flow_digest
    assert otc.purpose == OneTimeCode.Purpose.RESET and otc.person == cast["hoang"]


def test_rs05_a_code_works_once_and_a_new_request_kills_the_old_code(client, cast, eager, ask, post):
    ask(client, "hoangnt")
    old = last_code()
    ask(client, "hoangnt")
    assert post(client, CODE, {"code": old}).status_code == 400
    assert reset(client, post, ask).status_code == 302
    # the code that was just used cannot serve again
    ask(client, "hoangnt")
    assert post(client, CODE, {"code": code_in(mail.outbox[-3].body)}).status_code == 400


def test_rs06_c20_a_code_dies_10_minutes_after_issue_whatever_the_clock_does(client, cast, eager, ask, post):
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now, tick=False):
        ask(client, "hoangnt")
    code = last_code()
    with time_machine.travel(now + dt.timedelta(minutes=10, seconds=1), tick=False):
        assert post(client, CODE, {"code": code}).status_code == 400
    with time_machine.travel(now - dt.timedelta(hours=1), tick=False):  # a clock set back: still the stored expiry
        ask(client, "hoangnt")
        code = last_code()
    with time_machine.travel(now + dt.timedelta(hours=1), tick=False):  # jumped forward an hour: dead
        assert post(client, CODE, {"code": code}).status_code == 400
    with time_machine.travel(now + dt.timedelta(minutes=9), tick=False):
        ask(client, "hoangnt")
        assert post(client, CODE, {"code": last_code()}).status_code == 302


def test_rs07_a_code_serves_only_its_own_person_and_browser(client, cast, eager, ask, post):
    ask(client, "hoangnt")
    hoang_code = last_code()
    other = Client()
    ask(other, "lanpt")
    # Lan's browser types Hoang's code: it matches nothing in Lan's flow
    assert post(other, CODE, {"code": hoang_code}).status_code == 400
    # a third browser that never asked cannot use it either, nor name a person in the form
    third = Client()
    assert post(third, CODE, {"code": hoang_code, "person": cast["hoang"].pk}).status_code == 302  # to the start
    assert post(third, NEW, {"password": NEWPW, "password2": NEWPW, "uid": "hoangnt"}).status_code == 302
    assert not PasswordRecord.objects.filter(person=cast["hoang"]).exists()
    assert post(client, CODE, {"code": hoang_code}).status_code == 302  # still good where it was asked for


def test_rs08_five_wrong_codes_kill_the_code(client, cast, eager, ask, post):
    ask(client, "hoangnt")
    code = last_code()
    wrong = "00000000" if code != "00000000" else "11111111"
    for _ in range(5):
        assert post(client, CODE, {"code": wrong}).status_code == 400
    assert post(client, CODE, {"code": code}).status_code == 400
    assert AuditEntry.objects.filter(action=auth_events.RESET_FAILED).count() == 6


def test_rs08_requests_are_limited_per_account_and_per_address(client, cast, eager, ask):
    for i in range(10):
        assert ask(Client(), "hoangnt", ip=f"10.0.0.{i}").status_code == 302
    r = ask(Client(), "NV001", ip="10.0.1.1")  # another spelling of the same account
    assert r.status_code == 429 and "Too many requests" in r.content.decode()
    assert len(mail.outbox) == 10
    for i in range(settings.IDM_RECOVERY_REQUESTS_PER_CLIENT - 1):
        ask(Client(), f"khong{i}", ip="10.0.2.2")
    assert ask(Client(), "lanpt", ip="10.0.2.2").status_code == 302
    assert ask(Client(), "lanpt", ip="10.0.2.2").status_code == 429  # the address's 30 are spent


def test_rs08_rs16_sms_only_to_a_verified_phone_and_capped_per_day(client, cast, eager, ask, sms):
    assert ask(client, "hoangnt", "sms").status_code == 302
    assert sms() == [] and not OneTimeCode.objects.exists()  # the phone on file is not verified
    Person.objects.filter(pk=cast["hoang"].pk).update(phone_verified_at=dt.datetime.now(dt.UTC))
    for i in range(5):
        assert ask(Client(), "hoangnt", "sms", ip=f"10.0.0.{i}").status_code == 302
    assert len(sms()) == 3 and all(m["to"] == "+84912345678" for m in sms())
    assert code_in(sms()[0]["text"])


def test_rs16_the_page_offers_email_first_and_states_the_sms_risk(client):
    r = client.get(FORGOT, HTTP_ACCEPT_LANGUAGE="en")
    page = r.content.decode()
    assert r.status_code == 200 and page.index('value="email"') < page.index('value="sms"')
    assert "less safe" in page and "checked" in page.split('value="email"')[1][:40]


def test_rs09_a_unicode_look_alike_name_reaches_nobody(client, cast, eager, ask):
    factories.person(cast["unit"], "Trần", "Văn", "Mike", personal_email="mike@gmail.com", code="NV009")
    for typed in ("mıketv", "MİKETV", "miketv\u200b", "ｍｉｋｅｔｖ"):
        assert ask(Client(), typed).status_code == 302
    assert not mail.outbox
    ask(Client(), "MikeTV")
    assert [m.to for m in mail.outbox] == [["mike@gmail.com"]]


def test_rs10_links_in_the_mail_use_the_configured_address_not_the_host_header(client, cast, eager, post,
                                                                               settings):
    settings.IDM_BASE_URL = "https://idm.quangtri.gov.vn"
    settings.ALLOWED_HOSTS = ["testserver", "evil.test"]
    post(client, FORGOT, {"identifier": "hoangnt", "channel": "email"}, HTTP_HOST="evil.test",
         HTTP_X_FORWARDED_HOST="evil.test")
    [sent] = mail.outbox
    assert "https://idm.quangtri.gov.vn/password/forgot/" in sent.body and "evil.test" not in sent.body


def test_rs11_no_referrer_and_no_code_in_any_url(client, cast, eager, ask, post):
    for url in (FORGOT, "/password/unlock/", "/password/username/"):
        assert client.get(url)["Referrer-Policy"] == "no-referrer"
    r = ask(client, "hoangnt")
    assert r["Referrer-Policy"] == "no-referrer" and last_code() not in r.url
    r = post(client, CODE, {"code": last_code()})
    assert r["Referrer-Policy"] == "no-referrer" and last_code() not in r.url
    assert client.get(NEW)["Referrer-Policy"] == "no-referrer"


def test_rs12_asking_changes_nothing(client, cast, eager, ask, slapd_config):
    ask(client, "hoangnt")
    assert not PasswordRecord.objects.filter(person=cast["hoang"]).exists()
    assert testing.bind_result(slapd_config, gateway.person_dn("hoangnt"), factories.PASSWORD) == 0
    assert login(Client(), "hoangnt").status_code == 302


def test_rs13_the_new_password_meets_the_policy_twice_and_the_code_survives_a_refusal(client, cast, eager, ask,
                                                                                      post, slapd_config):
    ask(client, "hoangnt")
    post(client, CODE, {"code": last_code()})
    r = post(client, NEW, {"password": "ngan", "password2": "ngan"})
    assert r.status_code == 400 and "at least" in r.content.decode()
    r = post(client, NEW, {"password": NEWPW, "password2": NEWPW + "x"})
    assert r.status_code == 400 and "not the same" in r.content.decode()
    assert post(client, NEW, {"password": NEWPW, "password2": NEWPW}).status_code == 302
    assert testing.bind_result(slapd_config, gateway.person_dn("hoangnt"), NEWPW) == 0


def test_rs15_a_reset_ends_every_session_and_tells_the_person(client, cast, eager, ask, post):
    other = Client()
    assert login(other, "hoangnt").status_code == 302
    assert other.get("/me/").status_code == 200
    reset(client, post, ask)
    assert other.get("/me/").status_code == 302  # signed out
    assert len(mail.outbox) == 2 and code_in(mail.outbox[0].body) not in mail.outbox[1].body


def test_rs17_the_new_password_step_refuses_a_flow_that_did_not_verify_a_code(client, cast, eager, ask, post,
                                                                               slapd_config):
    assert post(client, NEW, {"password": NEWPW, "password2": NEWPW}).status_code == 302  # no flow at all
    ask(client, "hoangnt")
    r = post(client, NEW, {"password": NEWPW, "password2": NEWPW})  # asked, but no code typed
    assert r.status_code == 302 and r.url == FORGOT
    assert client.get(CODE).status_code == 200
    assert testing.bind_result(slapd_config, gateway.person_dn("hoangnt"), factories.PASSWORD) == 0


def test_the_code_is_given_back_when_the_directory_is_down(client, cast, eager, ask, post, stack, slapd_config):
    ask(client, "hoangnt")
    post(client, CODE, {"code": last_code()})
    stack.pause()
    try:
        r = post(client, NEW, {"password": NEWPW, "password2": NEWPW})
    finally:
        stack.resume()
    assert r.status_code == 503
    assert OneTimeCode.objects.get().used_at is None
    assert post(client, NEW, {"password": NEWPW, "password2": NEWPW}).status_code == 302
    assert testing.bind_result(slapd_config, gateway.person_dn("hoangnt"), NEWPW) == 0


def test_a_person_who_is_not_active_gets_the_same_answer_and_nothing(client, cast, eager, ask):
    Person.objects.filter(pk=cast["hoang"].pk).update(status=PersonStatus.LEFT)
    assert ask(client, "hoangnt").status_code == 302
    assert not mail.outbox and not OneTimeCode.objects.exists()


def test_rs18_djangos_reset_tokens_would_live_no_longer_than_our_codes():
    assert settings.PASSWORD_RESET_TIMEOUT == 600
    import django
    assert django.VERSION[:2] == (5, 2)


def test_the_pages_speak_vietnamese(client):
    page = client.get(FORGOT, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Quên mật khẩu" in page


def test_rs11_a_browsers_origin_null_passes_only_with_same_origin_fetch_metadata_and_the_token(cast, eager, ask):
    browser = Client(enforce_csrf_checks=True)
    browser.get(FORGOT)
    token = browser.cookies["csrftoken"].value
    data = {"identifier": "hoangnt", "channel": "email", "csrfmiddlewaretoken": token}
    assert browser.post(FORGOT, data, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    assert browser.post(FORGOT, {**data, "csrfmiddlewaretoken": "x" * 64}, HTTP_ORIGIN="null",
                        HTTP_SEC_FETCH_SITE="same-origin").status_code == 403
    assert browser.post(FORGOT, data, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin").status_code == 302
