"""An HR officer's help-desk reset (issue 8; PW-17, PW-18): identity checked, the password voided,
sessions ended, a new activation code issued; only for people of the officer's own units."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import ActivationCode
from directory import gateway
from provisioning.audit.models import AuditEntry
from provisioning.people.models import PersonStatus
from scripts.dev import ldap_testing as testing
from tests import factories
from tests.accounts.profile.conftest import login

pytestmark = pytest.mark.django_db
NEW = "hai con chim non tren canh dao"


def url(person):
    return f"/people/{person.pk}/reset/"


def reset(client, person, employee_code, citizen_id="038095001234", channel="email"):
    return client.post(url(person), {"employee_code": employee_code, "citizen_id": citizen_id, "channel": channel},
                       HTTP_ACCEPT_LANGUAGE="en")


def test_pw18_the_page_has_no_password_field(client, cast):
    login(client, cast["hr"].uid)
    html = client.get(url(cast["hoang"])).content.decode()
    assert 'type="password"' not in html and "employee_code" in html and "citizen_id" in html


def test_an_officer_of_another_unit_gets_a_404(client, cast, slapd_config):
    login(client, cast["outsider_hr"].uid)
    assert client.get(url(cast["hoang"])).status_code == 404
    assert reset(client, cast["hoang"], cast["hoang"].employee_code).status_code == 404
    assert testing.bind_result(slapd_config, gateway.person_dn(cast["hoang"].uid), factories.PASSWORD) == 0


def test_a_wrong_identity_changes_nothing_and_is_audited(client, cast, slapd_config):
    login(client, cast["hr"].uid)
    r = reset(client, cast["hoang"], cast["hoang"].employee_code, citizen_id="038095009999")
    assert r.status_code == 400 and "do not match" in r.content.decode()
    assert testing.bind_result(slapd_config, gateway.person_dn(cast["hoang"].uid), factories.PASSWORD) == 0
    assert AuditEntry.objects.filter(action="person.helpdesk_identity_refused").count() == 1
    assert not ActivationCode.objects.filter(person=cast["hoang"]).exists()


def test_pw17_a_reset_voids_the_password_ends_sessions_and_the_code_sets_a_new_one(
        client, cast, slapd_config, eager, django_capture_on_commit_callbacks):
    hoang = cast["hoang"]
    own = Client()
    login(own, hoang.uid)
    assert own.get("/me/").status_code == 200
    login(client, cast["hr"].uid)
    with django_capture_on_commit_callbacks(execute=True):
        r = reset(client, hoang, hoang.employee_code.lower())  # codes compare without case
    assert r.status_code == 302
    dn = gateway.person_dn(hoang.uid)
    assert testing.bind_result(slapd_config, dn, factories.PASSWORD) == 49  # voided at once
    assert own.get("/me/").status_code == 302  # signed out everywhere
    letter = next(m for m in mail.outbox if "Mã kích hoạt" in m.body)
    assert letter.to == ["hoang.nguyen@gmail.com"]
    code = re.search(r"Mã kích hoạt: ([A-Z0-9-]+)", letter.body).group(1)
    assert AuditEntry.objects.filter(action="person.helpdesk_reset").count() == 1
    r = own.post("/activate/", {"uid": hoang.uid, "code": code, "password": NEW, "password2": NEW})
    assert r.status_code == 200
    assert testing.bind_result(slapd_config, dn, NEW) == 0
    hoang.refresh_from_db()
    assert hoang.status == PersonStatus.ACTIVE
    # the code worked once
    r = own.post("/activate/", {"uid": hoang.uid, "code": code, "password": NEW + " x", "password2": NEW + " x"})
    assert r.status_code == 400


def test_a_letter_is_a_pdf_download(client, cast, slapd_config):
    login(client, cast["hr"].uid)
    r = reset(client, cast["hoang"], cast["hoang"].employee_code, channel="letter")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert ActivationCode.objects.filter(person=cast["hoang"], channel="letter", used_at=None).count() == 1


def test_no_citizen_id_on_file_means_no_help_desk_reset(client, cast):
    other = factories.person(cast["skhcn"], "Lê", "Văn", "Tám")
    login(client, cast["hr"].uid)
    r = reset(client, other, other.employee_code)
    assert r.status_code == 400 and "no citizen ID on file" in r.content.decode()
