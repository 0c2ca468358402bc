"""One audit row per change: actor, action, target, before/after, time (UTC), source IP."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from provisioning.audit import chain
from provisioning.audit.models import AuditChainHead, AuditEntry

ACTION_LABELS = {
    "person.onboarded": _("added"),
    "person.updated": _("details changed"),
    "person.transferred": _("transferred"),
    "person.suspended": _("suspended"),
    "person.reinstated": _("reinstated"),
    "person.left": _("marked as left"),
    "person.rehired": _("rehired"),
    "person.mailbox_removed": _("mailbox removed after the retention period"),
    "person.activation_issued": _("activation code issued"),
    "person.activated": _("account activated"),
    "unit.created": _("unit created"),
    "unit.renamed": _("unit renamed"),
    "unit.moved": _("unit moved"),
    "unit.updated": _("unit changed"),
    "unit.list_set": _("distribution list address set"),
    "mailbox.functional_created": _("functional mailbox created"),
    "mailbox.delegates_changed": _("delegates changed"),
    "mailbox.quota_requested": _("larger quota requested"),
    "mailbox.quota_approved": _("larger quota approved"),
    "mailbox.quota_refused": _("larger quota refused"),
    "mailbox.usage_imported": _("mailbox usage loaded from a file"),
    "import.uploaded": _("staff file uploaded"),
    "import.checked": _("staff file checked"),
    "import.committed": _("staff file imported"),
    "directory.repaired": _("directory entry repaired to match the records"),
    "directory.extra_deleted": _("directory entry unknown to the records deleted"),
    "certificate.requested": _("certificate requested"),
    "certificate.form_changed": _("certificate request completed"),
    "certificate.head_approved": _("certificate request approved by the unit head"),
    "certificate.head_refused": _("certificate request refused by the unit head"),
    "certificate.it_approved": _("certificate request put in a batch for the CA"),
    "certificate.it_refused": _("certificate request refused by the IT department"),
    "certificate.batch_sent": _("certificate batch sent to the CA"),
    "certificate.recorded": _("issued certificate recorded"),
    "certificate.revoked": _("certificate revoked"),
    "certificate.expired": _("certificate expired"),
    "certificate.done": _("certificate request done"),
    "certificate.csr_checked": _("certificate request (CSR) checked"),
    "role.granted": _("role granted"),
    "role.revoked": _("role revoked"),
    "token.created": _("API token created"),
    "token.revoked": _("API token revoked"),
    "scim.external_id_set": _("SCIM client's identifier (externalId) set"),
    "auth.login": _("logged in"),
    "auth.login_failed": _("login failed"),
    "auth.logout": _("logged out"),
    "auth.reset_requested": _("password reset requested"),
    "auth.reset_completed": _("password reset completed"),
    "auth.password_changed": _("password changed"),
    "auth.locked": _("account locked"),
    "auth.unlocked": _("account unlocked"),
    "person.password_changed": _("password changed"),
    "person.password_change_refused": _("password change refused: wrong current password"),
    "person.password_reset_by_activation": _("password set with a code"),
    "person.helpdesk_reset": _("password reset by the help desk"),
    "person.helpdesk_identity_refused": _("help desk reset refused: identity not proved"),
    "person.email_check_started": _("personal email check started"),
    "person.email_verified": _("personal email checked"),
    "person.phone_check_started": _("mobile phone check started"),
    "person.phone_verified": _("mobile phone checked"),
    "audit.expired": _("audit entries past the retention period removed"),
    "application.registered": _("application registered to read the directory"),
    "application.secret_rotated": _("application's directory secret replaced"),
    "application.revoked": _("application's directory access revoked"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def audit_summary(entry: AuditEntry) -> str:
    """One history line's headline: the action's label; for a transfer, from which unit path to which."""
    before, after = entry.before or {}, entry.after or {}
    if entry.action == "person.transferred" and "unit_label" in before and "unit_label" in after:
        return gettext("transferred from %(old)s to %(new)s") % {"old": before["unit_label"],
                                                                "new": after["unit_label"]}
    return action_label(entry.action)


def audit_details(entry: AuditEntry) -> list[str]:
    """What a history line says besides its headline: a changed position, the effective date and
    the reason given when the change was confirmed."""
    before, after = entry.before or {}, entry.after or {}
    lines = []
    if entry.action == "person.transferred" and before.get("position", "") != after.get("position", ""):
        lines.append(gettext("position: %(old)s → %(new)s") % {"old": before.get("position") or "—",
                                                               "new": after.get("position") or "—"})
    if after.get("effective_on"):
        day = dt.date.fromisoformat(after["effective_on"])
        lines.append(gettext("effective %(day)s") % {"day": day.strftime("%d/%m/%Y")})
    reason = entry.reason or after.get("reason")  # entries from before the reason column kept it in `after`
    if reason:
        lines.append(gettext("reason: %(reason)s") % {"reason": reason})
    return lines


def audit_changes(entry: AuditEntry) -> list[str]:
    """The fields a change altered, "field: before → after" (for an entry with both states)."""
    before, after = entry.before, entry.after
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    skip = {"unit_label", "effective_on", "reason"}  # told by audit_summary and audit_details
    return [f"{key}: {_shown(before.get(key))} → {_shown(after.get(key))}"
            for key in sorted(set(before) | set(after)) if key not in skip and before.get(key) != after.get(key)]


def _shown(value) -> str:
    return "—" if value in (None, "") else str(value)


def audit_record(*, actor, action: str, target, before: dict | None = None, after: dict | None = None,
                 source_ip: str | None = None, reason: str = "", unit=None) -> AuditEntry:
    """Record one change, chained, in the caller's transaction (so it exists exactly when the change does)."""
    entry = audit_entry(actor=actor, action=action, target=target, before=before, after=after, source_ip=source_ip,
                        reason=reason, unit=unit)
    audit_save_all([entry])
    return entry


