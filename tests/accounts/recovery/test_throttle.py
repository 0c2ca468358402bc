"""Login throttling: at most 100 failures an hour per account (AU-01), and nobody can lock a victim out from
another address (AU-02); the real person lifts an account's cool-down at once with an unlock code."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client

from accounts import auth_events
from accounts.models import User
from provisioning.audit.models import AuditEntry
from tests.accounts.recovery.conftest import CODE, UNLOCK, last_code, login

pytestmark = pytest.mark.django_db
WRONG = "khong phai mat khau dung"


def failures(name: str) -> int:
    """Failed logins recorded for this name: under the person it names, or "-" for a name that is no
    account (the trail never keeps such a name: it may be a password typed in the wrong box)."""
    from provisioning.people.models import Person

    person = Person.objects.filter(uid=name).first()
    target = str(person.pk) if person else "-"
    return AuditEntry.objects.filter(action=auth_events.LOGIN_FAILED, target_id=target).count()


def test_au01_101_failures_from_rotating_addresses_the_101st_is_refused(cast):
    answers = [login(Client(), "hoangnt", WRONG, ip=f"10.1.{i // 200}.{i % 200}").status_code for i in range(101)]
    assert answers[-1] == 429 and failures("hoangnt") <= 100
    # the account, not the address: the right password from a new address waits too...
    r = login(Client(), "hoangnt", ip="192.0.2.7")
    assert r.status_code == 429
    # ...until the documented cool-down has passed (at most 60 minutes)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=61)):
        assert login(Client(), "hoangnt", ip="192.0.2.7").status_code == 302


def test_au01_no_hour_holds_more_than_100_failures_even_across_the_counting_windows(cast):
    start = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    tried: list[dt.datetime] = []
    n = 0
    for step in range(16):  # two and a half hours, 30 tries every 10 minutes from fresh addresses
        at = start + dt.timedelta(minutes=10 * step)
        with time_machine.travel(at, tick=False):
            for _ in range(30):
                n += 1
                if login(Client(), "khongcoai", WRONG, ip=f"10.2.{n // 200}.{n % 200}").status_code == 400:
                    tried.append(at)
    assert tried and failures("khongcoai") == len(tried)
    worst = max(sum(1 for t in tried if s <= t < s + dt.timedelta(hours=1)) for s in tried)
    assert worst <= 100


def test_au02_an_attackers_200_failures_from_one_address_do_not_lock_the_victim_out_elsewhere(cast):
    answers = [login(Client(), "hoangnt", WRONG, ip="203.0.113.66").status_code for _ in range(200)]
    assert answers[:10] == [400] * 10 and set(answers[10:]) == {429}
    assert failures("hoangnt") == 10  # refused tries never reach the directory and count for nothing
    assert login(Client(), "hoangnt", ip="198.51.100.5").status_code == 302  # the victim, at work
    # the attacker's own cool-down ends with its 15-minute window
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        assert login(Client(), "hoangnt", WRONG, ip="203.0.113.66").status_code == 400


def test_the_throttled_answer_is_429_in_words_that_fit_any_name(cast):
    for name in ("hoangnt", "khongcoai"):
        for _ in range(10):
            login(Client(), name, WRONG, ip="203.0.113.9")
        r = login(Client(), name, WRONG, ip="203.0.113.9")
        page = r.content.decode()
        assert r.status_code == 429 and "Too many failed attempts" in page and "/password/unlock/" in page
    assert AuditEntry.objects.filter(action=auth_events.LOCKED).count() == 2


def test_an_official_address_and_the_uid_count_as_one_account(cast):
    for i in range(10):
        login(Client(), "hoangnt@quangtri.gov.vn" if i % 2 else "hoangnt", WRONG, ip="203.0.113.10")
    assert login(Client(), "hoangnt", ip="203.0.113.10").status_code == 429


def test_au02_the_person_unlocks_the_account_at_once_with_a_code(cast, eager, ask, post):
    for i in range(60):
        login(Client(), "hoangnt", WRONG, ip=f"10.3.0.{i}")
    assert login(Client(), "hoangnt").status_code == 429
    browser = Client()
    assert ask(browser, "hoangnt", path=UNLOCK).status_code == 302
    r = post(browser, CODE, {"code": last_code()})
    assert r.status_code == 302 and r.url == "/accounts/login/"
    assert login(browser, "hoangnt").status_code == 302  # the same password, at once
    assert AuditEntry.objects.filter(action=auth_events.UNLOCKED, target_type="person",
                                     target_label__contains="(hoangnt)").exists()
    assert mail.outbox[-1].to == ["hoang.nguyen@gmail.com"] and len(mail.outbox) == 2  # the code, then the notice


def test_the_local_superadmin_backend_hashes_nothing_for_other_names(cast, monkeypatch):
    User.objects.create_superuser("root", password="mot mat khau rat dai cua root", source=User.Source.LOCAL)
    hashed = []
    original = User.set_password
    monkeypatch.setattr(User, "set_password", lambda self, raw: (hashed.append(raw), original(self, raw)))
    login(Client(), "khongcoai", WRONG)
    login(Client(), "hoangnt", WRONG)
    assert hashed == []  # ModelBackend would hash once per unknown name to even out its timing
    assert login(Client(), "root", "mot mat khau rat dai cua root").status_code == 302


def test_a_lost_redis_neither_stops_logins_nor_shows_on_the_forgot_page(cast, settings, ask):
    # the web never waits on Redis: the throttle steps aside (logged) and the forgot page answers as always
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    assert login(Client(), "hoangnt", WRONG).status_code == 400
    assert login(Client(), "hoangnt").status_code == 302
    r = ask(Client(), "hoangnt")
    assert r.status_code == 302 and r.url == CODE
