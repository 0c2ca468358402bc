"""A new person activates the account with the one-time code and chooses a password."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import time_machine
from django import db
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import ActivationCode
from accounts.selfservice import services
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


def test_activation_is_audited_as_its_own_action(client, newcomer):
    from provisioning.audit.models import AuditEntry
    from provisioning.audit.services import action_label

    code = activation_issue(actor=None, person=newcomer, channel="letter")
    assert activate(client, "hoangnt", code).status_code == 200
    actions = list(AuditEntry.objects.filter(target_type="person", target_id=str(newcomer.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions[-1] == "person.activated" and "person.reinstated" not in actions
    assert actions.count("person.activated") == 1
    assert AuditEntry.objects.get(action="person.activated").source_ip == "127.0.0.1"
    with translation.override("vi"):
        assert action_label("person.activated") != "account activated"


def _in_threads(n, work):
    """Run work(i) in n threads at once; each thread closes its own database connection."""
    results = [None] * n

    def run(i):
        try:
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            db.connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads)
    return results


def _meet_at(monkeypatch, name, parties):
    """Hold every thread at our own seam `name` until `parties` are there (or 3 s passed), so the
    threads race on what follows it."""
    barrier = threading.Barrier(parties, timeout=3)
    real = getattr(services, name)

    def wrapper(*args, **kwargs):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return real(*args, **kwargs)

    monkeypatch.setattr(services, name, wrapper)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_activations_with_one_code_set_one_password(newcomer, slapd_config, monkeypatch):
    code = activation_issue(actor=None, person=newcomer, channel="letter")
    passwords = [GOOD, "mot mat khau khac hoan toan"]
    writes = []
    real_write = gateway.person_set_password_hash
    monkeypatch.setattr(gateway, "person_set_password_hash", lambda uid, h: (writes.append(uid), real_write(uid, h)))
    _meet_at(monkeypatch, "password_problems", 2)  # both got past the code check before either goes on
    results = _in_threads(2, lambda i: services.activation_redeem(uid="hoangnt", code=code, password=passwords[i],
                                                                  password2=passwords[i]))
    won = [i for i, r in enumerate(results) if not isinstance(r, Exception)]
    assert len(won) == 1 and isinstance(results[1 - won[0]], ValidationError)
    assert writes == ["hoangnt"], "the loser must not have written its password to the directory"
    assert testing.bind_result(slapd_config, gateway.person_dn("hoangnt"), passwords[won[0]]) == 0
    assert testing.bind_result(slapd_config, gateway.person_dn("hoangnt"), passwords[1 - won[0]]) != 0


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_guesses_cannot_pass_the_five_try_cap(newcomer, monkeypatch):
    code = activation_issue(actor=None, person=newcomer, channel="letter")
    _meet_at(monkeypatch, "_digest", 12)  # every guess has read the code before any is counted
    results = _in_threads(12, lambda i: services.activation_redeem(uid="hoangnt", code=f"AAAA-BBBB-CC{i:02d}",
                                                                   password=GOOD, password2=GOOD))
    assert all(isinstance(r, ValidationError) for r in results)
    assert ActivationCode.objects.get().failed_attempts <= services.MAX_ATTEMPTS
    with pytest.raises(ValidationError):  # five wrong tries were spent: the right code is dead now
        services.activation_redeem(uid="hoangnt", code=code, password=GOOD, password2=GOOD)
    newcomer.refresh_from_db()
    assert newcomer.status == PersonStatus.STAGED
