"""Celery entry points for mailboxes."""

from __future__ import annotations

from celery import shared_task

from provisioning.mailboxes import stores
from provisioning.mailboxes.usage import UsageSourceUnavailable, collect_from_dovecot


@shared_task(name="mailboxes.collect_mail_usage", bind=True, acks_late=True, max_retries=6, ignore_result=True)
def collect_mail_usage(self) -> None:
    """Daily: copy what Dovecot reported into the day's snapshot; retry while it is away."""
    try:
        collect_from_dovecot()
    except UsageSourceUnavailable as exc:
        raise self.retry(exc=exc, countdown=min(3600, 60 * 2 ** self.request.retries)) from None


@shared_task(name=stores.CREATE_TASK, bind=True, acks_late=True, max_retries=None, ignore_result=True)
def create_mail_stores(self, store_ids: list[int]) -> None:
    """Deliver new mailboxes' welcome messages (creating their stores); back off while the mail
    server is away (up to 5 minutes; the sweeper also re-sends what stays pending)."""
    left = stores.mail_stores_create(store_ids=store_ids)
    if left:
        raise self.retry(args=[left], countdown=min(300, 5 * 2 ** min(self.request.retries, 6)))


@shared_task(name=stores.SWEEP_TASK, ignore_result=True)
def sweep_mail_stores() -> int:
    return stores.mail_stores_sweep()
