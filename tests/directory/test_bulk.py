"""The pipelined bulk path against the real slapd: it adds, reports what existed, and never lets
a python-ldap exception out (callers see our types only)."""

from __future__ import annotations

import pytest

from directory import bulk, gateway
from directory.entries import PersonEntry
from directory.errors import DirectoryError, DirectoryUnavailable, SchemaViolation

pytestmark = pytest.mark.django_db


def entry(uid: str, **kw) -> PersonEntry:
    defaults = dict(uid=uid, family_name="Trần", middle_name="Văn", given_name="An", employee_code=f"QT-{uid}",
                    unit_code="000.00.01.H45", status="active", mail=f"{uid}@quangtri.gov.vn", mail_enabled=True)
    defaults.update(kw)
    return PersonEntry(**defaults)


def _is_ours(exc: BaseException) -> bool:
    return type(exc).__module__ == "directory.errors"


def test_a_batch_is_added_and_a_second_run_reports_every_entry_as_existing():
    batch = [entry(f"bulk{i}") for i in range(5)]
    assert bulk.people_add_pipelined(batch) == ([], {})
    assert gateway.people_uids() == {e.uid for e in batch}
    existing, failed = bulk.people_add_pipelined(batch)
    assert sorted(existing) == sorted(e.uid for e in batch) and failed == {}


def test_an_entry_the_server_refuses_is_our_schema_violation_and_the_others_are_added():
    # mail is an IA5 string: slapd itself refuses a Vietnamese letter in it (checks here let it through)
    bad = entry("badmail", mail="hoàng@quangtri.gov.vn")
    existing, failed = bulk.people_add_pipelined([entry("good1"), bad, entry("good2")])
    assert existing == []
    assert set(failed) == {"badmail"}
    assert isinstance(failed["badmail"], SchemaViolation) and _is_ours(failed["badmail"])
    assert failed["badmail"].transient is False
    assert gateway.people_uids() == {"good1", "good2"}


def test_a_bulk_add_against_a_stopped_directory_raises_directory_unavailable(stack):
    stack.stop()
    with pytest.raises(DirectoryUnavailable) as info:
        bulk.people_add_pipelined([entry("bulk1")])
    assert info.value.transient is True and _is_ours(info.value)
    stack.ensure_running()
    assert bulk.people_add_pipelined([entry("bulk1")]) == ([], {})


def test_a_wrong_service_password_is_our_error_not_python_ldaps(settings):
    settings.IDM_LDAP_BIND_PASSWORD = "not-the-password"
    with pytest.raises(DirectoryError) as info:
        bulk.people_add_pipelined([entry("bulk1")])
    assert _is_ours(info.value) and info.value.code == 49


def test_a_put_adds_the_missing_changes_the_differing_and_leaves_the_matching_untouched():
    kept, moved = entry("kept1"), entry("moved1")
    bulk.people_add_pipelined([kept, moved])
    dn = gateway.person_dn(kept.uid)
    stamp = gateway.read(dn, ["entryCSN"])["entryCSN"]
    moved_after = entry("moved1", unit_code="000.00.02.H45", mail="moved1@quangbinh.gov.vn",
                        mail_aliases=["moved1@quangtri.gov.vn"])
    # more people than one search names, so the existing ones are found across several searches
    new = [entry(f"new{i:03d}") for i in range(bulk.SEARCH_CHUNK + 3)]
    assert bulk.people_put_pipelined([kept, moved_after, *new]) == {}
    assert gateway.person_get("moved1") == moved_after
    assert gateway.person_get("new502") == new[-1]
    assert gateway.read(dn, ["entryCSN"])["entryCSN"] == stamp  # already right: not written at all
    assert len(gateway.people_uids()) == 2 + len(new)


def test_a_pipelined_modify_that_meets_another_writers_change_is_redone_and_succeeds(monkeypatch):
    """Two workers bringing one person in line at once (bench/scaleout.py on the scaled stack): the other
    withdrew the mailbox (attribute and class gone) between our read and our modify. The removal is a
    'replace with nothing' (no noSuchAttribute), the class removal that fails is redone from a new read."""
    from directory.gateway import base

    gateway.person_put(entry("race1"))
    stale = {k: base.as_list(v) for k, v in base.read(gateway.person_dn("race1"), ["*"]).items()}
    withdrawn = entry("race1", mail="", mail_enabled=False)
    assert gateway.person_put(withdrawn) == "modified"  # the other worker
    real = bulk.entry_changes
    monkeypatch.setattr(bulk, "entry_changes", lambda _have, *a, **kw: real(stale, *a, **kw))
    assert bulk.people_put_pipelined([withdrawn]) == {}
    monkeypatch.undo()
    back = gateway.person_get("race1")
    assert back.mail in ("", None) and back.mail_enabled is False
    assert base.entry_changes(stale, withdrawn.object_classes(), withdrawn.to_attrs(), ["mail"])[0] == \
        ("replace", "mail", [])
