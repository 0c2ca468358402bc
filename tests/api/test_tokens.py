"""API tokens: made on /accounts/tokens/ and shown once, stored as a keyed digest, revocable, expiring,
and every failure answered 401 "invalid or expired token"; an address that keeps failing is turned away."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import ApiToken
from accounts.tokens.services import token_create, token_revoke
from provisioning.api.authentication import FailedTokenThrottle
from provisioning.audit.models import AuditEntry
from provisioning.people.models import PersonStatus
from provisioning.people.services import person_set_status
from tests.api.conftest import Api, directory_user

pytestmark = pytest.mark.django_db


def test_hr_officer_creates_a_token_on_the_page_sees_it_once_and_it_is_stored_hashed(client, cast):
    client.force_login(cast["hr_user"], backend="accounts.backends.DirectoryBackend")
    response = client.post("/accounts/tokens/", {"name": "Phần mềm nhân sự", "expires_on": ""})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.startswith("idm_") and secret in response.content.decode()
    token = ApiToken.objects.get(name="Phần mềm nhân sự")
    assert token.digest != secret and secret not in token.digest and token.prefix == secret[:12]
    assert secret not in client.get("/accounts/tokens/").content.decode()  # never shown again
    assert AuditEntry.objects.filter(action="token.created", target_id=str(token.pk)).exists()
    assert Api(client.__class__(), secret).get("/api/v1/people/").status_code == 200


def test_staff_without_a_role_cannot_make_tokens(client, cast):
    client.force_login(directory_user(cast["colleague"]), backend="accounts.backends.DirectoryBackend")
    assert client.get("/accounts/tokens/").status_code == 403
    with pytest.raises(PermissionDenied):
        token_create(actor=directory_user(cast["colleague"]), name="mine")


def test_a_revoked_token_is_refused_with_401_and_no_reason_beyond_invalid_or_expired(client, cast):
    token = ApiToken.objects.get(user=cast["hr_user"])
    client.force_login(cast["hr_user"], backend="accounts.backends.DirectoryBackend")
    assert client.post("/accounts/tokens/revoke/", {"token": token.pk}).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEntry.objects.filter(action="token.revoked").exists()
    response = Api(client.__class__(), cast["token"]).get("/api/v1/people/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or expired token."}
    assert response["WWW-Authenticate"] == 'Bearer realm="idm"'
    wrong = Api(client.__class__(), "idm_" + "x" * 43).get("/api/v1/people/", language="vi")
    assert wrong.status_code == 401 and wrong.json() == {"detail": "Khóa không hợp lệ hoặc đã hết hạn."}
    assert Api(client.__class__(), None).get("/api/v1/people/").status_code == 401


def test_an_officer_cannot_revoke_someone_elses_token(client, cast, superadmin_token):
    other = ApiToken.objects.get(user__username="superadmin")
    client.force_login(cast["hr_user"], backend="accounts.backends.DirectoryBackend")
    assert client.post("/accounts/tokens/revoke/", {"token": other.pk}).status_code == 404
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
    with pytest.raises(PermissionDenied):
        token_revoke(actor=cast["hr_user"], token=other)


def test_a_token_works_through_its_last_day_and_not_after(client, cast):
    token, secret = token_create(actor=cast["hr_user"], name="short", expires_on=timezone.localdate())
    api = Api(client, secret)
    assert api.get("/api/v1/people/").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, hours=1)):
        assert api.get("/api/v1/people/").status_code == 401


def test_a_suspended_officers_token_stops_at_once(client, cast):
    api = Api(client, cast["token"])
    assert api.get("/api/v1/people/").status_code == 200
    person_set_status(actor=None, person=cast["hr"], status=PersonStatus.SUSPENDED, reason="test")
    assert api.get("/api/v1/people/").status_code == 401


def test_failed_attempts_from_one_address_are_throttled_even_for_a_right_token(client, cast, monkeypatch):
    monkeypatch.setattr(FailedTokenThrottle, "rate", "3/min", raising=False)
    wrong = Api(client, "idm_wrong")
    assert [wrong.get("/api/v1/people/").status_code for _ in range(3)] == [401, 401, 401]
    assert wrong.get("/api/v1/people/").status_code == 429
    assert Api(client, cast["token"]).get("/api/v1/people/").status_code == 429  # a guess that hits looks the same
    other = client.__class__(REMOTE_ADDR="127.0.0.9")
    assert Api(other, cast["token"]).get("/api/v1/people/").status_code == 200  # per address
    # a forged X-Forwarded-For does not make a new address
    forged = client.get("/api/v1/people/", headers={"Authorization": "Bearer idm_x", "X-Forwarded-For": "10.9.9.9"})
    assert forged.status_code == 429


def test_schema_and_docs_are_served_from_this_server(client):
    schema = client.get("/api/v1/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert schema.status_code == 200 and "/api/v1/people/{id}/suspend/" in schema.json()["paths"]
    assert "bearerAuth" in schema.json()["components"]["securitySchemes"]
    page = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in page and "cdn" not in page.lower()
    # under the site's CSP (script-src 'self'): no inline script, the start-up script comes from this server
    assert not re.search(r"<script(?![^>]*\ssrc=)", page) and "<style" not in page
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "/api/v1/schema/" in script.content.decode()
