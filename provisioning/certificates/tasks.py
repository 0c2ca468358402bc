"""Celery entry points: ids in, services called (conventions §3)."""

from __future__ import annotations

from celery import shared_task

from provisioning.certificates import notifications, services


@shared_task(name=services.NOTIFY_TASK, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)
def notify_requester(request_id: int, event: str) -> None:
    notifications.request_notify(request_id=request_id, event=event)


@shared_task(name="certificates.expiry", ignore_result=True)
def certificates_expiry() -> None:
    """Daily: reminders before expiry (with renewal drafts), then expired certificates leave the directory."""
    from provisioning.certificates.automatic import expiry_reminders
    from provisioning.certificates.issued import certificates_expire

    expiry_reminders()
    certificates_expire()
