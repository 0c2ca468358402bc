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


@shared_task(ignore_result=True, acks_late=True)
def send_activation_email(person_id: int, actor_id: int | None = None) -> None:
    """The code is made here, in the worker, so it never travels through the broker (LG-02)."""
    from accounts.activation import activation_email, activation_issue
    from accounts.models import ActivationCode, User
    from provisioning.models import Person

    person = Person.objects.get(pk=person_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    code = activation_issue(actor=actor, person=person, channel=ActivationCode.Channel.EMAIL)
    activation_email(person, code)


@shared_task(ignore_result=True, acks_late=True)
def import_validate_task(batch_id: int) -> None:
    from provisioning.imports import import_validate

    import_validate(batch_id)


@shared_task(ignore_result=True, acks_late=True)
def import_commit_task(batch_id: int) -> None:
    """Resumable: rows already done are skipped if the task runs again after a crash."""
    from provisioning.imports import import_commit

    import_commit(batch_id)


@shared_task(bind=True, acks_late=True, max_retries=6, ignore_result=True)
def collect_mail_usage(self) -> None:
    """Daily: copy what Dovecot reported into the day's snapshot; retry while it is away."""
    from provisioning.usage import UsageSourceUnavailable, collect_from_dovecot

    try:
        collect_from_dovecot()
    except UsageSourceUnavailable as exc:
        raise self.retry(exc=exc, countdown=min(3600, 60 * 2 ** self.request.retries)) from None
