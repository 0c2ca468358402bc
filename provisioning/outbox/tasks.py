"""Celery entry points: ids in, services called; only transient errors retry (conventions §3)."""

from __future__ import annotations

from celery import shared_task

from directory.errors import DirectoryUnavailable
from provisioning.outbox import services


def _apply(task, change_ids: list[int]) -> None:
    try:
        services.directory_changes_apply(change_ids)
    except DirectoryUnavailable as exc:
        # back off up to 10 minutes; the rows are pending again, so the sweeper also has them
        raise task.retry(exc=exc, countdown=min(600, 5 * 2 ** min(task.request.retries, 7))) from None


@shared_task(name=services.APPLY_TASK, bind=True, acks_late=True, max_retries=None, ignore_result=True)
def apply_directory_changes(self, change_ids: list[int]) -> None:
    _apply(self, change_ids)


@shared_task(name=services.APPLY_BULK_TASK, bind=True, acks_late=True, max_retries=None, ignore_result=True)
def apply_bulk_directory_changes(self, change_ids: list[int]) -> None:
    """The same as apply_directory_changes; its own name routes it to the bulk directory queue."""
    _apply(self, change_ids)


@shared_task(name="outbox.sweep_directory_changes", ignore_result=True)
def sweep_directory_changes() -> int:
    return services.sweep()