def audit_entry(*, actor, action: str, target, before: dict | None = None, after: dict | None = None,
                source_ip: str | None = None, reason: str = "", unit=None) -> AuditEntry:
    """The audit row, unsaved and unchained: bulk callers build many and pass them to audit_save_all.
    `unit` (who may read the entry) defaults to the target's unit, or the target itself when it is one."""
    label = "system" if actor is None else (actor.get_username() or f"user {actor.pk}")
    if unit is None:
        meta = getattr(target, "_meta", None)
        unit_id = target.pk if meta is not None and meta.model_name == "unit" else getattr(target, "unit_id", None)
    else:
        unit_id = unit.pk
    return AuditEntry(
        at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_label=label[:150],
        action=action,
        target_type=target.__class__.__name__.lower()[:32],
        target_id=str(target.pk)[:64],
        target_label=str(target)[:255],
        unit_id=unit_id,
        before=chain.json_value(before),
        after=chain.json_value(after),
        reason=(reason or "").strip(),
        # as the column will hold it (IPv6 in its short form), so the hash is the same after a read
        source_ip=_IP_FIELD.get_prep_value(source_ip) if source_ip else None,
    )


_IP_FIELD = AuditEntry._meta.get_field("source_ip")


@transaction.atomic
def audit_save_all(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Chain and save new entries, in the caller's transaction.

    The chain head's row is written first (UPDATE seq = seq + n): on PostgreSQL that locks the row until
    the transaction ends, on SQLite it takes the database's write lock; either way no other transaction
    can take places in the chain until this one commits or rolls back, so the chain stays one line and a
    rolled-back change leaves no gap. (An UPDATE rather than SELECT ... FOR UPDATE because SQLite has no
    row locks: the write is what serialises there.)"""
    if not entries:
        return entries
    first, prev = _take_places(len(entries))
    for seq, entry in enumerate(entries, start=first):
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = prev = chain.digest(prev, chain.fields_of(entry))
    AuditEntry.objects.bulk_create(entries)
    AuditChainHead.objects.filter(pk=HEAD).update(hash=prev)
    return entries


HEAD = 1


def _take_places(n: int) -> tuple[int, str]:
    """Reserve n places at the end of the chain, locked until the transaction ends: the first place
    and the hash the first entry follows."""
    if not AuditChainHead.objects.filter(pk=HEAD).update(seq=F("seq") + n):
        # only an emptied database (tests that truncate) lacks the row the migration made
        AuditChainHead.objects.get_or_create(pk=HEAD, defaults={"seq": 0, "hash": chain.GENESIS})
        AuditChainHead.objects.filter(pk=HEAD).update(seq=F("seq") + n)
    head = AuditChainHead.objects.get(pk=HEAD)
    return head.seq - n + 1, head.hash


def snapshot(obj, fields: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for f in fields:
        value = getattr(obj, f)
        out[f] = value.pk if hasattr(value, "pk") else (value.isoformat() if hasattr(value, "isoformat") else value)
    return out


# --- retention ---------------------------------------------------------------------------------------

EXPIRED = "audit.expired"


class AuditTrail:
    """The target of the trail's own entries (retention checkpoints)."""

    pk = "trail"

    def __str__(self) -> str:
        return "audit trail"


@transaction.atomic
def audit_expire(*, now: dt.datetime | None = None) -> int:
    """Remove the entries older than IDM_AUDIT_RETENTION_DAYS from the start of the chain, and record a
    checkpoint entry (EXPIRED) naming the last removed place and hash: the chain's new anchor, from which
    verify_audit starts. Only a prefix of the chain goes (up to the first entry young enough to keep), so
    what remains is still one unbroken line. Returns how many entries were removed."""
    days = settings.IDM_AUDIT_RETENTION_DAYS
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    _take_places(0)  # hold the chain: nothing is appended while its start moves
    keep_from = AuditEntry.objects.filter(at__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()
    old = AuditEntry.objects.filter(seq__lt=keep_from) if keep_from is not None else AuditEntry.objects.all()
    last = old.order_by("-seq").values("seq", "hash").first()
    if last is None:
        return 0
    with _expiring():
        removed = AuditEntry.objects.filter(seq__lte=last["seq"])._expire()
    audit_record(actor=None, action=EXPIRED, target=AuditTrail(),
                 after={"through_seq": last["seq"], "last_hash": last["hash"], "removed": removed,
                        "older_than": cutoff.isoformat(), "retention_days": days})
    return removed


@contextmanager
def _expiring():
    """On PostgreSQL a trigger refuses UPDATE and DELETE on the audit table (migration 0015); the
    retention task, and only it, tells the trigger it may delete."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL idm.audit_expiring = 'on'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL idm.audit_expiring = 'off'")


# --- verification ------------------------------------------------------------------------------------

@dataclass
class Verdict:
    count: int
    problem: str = ""
    entry_id: int | None = None

    @property
    def intact(self) -> bool:
        return not self.problem


def audit_verify(*, chunk_size: int = 2000) -> Verdict:
    """Walk the chain in order, streaming (constant memory), and stop at the first broken link: an
    entry whose fields no longer give its hash (edited), a missing place (deleted), an entry that does
    not follow the one before it (inserted, reordered), or a chain head that is not the last entry
    (the newest entries deleted)."""
    anchor_seq, anchor_hash = 0, chain.GENESIS
    checkpoint = AuditEntry.objects.filter(action=EXPIRED).order_by("-seq").values("after").first()
    if checkpoint and isinstance(checkpoint["after"], dict):
        anchor_seq = int(checkpoint["after"].get("through_seq") or 0)
        anchor_hash = str(checkpoint["after"].get("last_hash") or "")
    expected, prev, count = anchor_seq + 1, anchor_hash, 0
    rows = AuditEntry.objects.order_by("seq").values("id", "prev_hash", "hash", *chain.CHAINED_FIELDS)
    for row in rows.iterator(chunk_size=chunk_size):
        if row["seq"] > expected:
            return Verdict(count, f"entry {row['id']} (#{row['seq']}): the entries #{expected} to #{row['seq'] - 1} "
                                  "before it are missing (deleted)", row["id"])
        if row["seq"] < expected:
            return Verdict(count, f"entry {row['id']} (#{row['seq']}): lies before the chain's start #{expected} "
                                  "(inserted, or left behind by a retention run)", row["id"])
        if row["prev_hash"] != prev:
            return Verdict(count, f"entry {row['id']} (#{row['seq']}): does not follow the entry before it "
                                  "(an entry was deleted, inserted, replaced or reordered)", row["id"])
        if chain.digest(row["prev_hash"], row) != row["hash"]:
            return Verdict(count, f"entry {row['id']} (#{row['seq']}): its contents no longer match its hash "
                                  "(edited)", row["id"])
        expected, prev, count = expected + 1, row["hash"], count + 1
    head = AuditChainHead.objects.filter(pk=HEAD).first()
    if head is None:
        if count:
            return Verdict(count, "the chain head is missing")
    elif head.seq != expected - 1 or head.hash != prev:
        return Verdict(count, f"the chain ends at #{expected - 1} but its head says #{head.seq}: the newest "
                              "entries were deleted, or the head was changed")
    return Verdict(count)
