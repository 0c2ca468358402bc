"""One applier per kind of directory change. The outbox knows appliers only by this registry,
filled at start-up by `ProvisioningConfig.ready()`, so the outbox sits below every capability
that enqueues changes and imports none of them.

An applier takes the claimed object ids of every kind (units and people may both touch a
distribution list) and returns its permanent failures as {(kind, object_id): error}; a
transient error (the directory is away) propagates and puts the whole batch back to pending.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from directory.errors import DirectoryError

T = TypeVar("T")
Failures = dict[tuple[str, int], Exception]
Applier = Callable[[dict[str, list[int]]], Failures]


@dataclass(frozen=True)
class Registered:
    name: str
    order: int
    run: Applier


_APPLIERS: dict[str, Registered] = {}


def register(name: str, run: Applier, *, order: int) -> None:
    """Appliers run in `order` (units before people before lists); registering a name again
    replaces it, so reloading the app is harmless."""
    _APPLIERS[name] = Registered(name=name, order=order, run=run)


def registered() -> list[Registered]:
    return sorted(_APPLIERS.values(), key=lambda a: a.order)


def permanent_failures(objects: Iterable[T], apply: Callable[[T], None],
                       key: Callable[[T], int]) -> dict[int, Exception]:
    """Apply each object; a permanent directory error is recorded by the object's key and the
    others go on, a transient one (the directory is away) propagates and stops the batch."""
    failed: dict[int, Exception] = {}
    for obj in objects:
        try:
            apply(obj)
        except DirectoryError as exc:
            if exc.transient:
                raise
            failed[key(obj)] = exc
    return failed
