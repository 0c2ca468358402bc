"""Celery entry points for the audit trail."""

from __future__ import annotations

from celery import shared_task

from provisioning.audit import services


@shared_task(name="audit.expire_old_entries", ignore_result=True)
def expire_old_entries() -> int:
    return services.audit_expire()
