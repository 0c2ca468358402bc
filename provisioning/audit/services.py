"""One audit row per change: actor, action, target, before/after, time (UTC), source IP."""

from __future__ import annotations

from typing import Any

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
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


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
