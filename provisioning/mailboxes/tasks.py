"""Celery entry points for mailboxes."""

from __future__ import annotations

from celery import shared_task

from provisioning.mailboxes.usage import UsageSourceUnavailable, collect_from_dovecot


@shared_task(name="mailboxes.collect_mail_usage", bind=True, acks_late=True, max_retries=6, ignore_result=True)
def collect_mail_usage(self) -> None:
    """Daily: copy what Dovecot reported into the day's snapshot; retry while it is away."""
    try:
        collect_from_dovecot()
    except UsageSourceUnavailable as exc:
        raise self.retry(exc=exc, countdown=min(3600, 60 * 2 ** self.request.retries)) from None
