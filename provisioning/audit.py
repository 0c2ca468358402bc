"""One audit row per change: actor, action, target, before/after, time (UTC), source IP."""

from __future__ import annotations

from typing import Any

from provisioning.models import AuditEntry


def audit_record(*, actor, action: str, target, before: dict | None = None, after: dict | None = None,
                 source_ip: str | None = None) -> AuditEntry:
    label = "system" if actor is None else (actor.get_username() or f"user {actor.pk}")
    return AuditEntry.objects.create(
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
