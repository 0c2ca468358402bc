"""The audit trail is append-only and chained by hash: `manage.py verify_audit` finds an edited,
deleted, inserted or reordered entry, and the chain stays one line when many write at once."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
import time_machine
from django import db
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from provisioning.audit import chain
from provisioning.audit.models import AppendOnly, AuditChainHead, AuditEntry
from provisioning.audit.services import (
    AuditTrail,
    audit_entry,
    audit_expire,
    audit_record,
    audit_save_all,
    audit_verify,
)
from provisioning.people.services import person_set_status, person_update
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    p = factories.province()
    stc = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    hoang = factories.person(stc, password=None)
    person_update(actor=None, person=hoang, position="Trưởng phòng")
    person_set_status(actor=None, person=hoang, status="suspended", reason="Kiểm điểm", source_ip="2001:0db8::0001")
    return {"stc": stc, "hoang": hoang}


def verify() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def tamper(sql: str, params: list) -> None:
    """What someone with write access to the database could do (on PostgreSQL the trigger that refuses
    UPDATE and DELETE has to be told first, as the retention task does)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL idm.audit_expiring = 'on'")
            cursor.execute("ALTER TABLE provisioning_auditentry DISABLE TRIGGER provisioning_auditentry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE provisioning_auditentry ENABLE TRIGGER provisioning_auditentry_append_only")


def test_an_intact_trail_verifies_with_its_count(cast):
    n = AuditEntry.objects.count()
    assert n >= 5
    code, message = verify()
    assert code == 0 and f"intact: {n} entries" in message
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", "prev_hash", "hash"))
    assert [s for s, _p, _h in seqs] == list(range(1, n + 1))
    assert seqs[0][1] == chain.GENESIS and all(seqs[i][1] == seqs[i - 1][2] for i in range(1, n))
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (n, seqs[-1][2])


def test_the_reason_and_the_address_are_kept_in_their_own_columns(cast):
    entry = AuditEntry.objects.get(action="person.suspended")
    assert entry.reason == "Kiểm điểm" and entry.source_ip == "2001:db8::1"
    assert entry.unit_id == cast["stc"].pk


def test_verify_audit_detects_an_edited_record(cast):
    entry = AuditEntry.objects.get(action="person.updated")
    tamper("UPDATE provisioning_auditentry SET actor_label = %s WHERE id = %s", ["someone-else", entry.pk])
    code, message = verify()
    assert code == 1 and f"entry {entry.pk} " in message and "edited" in message


def test_verify_audit_detects_an_edited_before_or_after_state(cast):
    entry = AuditEntry.objects.get(action="person.updated")
    tamper("UPDATE provisioning_auditentry SET after = %s WHERE id = %s", ['{"position": "Giám đốc"}', entry.pk])
    code, message = verify()
    assert code == 1 and f"entry {entry.pk} " in message


def test_verify_audit_detects_a_deleted_record(cast):
    entries = list(AuditEntry.objects.order_by("seq"))
    gone, after = entries[2], entries[3]
    tamper("DELETE FROM provisioning_auditentry WHERE id = %s", [gone.pk])
    code, message = verify()
    assert code == 1 and f"entry {after.pk} " in message and "missing (deleted)" in message


def test_verify_audit_detects_the_newest_record_deleted(cast):
    last = AuditEntry.objects.order_by("-seq").first()
    tamper("DELETE FROM provisioning_auditentry WHERE id = %s", [last.pk])
    code, message = verify()
    assert code == 1 and "head" in message


def test_verify_audit_detects_reordered_records(cast):
    a, b = list(AuditEntry.objects.order_by("seq"))[1:3]
    tamper("UPDATE provisioning_auditentry SET seq = -1 WHERE id = %s", [a.pk])
    tamper("UPDATE provisioning_auditentry SET seq = %s WHERE id = %s", [a.seq, b.pk])
    tamper("UPDATE provisioning_auditentry SET seq = %s WHERE id = %s", [b.seq, a.pk])
    code, message = verify()
    assert code == 1 and (f"entry {b.pk} " in message)


