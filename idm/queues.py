"""Which Celery queue each task goes to, and which worker process consumes which queues.

Interactive directory changes (one person suspended, moved, activated) have a worker of their own
that runs nothing else: neither an import (minutes of work) nor the directory changes an import
enqueues (thousands of rows, a batch of which can take seconds while imports load the database)
can then hold the slot a suspension needs. Those bulk directory changes are applied by the bulk
worker, before it starts more long work.

`make run` (scripts/dev/workers.py) and the systemd units in deploy/systemd start WORKERS; a test
checks that both agree with this module. Pure data: settings, scripts and tests import it.
"""

from __future__ import annotations

DIRECTORY = "directory"  # interactive directory changes, the outbox sweeper, activation mail
DIRECTORY_BULK = "directory_bulk"  # directory changes of imports and other bulk operations
BULK = "bulk"  # long work: import checks and commits, mail usage collection
DEFAULT = "celery"  # Celery's default queue: whatever is not routed (periodic housekeeping)

# every queue, the order a worker started without -Q takes them in (tests, a one-worker install)
ALL = [DIRECTORY, DIRECTORY_BULK, BULK, DEFAULT]

# task name -> queue; every task idm registers is listed (tests/test_queues.py), so a new task
# chooses its queue on purpose
ROUTES: dict[str, str] = {
    "outbox.apply_directory_changes": DIRECTORY,
    "outbox.sweep_directory_changes": DIRECTORY,
    "selfservice.send_activation_email": DIRECTORY,
    # codes and notices a person is waiting for (a reset code expires in 10 minutes)
    "accounts.recovery.send_code": DIRECTORY,
    "accounts.recovery.send_username": DIRECTORY,
    "accounts.send_contact_code": DIRECTORY,
    "accounts.notify": DIRECTORY,
    "outbox.apply_bulk_directory_changes": DIRECTORY_BULK,
    "imports.validate": BULK,
    "imports.commit": BULK,
    "mailboxes.collect_mail_usage": BULK,
    # new mailboxes' stores (a welcome message over LMTP): behind interactive directory changes
    "mailboxes.create_mail_stores": DIRECTORY_BULK,
    "mailboxes.sweep_mail_stores": DEFAULT,
    "reports.build_snapshot": BULK,
    "reorg.apply_due_plans": BULK,  # a merger: its directory changes go to directory_bulk by size
    "reorg.expire_old_addresses": DEFAULT,  # daily housekeeping; its directory changes are bulk ones
    "people.remove_expired_mailboxes": DEFAULT,
    "imports.purge_uploads": DEFAULT,
    "audit.expire_old_entries": DEFAULT,
    "certificates.expiry": DEFAULT,
    "certificates.notify_requester": DEFAULT,
}

# worker name -> the queues it consumes, in the order it takes them: the broker transport's
# "priority" order strategy (settings) always looks at the first queue first
WORKERS: dict[str, list[str]] = {
    "directory": [DIRECTORY],
    "bulk": [DIRECTORY_BULK, BULK, DEFAULT],  # an import's directory changes before the next import
}


def worker_args(name: str, *, concurrency: int = 2) -> list[str]:
    """The arguments after `celery -A idm worker` for one of WORKERS."""
    return ["-n", f"{name}@%h", "-Q", ",".join(WORKERS[name]), "--concurrency", str(concurrency)]
