"""The outbox: every change to SQL also records "make the directory match" in the same
transaction; workers apply those rows in batches, idempotently; a sweeper re-sends what no
worker finished. Nothing is lost when the directory, Redis or a worker goes away."""

from __future__ import annotations

import contextlib
import contextvars
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from directory.errors import DirectoryUnavailable
from idm.celery import app as celery_app
from provisioning.outbox import appliers
from provisioning.outbox.models import DirectoryChange

log = logging.getLogger(__name__)


Status = DirectoryChange.Status
# published by name: the module that enqueues never imports the one that runs it (conventions)
APPLY_TASK = "outbox.apply_directory_changes"
# the same work for rows of a bulk operation, routed to its own queue (idm/queues.py)
APPLY_BULK_TASK = "outbox.apply_bulk_directory_changes"
_in_bulk = contextvars.ContextVar("outbox_in_bulk", default=False)


@contextlib.contextmanager
def directory_changes_in_bulk() -> Iterator[None]:
    """Every change enqueued inside is a bulk one (an import's rows, even those that go through
    person_update one by one): no interactive change waits behind them."""
    token = _in_bulk.set(True)
    try:
        yield
    finally:
        _in_bulk.reset(token)


def directory_change_enqueue_many(*, kind: str, object_ids: list[int], bulk: bool = False) -> list[int]:
    """Record that these objects' directory entries must be brought in line, and hand the rows
    to a worker once the surrounding transaction commits. `bulk` (or directory_changes_in_bulk();
    more rows than one batch always are) puts them behind every interactive change."""
    if not object_ids:
        return []
    bulk = bulk or _in_bulk.get() or len(object_ids) > settings.IDM_OUTBOX_BATCH_SIZE
    rows = DirectoryChange.objects.bulk_create(DirectoryChange(kind=kind, object_id=i, bulk=bulk) for i in object_ids)
    ids = [r.pk for r in rows if r.pk is not None]
    if not ids:  # some back-ends do not return ids from bulk_create
        ids = list(DirectoryChange.objects.filter(kind=kind, object_id__in=object_ids, status=Status.PENDING)
                   .values_list("pk", flat=True))
    transaction.on_commit(lambda: dispatch(ids, bulk=bulk))
    return ids


def dispatch(ids: list[int], *, bulk: bool = False) -> None:
    """Publish batch tasks; if the broker is away, the sweeper will publish them later."""

    size = settings.IDM_OUTBOX_BATCH_SIZE
    for start in range(0, len(ids), size):
        try:
            celery_app.send_task(APPLY_BULK_TASK if bulk else APPLY_TASK, args=[ids[start:start + size]])
        except Exception as exc:  # broker down: the rows stay pending
            log.warning("could not publish directory changes (%s); the sweeper will retry", exc.__class__.__name__)
            return


@dataclass
class ApplyResult:
    applied: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def directory_changes_apply(ids: list[int]) -> ApplyResult:
    """Claim these pending rows and hand them to the registered appliers (units parents first,
    people in pipelined batches, then the lists and functional mailboxes they touch). Several
    rows for the same object are applied once. Raises DirectoryUnavailable (the unfinished rows
    go back to pending) when the directory is away."""
    token = uuid.uuid4().hex
    claimed = DirectoryChange.objects.filter(pk__in=ids, status=Status.PENDING).update(
        status=Status.RUNNING, attempts=F("attempts") + 1, claim=token, updated_at=timezone.now())
    result = ApplyResult()
    if not claimed:
        return result
    _claim_same_objects(token)
    rows: dict[str, dict[int, list[int]]] = {kind: {} for kind in DirectoryChange.Kind.values}
    for pk, kind, object_id in DirectoryChange.objects.filter(status=Status.RUNNING, claim=token) \
            .values_list("pk", "kind", "object_id"):
        rows[kind].setdefault(object_id, []).append(pk)
    all_rows = [pk for by_object in rows.values() for pks in by_object.values() for pk in pks]
    try:
        failures: appliers.Failures = {}
        ids_by_kind = {kind: list(by_object) for kind, by_object in rows.items()}
        for applier in appliers.registered():
            failures.update(applier.run(ids_by_kind))
    except DirectoryUnavailable as exc:
        DirectoryChange.objects.filter(pk__in=all_rows, status=Status.RUNNING).update(
            status=Status.PENDING, last_error=str(exc)[:2000], updated_at=timezone.now())
        raise
    failed_rows = []
    for (kind, object_id), exc in failures.items():
        pks = rows[kind][object_id]
        failed_rows.extend(pks)
        DirectoryChange.objects.filter(pk__in=pks).update(status=Status.FAILED, last_error=str(exc)[:2000],
                                                           updated_at=timezone.now())
        result.errors.append(f"{kind} {object_id}: {exc}")
    done = [pk for pk in all_rows if pk not in set(failed_rows)]
    now = timezone.now()
    for start in range(0, len(done), 900):  # SQLite's limit on query parameters
        DirectoryChange.objects.filter(pk__in=done[start:start + 900]).update(
            status=Status.APPLIED, last_error="", applied_at=now, updated_at=now)
    result.applied, result.failed = len(done), len(failed_rows)
    return result


