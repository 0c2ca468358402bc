"""A person who forgot the user name has it mailed to the personal email on file."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from tests import factories
from tests.accounts.recovery.conftest import USERNAME

pytestmark = pytest.mark.django_db


def remind(post, email: str, ip: str = "127.0.0.1"):
    return post(Client(), USERNAME, {"email": email}, REMOTE_ADDR=ip)


def page(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_the_user_name_goes_to_the_one_person_with_that_personal_email(cast, eager, post):
    r = remind(post, "hoang.nguyen@GMAIL.com")
    assert r.status_code == 200
    [sent] = mail.outbox
    assert sent.to == ["hoang.nguyen@gmail.com"] and "hoangnt" in sent.body and "hoangnt@quangtri.gov.vn" in sent.body


def test_the_answer_is_the_same_and_nothing_is_sent_when_no_single_active_person_matches(cast, eager, post):
    factories.person(cast["unit"], "Lê", "Văn", "Tám", personal_email="lan.pham@gmail.com", code="NV003")
    answers = {page(remind(post, e)) for e in ("khongco@gmail.com", "lan.pham@gmail.com")}
    mine = page(remind(post, "hoang.nguyen@gmail.com"))
    assert answers == {mine}
    assert [m.to for m in mail.outbox] == [["hoang.nguyen@gmail.com"]]  # shared address: nobody


def test_rs09_a_unicode_look_alike_address_matches_nobody(cast, eager, post):
    remind(post, "hoang.nguyen@gmaıl.com")
    remind(post, "HOANG.NGUYEN@gmail.com")  # the local part is not folded either
    assert not mail.outbox


def test_reminders_are_rate_limited(cast, eager, post):
    answers = [remind(post, "hoang.nguyen@gmail.com", ip=f"10.0.0.{i}").status_code for i in range(4)]
    assert answers == [200, 200, 200, 429] and len(mail.outbox) == 3
