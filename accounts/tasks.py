"""Celery entry points of accounts' base: notifications. Task arguments carry ids and kinds, never a
secret (LG-02)."""

from __future__ import annotations

from celery import shared_task
from django.utils import formats, timezone

from accounts.notify import notify

NOTIFY = "accounts.notify"


@shared_task(name=NOTIFY, ignore_result=True, acks_late=True, autoretry_for=(Exception,), retry_backoff=30,
             retry_backoff_max=900, max_retries=20)
def notify_task(*, kind: str, uid: str, email: str = "", phone: str = "", what: str = "", at: str = "") -> None:
    when = at or formats.date_format(timezone.localtime(), "DATETIME_FORMAT")
    notify(kind=kind, uid=uid, email=email, phone=phone, what=what, when=when)
