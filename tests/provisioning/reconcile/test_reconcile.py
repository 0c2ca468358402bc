"""reconcile finds drift between SQL and the directory; a repair is audited like any other change."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from directory import gateway
from directory.entries import PersonEntry
from provisioning.audit.models import AuditEntry
from provisioning.reconcile.services import compare
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def drift():
    """One person the directory lost, one entry only the directory has."""
    unit = factories.unit(factories.province(), "000.00.03.H45", "Sở Tài chính")
    lost = factories.person(unit)
    gateway.person_put(PersonEntry(uid="tamlv", family_name="Lê", middle_name="Văn", given_name="Tám",
                                   unit_code=unit.code))
    gateway.person_delete(lost.uid)
    d = compare()
    assert d.missing_people == [lost.uid] and d.extra_people == ["tamlv"]
    return {"lost": lost, "ghost_uid": "tamlv"}


def test_a_repair_from_the_command_is_audited_with_who_ran_it(drift):
    admin = User.objects.create_superuser("superadmin", password="a local password", source=User.Source.LOCAL)
    call_command("reconcile", "--repair", "--delete-extra", "--actor", "superadmin", stdout=io.StringIO())
    assert compare().total == 0
    repaired = AuditEntry.objects.get(action="directory.repaired")
    assert (repaired.actor, repaired.target_type, repaired.target_id) == (admin, "person", str(drift["lost"].pk))
    assert repaired.after["source"] == "command" and repaired.after["missing"] is True
    deleted = AuditEntry.objects.get(action="directory.extra_deleted")
    assert deleted.actor == admin and deleted.target_id == drift["ghost_uid"] and deleted.after["kind"] == "person"


def test_a_repair_without_an_actor_is_the_systems(drift):
    with pytest.raises(SystemExit):  # the extra entry stays without --delete-extra: drift remains
        call_command("reconcile", "--repair", stdout=io.StringIO())
    entry = AuditEntry.objects.get(action="directory.repaired")
    assert entry.actor is None and entry.actor_label == "system" and entry.after["source"] == "command"
    assert not AuditEntry.objects.filter(action="directory.extra_deleted").exists()


def test_an_unknown_actor_is_refused_before_anything_changes(drift):
    with pytest.raises(CommandError):
        call_command("reconcile", "--repair", "--actor", "nobody", stdout=io.StringIO())
    assert compare().total == 2 and not AuditEntry.objects.filter(action__startswith="directory.").exists()