def _claim_same_objects(token: str) -> int:
    """Claim, with the rows just claimed, every other pending row for the same objects. An applier
    writes an object's current SQL state, read after this claim, so it also carries out those
    rows: a person queued twice (a reorganisation moves their unit, then readdresses them) is
    written once, not once per row and batch. Rows committed after this claim are left for their
    own task. Returns how many more rows were claimed."""
    claimed = 0
    objects: dict[str, list[int]] = {}
    for kind, object_id in DirectoryChange.objects.filter(status=Status.RUNNING, claim=token) \
            .values_list("kind", "object_id").distinct():
        objects.setdefault(kind, []).append(object_id)
    for kind, object_ids in objects.items():
        for start in range(0, len(object_ids), 900):  # SQLite's limit on query parameters
            claimed += DirectoryChange.objects.filter(
                kind=kind, object_id__in=object_ids[start:start + 900], status=Status.PENDING).update(
                status=Status.RUNNING, attempts=F("attempts") + 1, claim=token, updated_at=timezone.now())
    return claimed


def directory_changes_drain(*, batch_size: int | None = None) -> ApplyResult:
    """Apply every pending row now, in this process (seed_demo, tests, the repair command)."""
    size = batch_size or settings.IDM_OUTBOX_BATCH_SIZE
    total = ApplyResult()
    while True:
        pending = DirectoryChange.objects.filter(status=Status.PENDING).order_by("bulk", "pk")  # interactive first
        ids = list(pending.values_list("pk", flat=True)[:size])
        if not ids:
            return total
        r = directory_changes_apply(ids)
        total.applied += r.applied
        total.failed += r.failed
        total.errors.extend(r.errors)
        if not r.applied and not r.failed:
            return total


def sweep(*, stale_after: timedelta | None = None, resend_after: timedelta | None = None) -> int:
    """Re-send what no worker finished: rows stuck in running (a worker died) go back to
    pending, and pending rows older than `resend_after` are published again (defaults:
    IDM_OUTBOX_STALE_SECONDS, IDM_OUTBOX_RESEND_SECONDS)."""
    if stale_after is None:
        stale_after = timedelta(seconds=settings.IDM_OUTBOX_STALE_SECONDS)
    if resend_after is None:
        resend_after = timedelta(seconds=settings.IDM_OUTBOX_RESEND_SECONDS)
    now = timezone.now()
    DirectoryChange.objects.filter(status=Status.RUNNING, updated_at__lt=now - stale_after).update(
        status=Status.PENDING, updated_at=now)
    rows = list(DirectoryChange.objects.filter(status=Status.PENDING, updated_at__lt=now - resend_after)
                .order_by("bulk", "pk").values_list("pk", "bulk")[:10_000])
    for bulk in (False, True):
        dispatch([pk for pk, b in rows if b == bulk], bulk=bulk)
    return len(rows)
