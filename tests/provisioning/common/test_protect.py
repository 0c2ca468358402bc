"""Citizen IDs stay readable when SECRET_KEY rotates; field keys rotate with a command; production
refuses to start without its own keys."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from provisioning.checks import check_key_settings
from provisioning.common import protect
from provisioning.people.models import Person, PersonStatus
from tests import factories

pytestmark = pytest.mark.django_db
CID = "001190000001"


@pytest.fixture
def person():
    unit = factories.unit(factories.province(), "000.00.03.H45", "Sở Tài chính")
    return factories.person(unit, password=None, citizen_id=CID, status=PersonStatus.STAGED)


def stored(person) -> Person:
    return Person.objects.get(pk=person.pk)


def test_rotating_the_secret_key_keeps_citizen_ids_readable_and_findable(settings, person):
    settings.SECRET_KEY = "a completely new django secret key, rotated after a leak"
    row = stored(person)
    assert protect.decrypt(row.citizen_id_encrypted) == CID
    assert row.citizen_id_digest == protect.digest(CID)


def test_activation_codes_survive_a_secret_key_rotation(settings, person, client):
    from accounts.selfservice.services import activation_issue

    code = activation_issue(actor=None, person=person, channel="letter")
    settings.SECRET_KEY = "a completely new django secret key, rotated after a leak"
    r = client.post("/activate/", {"uid": person.uid, "code": code, "password": "cay tre xanh ben bo song hong",
                                   "password2": "cay tre xanh ben bo song hong"})
    assert r.status_code == 200


def test_a_new_field_key_takes_over_and_the_old_one_can_be_retired(settings, person):
    old, new = settings.IDM_FIELD_KEYS[0], Fernet.generate_key().decode()
    old_token = stored(person).citizen_id_encrypted
    settings.IDM_FIELD_KEYS = [new, old]  # the new key first: it encrypts, both decrypt
    assert protect.decrypt(old_token) == CID
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "1" in out.getvalue()
    token = stored(person).citizen_id_encrypted
    assert token != old_token and Fernet(new.encode()).decrypt(token.encode()).decode() == CID
    settings.IDM_FIELD_KEYS = [new]  # the old key removed
    assert protect.decrypt(stored(person).citizen_id_encrypted) == CID
    with pytest.raises(Exception):  # noqa: B017 - the old key alone cannot read it any more
        Fernet(old.encode()).decrypt(token.encode())


def test_values_from_before_the_field_keys_are_read_and_migrated(settings, person):
    """Data encrypted with the old SECRET_KEY-derived key stays readable (decrypt-only) until
    rotate_field_keys moves it to the current field key, and its lookup digest moves too."""
    import base64
    import hashlib
    import hmac

    legacy_material = (settings.IDM_FIELD_KEY or settings.SECRET_KEY).encode()
    legacy = Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"idm-field-encryption\0" + legacy_material).digest()))
    legacy_digest = hmac.new(hashlib.sha256(b"idm-field-digest\0" + legacy_material).digest(), CID.encode(),
                             hashlib.sha256).hexdigest()
    Person.objects.filter(pk=person.pk).update(citizen_id_encrypted=legacy.encrypt(CID.encode()).decode(),
                                               citizen_id_digest=legacy_digest)
    assert protect.decrypt(stored(person).citizen_id_encrypted) == CID
    call_command("rotate_field_keys", stdout=io.StringIO())
    row = stored(person)
    assert Fernet(settings.IDM_FIELD_KEYS[0].encode()).decrypt(row.citizen_id_encrypted.encode()).decode() == CID
    assert row.citizen_id_digest == protect.digest(CID)


def test_production_needs_its_own_keys(settings):
    settings.DEBUG = False
    assert not [e for e in check_key_settings() if e.id.startswith("provisioning.E")]
    settings.IDM_FIELD_KEYS, settings.IDM_DIGEST_KEY = [], ""
    assert {e.id for e in check_key_settings()} >= {"provisioning.E001", "provisioning.E003"}
    settings.IDM_FIELD_KEYS, settings.IDM_DIGEST_KEY = ["not a fernet key"], "short"
    assert {e.id for e in check_key_settings()} >= {"provisioning.E002", "provisioning.E004"}


def test_development_needs_nothing(settings):
    settings.DEBUG = True
    settings.IDM_FIELD_KEYS, settings.IDM_DIGEST_KEY = [], ""
    assert check_key_settings() == []
    token = protect.encrypt(CID)
    settings.SECRET_KEY = "another development secret"
    assert protect.decrypt(token) == CID and protect.digest(CID) == protect.digest(CID)
