"""A new person activates the account with the one-time code and chooses a password."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from accounts.models import ActivationCode
from accounts.selfservice.services import activation_issue
from directory import gateway
from provisioning.people.models import PersonStatus
from scripts.dev import ldap_testing as testing
from tests import factories

pytestmark = pytest.mark.django_db
GOOD = "cay tre xanh ben bo song hong"


@pytest.fixture
def newcomer():
    unit = factories.unit(factories.province(), "000.00.03.H45", "Sở Tài chính")
    return factories.person(unit, password=None, status=PersonStatus.STAGED)


def activate(client, uid, code, pw=GOOD, pw2=None):
    return client.post("/activate/", {"uid": uid, "code": code, "password": pw, "password2": pw2 or pw},
                       HTTP_ACCEPT_LANGUAGE="en")


def test_activation_sets_the_password_and_the_person_can_log_in(client, newcomer, slapd_config):
    code = activation_issue(actor=None, person=newcomer, channel="letter")
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    r = activate(client, "hoangnt", code.lower().replace("-", " "))
    assert r.status_code == 200 and "Account activated" in r.content.decode()
    newcomer.refresh_from_db()
    assert newcomer.status == PersonStatus.ACTIVE and newcomer.activated_at
    assert gateway.person_get("hoangnt").status == "active"
    assert testing.bind_result(slapd_config, gateway.person_dn("hoangnt"), GOOD) == 0
    assert client.post("/accounts/login/", {"username": "hoangnt", "password": GOOD}).status_code == 302


def test_only_a_digest_is_stored_and_a_code_works_once(client, newcomer):
    code = activation_issue(actor=None, person=newcomer, channel="letter")
    row = ActivationCode.objects.get()
    assert code.replace("-", "") not in row.digest
    assert activate(client, "hoangnt", code).status_code == 200
    assert activate(client, "hoangnt", code, pw="mot mat khau khac hoan toan").status_code == 400


def test_a_new_code_supersedes_the_old_one(client, newcomer):
    old = activation_issue(actor=None, person=newcomer, channel="letter")
    new = activation_issue(actor=None, person=newcomer, channel="letter")
    assert activate(client, "hoangnt", old).status_code == 400
    assert activate(client, "hoangnt", new).status_code == 200


def test_five_wrong_codes_kill_the_code(client, newcomer):
    code = activation_issue(actor=None, person=newcomer, channel="letter")
    for _ in range(5):
        assert activate(client, "hoangnt", "AAAA-BBBB-CCCC").status_code == 400
    assert activate(client, "hoangnt", code).status_code == 400


def test_an_expired_code_is_refused(client, newcomer):
    code = activation_issue(actor=None, person=newcomer, channel="letter")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=15)):
        assert activate(client, "hoangnt", code).status_code == 400


def test_a_weak_password_is_refused_with_the_reason_and_the_code_survives(client, newcomer):
    code = activation_issue(actor=None, person=newcomer, channel="letter")
    r = activate(client, "hoangnt", code, pw="hoangnt123456789")
    assert r.status_code == 400 and "name" in r.content.decode()
    r = activate(client, "hoangnt", code, pw="short")
    assert r.status_code == 400 and "15" in r.content.decode()
    assert activate(client, "hoangnt", code, pw=GOOD, pw2=GOOD + "x").status_code == 400
    assert activate(client, "hoangnt", code).status_code == 200


def test_codes_for_someone_else_or_unknown_people_give_one_message(client, newcomer):
    other = factories.person(newcomer.unit, "Trần", "Thị Minh", "Khai", password=None, status=PersonStatus.STAGED)
    code = activation_issue(actor=None, person=other, channel="letter")
    a = activate(client, "hoangnt", code).content.decode()
    b = activate(client, "nobody", code).content.decode()
    assert "not correct" in a and "not correct" in b
    assert other.__class__.objects.get(pk=other.pk).status == PersonStatus.STAGED


def test_the_directory_down_consumes_nothing(client, newcomer, stack):
    code = activation_issue(actor=None, person=newcomer, channel="letter")
    stack.stop()
    assert activate(client, "hoangnt", code).status_code == 503
    stack.start()
    assert activate(client, "hoangnt", code).status_code == 200


def test_active_people_get_no_code(newcomer):
    from django.core.exceptions import ValidationError

    from provisioning.people.services import person_set_status

    person_set_status(actor=None, person=newcomer, status=PersonStatus.ACTIVE)
    newcomer.refresh_from_db()
    with pytest.raises(ValidationError):
        activation_issue(actor=None, person=newcomer, channel="letter")
