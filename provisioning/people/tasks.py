"""Celery entry points for people (conventions §3: ids in, a service called)."""

from __future__ import annotations

from celery import shared_task

from provisioning.people import services


@shared_task(name="people.remove_expired_mailboxes", ignore_result=True)
def remove_expired_mailboxes() -> int:
    return services.remove_expired_mailboxes()
