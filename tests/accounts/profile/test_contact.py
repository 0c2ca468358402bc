"""A person changes or confirms their personal email or phone (SE-06, RS-16's "verified" numbers)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import OneTimeCode
from provisioning.audit.models import AuditEntry
from provisioning.people.models import Person
from provisioning.people.services import person_update
from tests import factories
from tests.accounts.profile.conftest import login

pytestmark = pytest.mark.django_db
START, CONFIRM = "/me/contact/", "/me/contact/confirm/"


def start(client, kind, value, current=factories.PASSWORD):
    return client.post(START, {"kind": kind, "value": value, "current": current}, HTTP_ACCEPT_LANGUAGE="en")


def code_in(text: str) -> str:
    return re.search(r"\b(\d{8})\b", text).group(1)


def test_se06_a_new_email_needs_the_current_password(client, cast, eager, django_capture_on_commit_callbacks):
    login(client, cast["hoang"].uid)
    with django_capture_on_commit_callbacks(execute=True):
        r = start(client, "email", "hoang.moi@gmail.com", current="not my password at all")
    assert r.status_code == 400 and "current password is not correct" in r.content.decode()
    assert not OneTimeCode.objects.exists() and not mail.outbox
    assert Person.objects.get(pk=cast["hoang"].pk).personal_email == "hoang.nguyen@gmail.com"


def test_se06_a_new_email_is_saved_only_with_the_code_sent_to_it_and_the_old_one_is_told(
        client, cast, eager, django_capture_on_commit_callbacks):
    login(client, cast["hoang"].uid)
    with django_capture_on_commit_callbacks(execute=True):
        r = start(client, "email", "Hoang.Moi@GMAIL.com")
    assert r.status_code == 302 and r.url == CONFIRM
    [sent] = mail.outbox
    assert sent.to == ["Hoang.Moi@gmail.com"]  # the domain is lower-cased, the local part kept
    assert Person.objects.get(pk=cast["hoang"].pk).personal_email == "hoang.nguyen@gmail.com"  # not yet
    otc = OneTimeCode.objects.get()
    assert code_in(sent.body) not in (otc.digest, otc.flow_digest)  # RS-04: only digests stored
    assert client.post(CONFIRM, {"code": "00000000"}).status_code == 400
    r = client.post(CONFIRM, {"code": code_in(sent.body)})
    assert r.status_code == 302
    person = Person.objects.get(pk=cast["hoang"].pk)
    assert person.personal_email == "Hoang.Moi@gmail.com" and person.personal_email_verified_at is not None
    told = [m for m in mail.outbox if m.to == ["hoang.nguyen@gmail.com"]]
    assert len(told) == 1 and code_in(sent.body) not in told[0].body
    assert AuditEntry.objects.filter(action="person.email_verified").exists()
    # the code worked once
    assert client.post(CONFIRM, {"code": code_in(sent.body)}).status_code == 302  # no flow left: back to start
    assert client.get(CONFIRM).status_code == 302


def test_a_code_typed_in_another_browser_is_refused(client, cast, eager, django_capture_on_commit_callbacks):
    from django.test import Client

    login(client, cast["hoang"].uid)
    with django_capture_on_commit_callbacks(execute=True):
        start(client, "email", "hoang.moi@gmail.com")
    code = code_in(mail.outbox[0].body)
    other = Client()
    login(other, cast["hoang"].uid)
    with django_capture_on_commit_callbacks(execute=True):
        start(other, "email", "khac@gmail.com")  # its own flow; also supersedes the first code
    assert other.post(CONFIRM, {"code": code}).status_code == 400
    assert Person.objects.get(pk=cast["hoang"].pk).personal_email == "hoang.nguyen@gmail.com"


def test_confirming_the_phone_on_file_makes_it_verified_and_an_hr_change_unverifies_it(
        client, cast, eager, sms, django_capture_on_commit_callbacks):
    login(client, cast["hoang"].uid)
    with django_capture_on_commit_callbacks(execute=True):
        assert start(client, "phone", "0912 345 678").status_code == 302
    [text] = sms()
    assert text["to"] == "+84912345678"
    assert client.post(CONFIRM, {"code": code_in(text["text"])}).status_code == 302
    person = Person.objects.get(pk=cast["hoang"].pk)
    assert person.phone_verified_at is not None and person.phone == "+84912345678"
    person_update(actor=None, person=person, phone="0987654321")
    assert Person.objects.get(pk=person.pk).phone_verified_at is None


def test_a_bad_number_gets_the_reason(client, cast):
    login(client, cast["hoang"].uid)
    r = start(client, "phone", "12345")
    assert r.status_code == 400 and "not a Vietnamese mobile number" in r.content.decode()
