"""The audit trail's hash chain, as pure functions (the backfill migration uses them too).

Every entry has a place in one sequence (``seq`` 1, 2, 3 ...), the hash of the entry before it
(``prev_hash``; the first entry's is GENESIS) and its own ``hash = sha256(prev_hash + canonical JSON of
its fields)``. Editing an entry changes what its fields hash to; deleting, inserting or reordering one
breaks a ``seq`` step or a ``prev_hash`` link. The hash covers every stored field except ``id`` (an
insertion detail) and ``hash`` itself. Change CHAINED_FIELDS or canonical() and every existing chain
stops verifying: they are a file format, not an implementation detail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

GENESIS = "0" * 64
CHAINED_FIELDS = ("seq", "at", "actor_id", "actor_label", "action", "target_type", "target_id", "target_label",
                  "unit_id", "before", "after", "reason", "source_ip")


def json_value(value: Any) -> Any:
    """`value` as the database gives it back from a JSON column (tuples become lists, keys strings), so
    the hash of an entry is the same before it is saved and after it is read."""
    return None if value is None else json.loads(json.dumps(value, ensure_ascii=False))


def canonical(fields: dict[str, Any]) -> str:
    """One text for one entry, whichever database stored it: sorted keys, no spaces, the time in UTC."""
    out = {}
    for name in CHAINED_FIELDS:
        value = fields.get(name)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        out[name] = value
    return json.dumps(out, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(fields)).encode("utf-8")).hexdigest()


def fields_of(entry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in CHAINED_FIELDS}
