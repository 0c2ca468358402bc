"""Every change reaches the directory through the outbox, whatever happens to slapd or Redis."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import transaction

from directory import gateway
from directory.errors import DirectoryUnavailable
from idm.celery import app
from provisioning.outbox import services as outbox
from provisioning.outbox.models import DirectoryChange
from provisioning.units.models import Unit
from provisioning.units.services import unit_create
from tests import factories

WORKER_DEADLINE = 20  # seconds


@contextlib.contextmanager
def worker_runs():
    """A real Celery worker, and a semaphore released each time it finishes an apply task: the test
    waits on that, not on a clock."""
    finished = threading.Semaphore(0)

    def on_postrun(sender=None, **kwargs):
        if sender is not None and sender.name == outbox.APPLY_TASK:
            finished.release()

    task_postrun.connect(on_postrun, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
            yield finished
    finally:
        task_postrun.disconnect(on_postrun)


def settled(finished: threading.Semaphore) -> DirectoryChange:
    """The one outbox row once the worker has applied (or failed) it; a clear failure if no
    worker run settles it before the deadline."""
    end = time.monotonic() + WORKER_DEADLINE
    while True:
        row = DirectoryChange.objects.get()
        if row.status in (DirectoryChange.Status.APPLIED, DirectoryChange.Status.FAILED):
            return row
        left = end - time.monotonic()
        assert left > 0 and finished.acquire(timeout=left), (
            f"no worker settled the change within {WORKER_DEADLINE} s: status {row.status}, "
            f"attempts {row.attempts}, last error {row.last_error!r}")


@pytest.mark.django_db
def test_changes_made_while_the_directory_is_down_arrive_once_it_is_back(stack):
    p = factories.province()
    stack.stop()
    unit = factories.unit(p, "000.00.01.H45", "Sở Tài chính")
    with pytest.raises(DirectoryUnavailable):
        outbox.directory_changes_drain()
    assert set(DirectoryChange.objects.values_list("status", flat=True)) == {"pending"}
    assert DirectoryChange.objects.get(object_id=unit.pk).attempts == 1
    stack.start()
    result = outbox.directory_changes_drain()
    assert result.applied == 2 and result.failed == 0
    assert set(DirectoryChange.objects.values_list("status", flat=True)) == {"applied"}
    assert [u.code for u in gateway.units_all()] == ["000.00.00.H45", "000.00.01.H45"]
    # applying again (a duplicate delivery) changes nothing
    DirectoryChange.objects.update(status="pending")
    assert outbox.directory_changes_drain().applied == 2
    assert len(gateway.units_all()) == 2


@pytest.mark.django_db
def test_a_batch_carries_out_every_pending_row_of_its_objects_and_no_other():
    unit = factories.unit(factories.province(), "000.00.01.H45", "Sở Tài chính")
    one, other = factories.person(unit, given="Một"), factories.person(unit, given="Hai")
    Kind = DirectoryChange.Kind
    with transaction.atomic():
        one.position = "Phó phòng"
        one.save(update_fields=["position"])
        first = outbox.directory_change_enqueue_many(kind=Kind.PERSON, object_ids=[one.pk])
    with transaction.atomic():  # queued again (a readdress after a move): the same object
        again = outbox.directory_change_enqueue_many(kind=Kind.PERSON, object_ids=[one.pk])
        untouched = outbox.directory_change_enqueue_many(kind=Kind.PERSON, object_ids=[other.pk])
    result = outbox.directory_changes_apply(first)
    assert result.applied == 2 and result.failed == 0
    assert DirectoryChange.objects.get(pk=again[0]).status == "applied"
    assert DirectoryChange.objects.get(pk=untouched[0]).status == "pending"
    assert gateway.person_get(one.uid).position == "Phó phòng"
    assert outbox.directory_changes_apply(again).applied == 0  # its own task then finds nothing to do


@pytest.mark.django_db
def test_a_permanent_error_fails_the_change_with_a_readable_reason():
    p = factories.province()
    # bypasses the service on purpose; ESC, not NUL: PostgreSQL cannot store NUL in text at all
    Unit.objects.filter(pk=p.pk).update(name="bad\x1bname")
    outbox.directory_change_enqueue_many(kind=DirectoryChange.Kind.UNIT, object_ids=[p.pk])
    result = outbox.directory_changes_drain()
    assert result.failed >= 1
    failed = DirectoryChange.objects.filter(status="failed")
    assert failed.exists() and "control" in failed.first().last_error


@pytest.mark.django_db
def test_the_sweeper_takes_back_rows_a_dead_worker_left_running():
    from datetime import timedelta

    from django.utils import timezone

    factories.province()
    DirectoryChange.objects.update(status="running", updated_at=timezone.now() - timedelta(hours=1))
    outbox.sweep()
    assert set(DirectoryChange.objects.values_list("status", flat=True)) == {"pending"}


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_is_applied_by_a_real_celery_worker(redis_server):
    with worker_runs() as finished:
        with transaction.atomic():
            unit_create(actor=None, code="000.00.00.H45", name="UBND tỉnh Quảng Trị", kind="province", parent=None,
                        mail_domain="quangtri.gov.vn")
        row = settled(finished)
    assert row.status == "applied", row.last_error
    assert [u.name for u in gateway.units_all()] == ["UBND tỉnh Quảng Trị"]


@pytest.mark.django_db(transaction=True)
def test_a_change_made_while_redis_is_away_is_sent_by_the_sweeper(settings):
    from scripts.dev.slapd import free_port

    good = app.conf.broker_url
    app.conf.broker_url = settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    try:
        t = time.monotonic()
        with transaction.atomic():
            unit_create(actor=None, code="000.00.00.H45", name="UBND tỉnh", kind="province", parent=None,
                        mail_domain="quangtri.gov.vn")
        assert time.monotonic() - t < 10  # the request did not hang on the broker
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL = good
    assert DirectoryChange.objects.get().status == "pending"
    with worker_runs() as finished:
        outbox.sweep(resend_after=__import__("datetime").timedelta(0))
        row = settled(finished)
    assert row.status == "applied", row.last_error
    assert len(gateway.units_all()) == 1


def waiting(redis_server, queue: str) -> int:
    """Messages waiting in a Celery queue (a Redis list named after it)."""
    return redis.Redis.from_url(redis_server["url"]).llen(queue)


@pytest.mark.django_db
def test_an_imports_changes_queue_behind_one_persons_change(redis_server, django_capture_on_commit_callbacks,
                                                             settings):
    p = factories.province()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.directory_change_enqueue_many(kind=DirectoryChange.Kind.UNIT, object_ids=[p.pk])
        with outbox.directory_changes_in_bulk():
            outbox.directory_change_enqueue_many(kind=DirectoryChange.Kind.UNIT, object_ids=[p.pk])
        # more than one batch is bulk whoever asks (a unit's policy change re-sends all its people)
        outbox.directory_change_enqueue_many(kind=DirectoryChange.Kind.UNIT,
                                             object_ids=[p.pk] * (settings.IDM_OUTBOX_BATCH_SIZE + 1))
    rows = DirectoryChange.objects.order_by("pk")
    assert [r.bulk for r in rows[1:3]] == [False, True] and all(r.bulk for r in rows[3:])
    assert waiting(redis_server, "directory") == 1
    assert waiting(redis_server, "directory_bulk") == 3  # one for the import's row, two batches


@pytest.mark.django_db
def test_the_sweeper_resends_each_row_to_its_own_queue(redis_server):
    from datetime import timedelta

    p = factories.province()
    outbox.directory_changes_drain()
    DirectoryChange.objects.create(kind=DirectoryChange.Kind.UNIT, object_id=p.pk, bulk=True)
    DirectoryChange.objects.create(kind=DirectoryChange.Kind.UNIT, object_id=p.pk)
    redis.Redis.from_url(redis_server["url"]).flushall()
    assert outbox.sweep(resend_after=timedelta(0)) == 2
    assert waiting(redis_server, "directory") == 1 and waiting(redis_server, "directory_bulk") == 1
    # draining by hand (seed_demo, repair) also takes the interactive row first
    first = DirectoryChange.objects.filter(status="pending").order_by("bulk", "pk").first()
    assert first.bulk is False
