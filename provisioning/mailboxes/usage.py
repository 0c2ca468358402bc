"""Mailbox usage: what the mail server reports, kept as a daily snapshot per mailbox.

Dovecot's last_login plugin writes `last-login/<address>` (unix time of the last IMAP login,
never a delivery) and its quota_clone plugin `<address>/quota/storage` (bytes) and
`<address>/quota/messages` into Redis. The collector copies them into MailboxUsage rows for the
day; if Redis cannot be read it raises (the task retries) and the day is marked partial, never
recorded as zero use.
"""

from __future__ import annotations

import datetime as dt
import logging

import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from provisioning.mailboxes.models import MailboxUsage, UsageCollection
from provisioning.people.models import Person
from provisioning.units.selectors import mail_policies

log = logging.getLogger(__name__)


class UsageSourceUnavailable(Exception):
    pass


def _client():
    url = getattr(settings, "IDM_MAIL_USAGE_REDIS_URL", "") or settings.IDM_REDIS_URL
    return redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10)


def _quota_lookup():
    """(unit id, category) -> that unit's default quota in MB for the category."""

    policy = mail_policies()
    return lambda unit_id, category: policy(unit_id).quota_for(category)


def collect_from_dovecot(*, day: dt.date | None = None, batch: int = 500) -> UsageCollection:
    """Read every mailbox's figures for `day` (today by default). Safe to run again the same
    day: it brings the day's rows up to date."""
    day = day or timezone.localdate()
    run = UsageCollection.objects.create(day=day, source="dovecot", status=UsageCollection.Status.PARTIAL)
    people = list(Person.objects.filter(mail__isnull=False, mailbox_removed_on__isnull=True)
                  .values_list("pk", "mail", "unit_id", "category", "quota_mb"))
    quota_of = _quota_lookup()
    client = _client()
    done = 0
    try:
        for start in range(0, len(people), batch):
            chunk = people[start:start + batch]
            pipe = client.pipeline(transaction=False)
            for _pk, address, *_rest in chunk:
                pipe.get(f"last-login/{address}")
                pipe.get(f"{address}/quota/storage")
                pipe.get(f"{address}/quota/messages")
            values = pipe.execute()
            rows = []
            for i, (pk, address, unit_id, category, quota_mb) in enumerate(chunk):
                login, storage, messages = values[3 * i:3 * i + 3]
                rows.append(MailboxUsage(
                    day=day, address=address, person_id=pk, source="dovecot",
                    quota_bytes=(quota_mb or quota_of(unit_id, category)) * 1024 * 1024,
                    last_login=dt.datetime.fromtimestamp(int(login), tz=dt.UTC) if login else None,
                    bytes_used=int(storage) if storage is not None else None,
                    messages=int(messages) if messages is not None else None))
            with transaction.atomic():
                MailboxUsage.objects.bulk_create(
                    rows, update_conflicts=True, unique_fields=["day", "address"],
                    update_fields=["person", "last_login", "bytes_used", "messages", "quota_bytes", "source",
                                   "collected_at"])
            done += len(rows)
    except redis.RedisError as exc:
        run.mailboxes, run.error, run.finished_at = done, f"{exc.__class__.__name__}: {exc}", timezone.now()
        run.save(update_fields=["mailboxes", "error", "finished_at"])
        raise UsageSourceUnavailable(str(exc)) from exc
    run.status, run.mailboxes, run.finished_at = UsageCollection.Status.COMPLETE, done, timezone.now()
    run.save(update_fields=["status", "mailboxes", "finished_at"])
    return run
