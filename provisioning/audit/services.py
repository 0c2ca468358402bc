"""One audit row per change: actor, action, target, before/after, time (UTC), source IP."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from provisioning.audit.models import AuditEntry

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
    "role.granted": _("role granted"),
    "role.revoked": _("role revoked"),
    "token.created": _("API token created"),
    "token.revoked": _("API token revoked"),
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
    if after.get("reason"):
        lines.append(gettext("reason: %(reason)s") % {"reason": after["reason"]})
    return lines


def audit_record(*, actor, action: str, target, before: dict | None = None, after: dict | None = None,
                 source_ip: str | None = None) -> AuditEntry:
    entry = audit_entry(actor=actor, action=action, target=target, before=before, after=after, source_ip=source_ip)
    entry.save()
    return entry


def audit_entry(*, actor, action: str, target, before: dict | None = None, after: dict | None = None,
                source_ip: str | None = None) -> AuditEntry:
    """The audit row, unsaved (bulk callers save many at once)."""
    label = "system" if actor is None else (actor.get_username() or f"user {actor.pk}")
    return AuditEntry(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=label,
        action=action,
        target_type=target.__class__.__name__.lower(),
        target_id=str(target.pk),
        target_label=str(target)[:255],
        before=before,
        after=after,
        source_ip=source_ip,
    )


def snapshot(obj, fields: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for f in fields:
        value = getattr(obj, f)
        out[f] = value.pk if hasattr(value, "pk") else (value.isoformat() if hasattr(value, "isoformat") else value)
    return out
