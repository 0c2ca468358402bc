"""Creating a new mailbox's store on the mail server (security-bar C-12).

The directory says who has a mailbox; Dovecot makes the maildir on the first delivery. So once a
person's entry with mailEnabled is written (the outbox applier below runs after the people applier),
a MailboxStore row records the intent and a task delivers the welcome message over LMTP. While the
mail server is away the row stays pending: the person and HR see "mailbox being prepared", reconcile
lists it, the task backs off and the sweeper re-sends it, as the outbox does for directory changes.
Without IDM_MAIL_LMTP (no mail server configured) there is no such step and nothing is recorded.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from idm.celery import app as celery_app
from provisioning.audit.services import audit_entry, audit_save_all
from provisioning.mailboxes.models import MailboxStore
from provisioning.people.directory import people_entries
from provisioning.people.models import PersonStatus

log = logging.getLogger(__name__)
Status = MailboxStore.Status
CREATE_TASK = "mailboxes.create_mail_stores"  # published by name (conventions §3)
SWEEP_TASK = "mailboxes.sweep_mail_stores"
CLAIM_SECONDS = 120  # a claim older than this belongs to a task run that died: the store is free again
LMTP_TIMEOUT = 10
BATCH = 200


def lmtp_address() -> tuple[str, int] | None:
    value = (settings.IDM_MAIL_LMTP or "").strip()
    if not value:
        return None
    host, _sep, port = value.rpartition(":")
    return (host or "127.0.0.1"), int(port or 24)


def request_mail_stores(ids_by_kind: dict[str, list[int]]) -> dict:
    """The outbox applier (after the people's entries are written): a pending store for every
    address the directory now enables that has none yet, handed to a worker. No directory write,
    so no failures to report."""
    people = ids_by_kind.get("person", [])
    if not people or lmtp_address() is None:
        return {}
    wanted: dict[str, int] = {}
    for start in range(0, len(people), 2000):
        entries = people_entries(people[start:start + 2000])
        wanted.update({e.mail: pid for pid, e in entries.items() if e.mail and e.mail_enabled})
    if not wanted:
        return {}
    addresses = list(wanted)
    known: set[str] = set()
    for start in range(0, len(addresses), 900):  # SQLite's limit on query parameters
        known.update(MailboxStore.objects.filter(address__in=addresses[start:start + 900])
                     .values_list("address", flat=True))
    new = [a for a in addresses if a not in known]
    # a concurrent worker may have requested the same store: the unique address keeps one
    MailboxStore.objects.bulk_create([MailboxStore(person_id=wanted[a], address=a) for a in new],
                                     ignore_conflicts=True)
    ids: list[int] = []
    for start in range(0, len(new), 900):
        ids += MailboxStore.objects.filter(address__in=new[start:start + 900], status=Status.PENDING) \
            .values_list("pk", flat=True)
    dispatch(ids)
    return {}


def dispatch(ids: list[int]) -> None:
    """Publish store tasks; if the broker is away, the sweeper publishes them later."""
    for start in range(0, len(ids), BATCH):
        try:
            celery_app.send_task(CREATE_TASK, args=[ids[start:start + BATCH]])
        except Exception as exc:  # broker down: the rows stay pending
            log.warning("could not publish mailbox stores (%s); the sweeper will retry", exc.__class__.__name__)
            return


def welcome_message(address: str) -> EmailMessage:
    """The first message of a new mailbox, in Vietnamese and then English (whoever opens it)."""
    parts = []
    for language in ("vi", "en"):
        with translation.override(language):
            parts.append((_("Your official mailbox is ready"),
                          _("This is the official mailbox %(address)s. Log in with your user name and the password "
                            "you set when you activated your account.") % {"address": address}))
    msg = EmailMessage()
    msg["Subject"] = " / ".join(subject for subject, _body in parts)
    msg["From"] = settings.DEFAULT_FROM_EMAIL
    msg["To"] = address
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    msg.set_content("\n\n".join(body for _subject, body in parts) + "\n")
    return msg


def mail_stores_create(*, store_ids: list[int]) -> list[int]:
    """Claim these pending stores and deliver each its welcome message over LMTP; a store the mail
    server took is created. Returns the ids still pending (the server was away, refused the
    address — the read-only replica it reads may not have the entry yet — or another run holds
    them), for the caller to retry."""
    address = lmtp_address()
    if address is None or not store_ids:
        return []
    now = timezone.now()
    token = uuid.uuid4().hex
    MailboxStore.objects.filter(pk__in=store_ids, status=Status.PENDING, person__status=PersonStatus.ACTIVE).filter(
        Q(claimed_at=None) | Q(claimed_at__lt=now - timedelta(seconds=CLAIM_SECONDS))).update(
        claim=token, claimed_at=now, attempts=F("attempts") + 1, updated_at=now)
    stores = list(MailboxStore.objects.filter(claim=token, status=Status.PENDING).select_related("person"))
    done: list[MailboxStore] = []
    errors: dict[int, str] = {}
    try:
        with smtplib.LMTP(address[0], address[1], timeout=LMTP_TIMEOUT) as lmtp:
            for store in stores:
                try:
                    lmtp.send_message(welcome_message(store.address))
                    done.append(store)
                except smtplib.SMTPRecipientsRefused as exc:  # smtplib has reset the transaction
                    errors[store.pk] = str(exc.recipients.get(store.address, exc))[:2000]
                except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                    errors[store.pk] = f"{exc.smtp_code} {exc.smtp_error!r}"[:2000]
    except (OSError, smtplib.SMTPException) as exc:  # away, or gone mid-way: the rest stays pending
        log.warning("mail server unavailable for mailbox stores: %s", exc)
        for store in stores:
            if store not in done:
                errors.setdefault(store.pk, f"{exc.__class__.__name__}: {exc}"[:2000])
    if done:
        at = timezone.now()
        MailboxStore.objects.filter(pk__in=[s.pk for s in done]).update(
            status=Status.CREATED, ready_at=at, claim="", claimed_at=None, last_error="", updated_at=at)
        audit_save_all([audit_entry(actor=None, action="mailbox.store_created", target=s.person,
                                    after={"address": s.address, "attempts": s.attempts + 1}) for s in done])
    for pk, error in errors.items():
        MailboxStore.objects.filter(pk=pk, claim=token).update(claim="", claimed_at=None, last_error=error,
                                                               updated_at=timezone.now())
    return list(MailboxStore.objects.filter(pk__in=store_ids, status=Status.PENDING).values_list("pk", flat=True))


def mail_stores_sweep(*, resend_after: timedelta | None = None) -> int:
    """Re-send pending stores of active people nobody is working on (a task that gave up, a lost
    message, a mail server that was away). Returns how many were re-sent."""
    if lmtp_address() is None:
        return 0
    if resend_after is None:
        resend_after = timedelta(seconds=settings.IDM_OUTBOX_RESEND_SECONDS)
    now = timezone.now()
    ids = list(MailboxStore.objects.filter(status=Status.PENDING, person__status=PersonStatus.ACTIVE,
                                           updated_at__lt=now - resend_after)
               .filter(Q(claimed_at=None) | Q(claimed_at__lt=now - timedelta(seconds=CLAIM_SECONDS)))
               .order_by("pk").values_list("pk", flat=True)[:10_000])
    dispatch(ids)
    return len(ids)


def mail_stores_pending(addresses: set[str]) -> list[str]:
    """Which of these addresses (mailboxes the directory enables) have a store not created yet."""
    pending = set(MailboxStore.objects.filter(status=Status.PENDING).values_list("address", flat=True))
    return sorted(pending & addresses)


def mailbox_being_prepared(person) -> bool:
    """The person's current address has a store the mail server has not created yet."""
    return bool(person and person.mail and MailboxStore.objects.filter(
        person=person, address=person.mail, status=Status.PENDING).exists())
