"""/api/v1/certificate-requests/: the certificate pages' requests for a token: the same scope, the same
service (prefilled form, checks, audit), errors by field (the CA form's fields under "form")."""

from __future__ import annotations

import pytest

from accounts.models import User
from provisioning.audit.models import AuditEntry
from provisioning.certificates import services
from provisioning.certificates.models import CertKind, RequestType, Stage
from tests.provisioning.certificates.conftest import PERSONAL_NEW

pytestmark = pytest.mark.django_db
FORM = PERSONAL_NEW | {"phone": "0912345678", "contact_phone": "0912345678"}  # the API cast has no phones


def _new(api, person, **extra):
    return api.post("/api/v1/certificate-requests/",
                    {"kind": "personal", "type": "new", "person": person.pk, "form": FORM} | extra)


def test_hr_officer_raises_a_request_for_their_staff_through_the_service(api, cast):
    r = _new(api, cast["colleague"])
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["stage"], body["origin"], body["form_number"]) == (Stage.HEAD, "hr", "01")
    assert body["person_uid"] == cast["colleague"].uid and body["unit"] == cast["ns"].code
    assert body["form"]["full_name"] == cast["colleague"].full_name  # prefilled from the record
    entry = AuditEntry.objects.get(action="certificate.requested")
    assert entry.actor == cast["hr_user"]
    assert api.get(f"/api/v1/certificate-requests/{body['id']}/").json()["id"] == body["id"]


def test_missing_and_bad_form_fields_are_a_400_under_form(api, cast):
    bad = _new(api, cast["colleague"], form=FORM | {"id_number": "12ab", "birth_date": "17/05/1990"})
    assert bad.status_code == 400 and {"birth_date", "id_number"} <= set(bad.json()["form"])
    missing = _new(api, cast["colleague"], form={})
    assert missing.status_code == 400 and {"birth_date", "id_issued_on"} <= set(missing.json()["form"])
    unknown = _new(api, cast["colleague"], form=FORM | {"is_superuser": "1"})
    assert unknown.status_code == 400 and "is_superuser" in unknown.json()["form"]
    refused = _new(api, cast["colleague"], stage="done")
    assert refused.status_code == 400 and "stage" in refused.json()


def test_same_request_twice_is_refused_in_the_callers_language(api, cast):
    assert _new(api, cast["colleague"]).status_code == 201
    again = api.post("/api/v1/certificate-requests/", {"kind": "personal", "type": "new",
                                                       "person": cast["colleague"].pk, "form": FORM},
                     language="vi")
    assert again.status_code == 400 and again.json()["non_field_errors"]


def test_hr_officer_cannot_raise_or_read_requests_outside_their_units(api, cast, superadmin_token):
    assert _new(api, cast["outsider"]).status_code == 404
    admin = User.objects.get(username="superadmin")
    theirs = services.request_create(actor=admin, kind=CertKind.PERSONAL, type_=RequestType.NEW,
                                     person=cast["outsider"], form=FORM)
    assert api.get(f"/api/v1/certificate-requests/{theirs.pk}/").status_code == 404
    assert api.get("/api/v1/certificate-requests/").json()["count"] == 0


def test_list_is_paged_and_filtered(api, cast):
    assert _new(api, cast["colleague"]).status_code == 201
    page = api.get("/api/v1/certificate-requests/", {"stage": "head", "unit": cast["stc"].code, "size": 1})
    assert page.status_code == 200 and page.json()["count"] == 1
    assert api.get("/api/v1/certificate-requests/", {"stage": "done"}).json()["count"] == 0
    assert api.get("/api/v1/certificate-requests/", {"unit": cast["syt"].code}).json()["count"] == 0
    assert api.get("/api/v1/certificate-requests/", {"stage": "nonsense"}).status_code == 400
