"""Celery entry points for imports. Views publish them by name (VALIDATE, COMMIT)."""

from __future__ import annotations

import logging

from celery import shared_task

from accounts.models import User
from provisioning.imports import services

VALIDATE = "imports.validate"
COMMIT = "imports.commit"
PURGE = "imports.purge_uploads"  # run by beat (settings.CELERY_BEAT_SCHEDULE)
log = logging.getLogger(__name__)


@shared_task(name=VALIDATE, ignore_result=True, acks_late=True)
def import_validate_task(batch_id: int) -> None:
    services.import_validate(batch_id)


@shared_task(name=COMMIT, ignore_result=True, acks_late=True)
def import_commit_task(batch_id: int, actor_id: int | None = None) -> None:
    """Resumable: rows already done are skipped if the task runs again after a crash.
    `actor_id` is who confirmed the import (by id, like every task argument)."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    services.import_commit(batch_id, actor=actor)


@shared_task(name=PURGE, ignore_result=True)
def import_uploads_purge_task() -> None:
    """Uploaded spreadsheets are kept IDM_IMPORT_RETENTION_DAYS at most."""
    services.import_uploads_purge()


def dispatch(task, batch_id: int, *args) -> None:
    """Hand the work to a worker; if the broker is away, do it here (a slower request, the same result)."""
    try:
        task.delay(batch_id, *args)
    except Exception as exc:
        log.warning("broker unavailable (%s); running %s in the request", exc.__class__.__name__, task.name)
        task.run(batch_id, *args)
