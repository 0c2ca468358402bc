from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from provisioning.people.models import Person
from provisioning.units.models import Unit


class UsageCollection(models.Model):
    """One collection of mailbox usage for a day: complete, or partial when the mail server (or
    its Redis) could not be read for everyone — a partial day is never read as zero use."""

    class Status(models.TextChoices):
        COMPLETE = "complete", _("complete")
        PARTIAL = "partial", _("partial")

    day = models.DateField(_("day"), db_index=True)
    source = models.CharField(_("source"), max_length=16)  # "dovecot" or "import"
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    mailboxes = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "-started_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.day.isoformat()}"


class MailboxUsage(models.Model):
    """A mailbox's figures on a day. Unknown stays NULL: a mailbox whose figures could not be
    read that day has no row, never a row of zeros."""

    day = models.DateField(_("day"))
    address = models.CharField(_("address"), max_length=254)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="usage")
    last_login = models.DateTimeField(_("last login"), null=True, blank=True)  # a user login, never a delivery
    bytes_used = models.BigIntegerField(_("bytes used"), null=True, blank=True)
    quota_bytes = models.BigIntegerField(_("quota (bytes)"), null=True, blank=True)
    messages = models.IntegerField(_("messages"), null=True, blank=True)
    messages_sent = models.IntegerField(null=True, blank=True)
    messages_received = models.IntegerField(null=True, blank=True)
    source = models.CharField(max_length=16)
    collected_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "address"]
        constraints = [models.UniqueConstraint(fields=["day", "address"], name="usage_once_a_day")]
        indexes = [models.Index(fields=["person", "day"])]


class FunctionalMailbox(models.Model):
    """A unit's official mailbox (vanthu@… for the clerk's office), opened by named delegates."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="functional_mailboxes")
    address = models.CharField(_("address"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=255)
    delegates = models.ManyToManyField(Person, related_name="delegated_mailboxes", blank=True)
    active = models.BooleanField(default=True)
    quota_mb = models.PositiveIntegerField(_("mailbox quota (MB)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address


class MailboxStore(models.Model):
    """The mail server's store for an address idm gave a mailbox. Requested once the person's
    directory entry (mail attributes, mailEnabled) is written; created by delivering a welcome
    message over LMTP, which makes Dovecot create the maildir. Pending (the person sees "mailbox
    being prepared", reconcile flags it) until the mail server took the message; retried until then."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        CREATED = "created", _("ready")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="mail_stores")
    address = models.CharField(_("address"), max_length=254, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claim = models.CharField(max_length=32, blank=True)  # which task run is delivering (see stores.py)
    claimed_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address