def test_verify_audit_detects_a_record_inserted_and_rehashed_in_the_middle(cast):
    """Even a forger who computes a good hash for the new entry breaks the link of the next one."""
    entries = list(AuditEntry.objects.order_by("seq"))
    victim, following = entries[2], entries[3]
    forged = audit_entry(actor=None, action="person.updated", target=cast["hoang"], after={"position": "x"})
    forged.seq, forged.prev_hash = victim.seq, victim.prev_hash
    forged.hash = chain.digest(forged.prev_hash, chain.fields_of(forged))
    tamper("DELETE FROM provisioning_auditentry WHERE id = %s", [victim.pk])
    AuditEntry.objects.bulk_create([forged])
    code, message = verify()
    assert code == 1 and f"entry {following.pk} " in message and "does not follow" in message


def test_entries_cannot_be_changed_or_deleted_through_the_models(cast):
    entry = AuditEntry.objects.first()
    entry.actor_label = "x"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(actor_label="x")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnly):  # an unchained entry cannot be saved either
        AuditEntry.objects.bulk_create([audit_entry(actor=None, action="x", target=cast["hoang"])])
    assert verify()[0] == 0


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_on_postgresql_the_database_itself_refuses_update_and_delete(cast):
    entry = AuditEntry.objects.first()
    for sql in ("UPDATE provisioning_auditentry SET actor_label = 'x' WHERE id = %s",
                "DELETE FROM provisioning_auditentry WHERE id = %s"):
        with pytest.raises(db.Error, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])


def test_a_bulk_save_chains_every_entry(cast):
    people = [factories.person(cast["stc"], "Lê", "Văn", given, password=None) for given in ("An", "Bình")]
    audit_save_all([audit_entry(actor=None, action="directory.repaired", target=p) for p in people])
    assert verify()[0] == 0


def test_a_rolled_back_change_leaves_no_gap(cast):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="person.updated", target=cast["hoang"])
        raise RuntimeError
    audit_record(actor=None, action="person.updated", target=cast["hoang"])
    assert verify()[0] == 0


def test_retention_removes_old_entries_and_verify_still_passes(cast, settings):
    settings.IDM_AUDIT_RETENTION_DAYS = 30
    old = AuditEntry.objects.count()
    with time_machine.travel(timezone.now() + dt.timedelta(days=40), tick=False):
        audit_record(actor=None, action="person.updated", target=cast["hoang"], after={"position": "Phó phòng"})
        assert audit_expire() == old
        assert audit_expire() == 0  # nothing more is old: no second checkpoint
    kept = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert kept == ["person.updated", "audit.expired"]
    checkpoint = AuditEntry.objects.get(action="audit.expired")
    assert checkpoint.after["through_seq"] == old and checkpoint.after["removed"] == old
    assert verify()[0] == 0
    # a second round moves the anchor again, past the first checkpoint
    with time_machine.travel(timezone.now() + dt.timedelta(days=80), tick=False):
        assert audit_expire() == 2
    assert verify()[0] == 0 and AuditEntry.objects.count() == 1


def test_retention_cannot_hide_a_deletion_at_the_start(cast, settings):
    first = AuditEntry.objects.order_by("seq").first()
    tamper("DELETE FROM provisioning_auditentry WHERE id = %s", [first.pk])
    code, message = verify()
    assert code == 1 and "missing (deleted)" in message


def test_the_trail_target_of_a_checkpoint_is_the_trail():
    assert str(AuditTrail()) == "audit trail"
    assert audit_verify().intact and audit_verify().count == 0


@pytest.mark.django_db(transaction=True)
def test_two_threads_writing_at_once_keep_the_chain_one_line():
    """Run on both databases: `IDM_TEST_DB=postgres pytest tests/provisioning/audit` for PostgreSQL."""
    unit = factories.province()
    start = threading.Barrier(2, timeout=10)
    errors = []

    def write(i):
        try:
            start.wait()
            for n in range(25):
                with transaction.atomic():
                    if n % 5 == 0:
                        audit_save_all([audit_entry(actor=None, action="unit.updated", target=unit,
                                                    after={"thread": i, "n": n, "k": k}) for k in range(3)])
                    else:
                        audit_record(actor=None, action="unit.updated", target=unit, after={"thread": i, "n": n})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            db.connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and not any(t.is_alive() for t in threads)
    verdict = audit_verify()
    assert verdict.intact, verdict.problem
    assert verdict.count == AuditEntry.objects.count() == 1 + 2 * (20 + 5 * 3)
    writers = {after["thread"] for after in AuditEntry.objects.filter(action="unit.updated")
               .values_list("after", flat=True)}
    assert writers == {0, 1}
