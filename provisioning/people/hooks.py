"""Capabilities above people learn of lifecycle changes here (certificates raise a revocation when
someone leaves, a change of information when they move). A registry filled at start-up by
ProvisioningConfig.ready(), like the outbox's appliers, so people imports none of them. Hooks
run inside the change's transaction: what they write commits or rolls back with it."""

from __future__ import annotations

from collections.abc import Callable

Hook = Callable[..., None]
_HOOKS: dict[str, Hook] = {}


def register(name: str, hook: Hook) -> None:
    """`hook(actor=, person=, event=, before=, after=)`; registering a name again replaces it."""
    _HOOKS[name] = hook


def person_changed(*, actor, person, event: str, before: dict, after: dict) -> None:
    for hook in list(_HOOKS.values()):
        hook(actor=actor, person=person, event=event, before=before, after=after)
