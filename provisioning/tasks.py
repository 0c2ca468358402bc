"""Celery entry points: ids in, services called; only transient errors retry (conventions §3)."""

from __future__ import annotations

from celery import shared_task

from directory.errors import DirectoryUnavailable
from provisioning import outbox


@shared_task(bind=True, acks_late=True, max_retries=None, ignore_result=True)
def apply_directory_changes(self, change_ids: list[int]) -> None:
    try:
        outbox.directory_changes_apply(change_ids)
    except DirectoryUnavailable as exc:
        # back off up to 10 minutes; the rows are pending again, so the sweeper also has them
        raise self.retry(exc=exc, countdown=min(600, 5 * 2 ** min(self.request.retries, 7))) from None


@shared_task(ignore_result=True)
def sweep_directory_changes() -> int:
    return outbox.sweep()


@shared_task(ignore_result=True)
def remove_expired_mailboxes() -> int:
    from provisioning.people import remove_expired_mailboxes as run

    return run()
