"""The gateway's generic operations: search, read, "make it so" writes, deletes, ping.

Every write is "make it so" (LD-10): adding an entry that exists compares it with the intended
state and modifies only what differs; deleting what is gone, adding a value that is present and
removing one that is absent all count as success. So a task that runs twice changes nothing the
second time.
"""

from __future__ import annotations

from collections.abc import Iterable

import ldap3

from directory import config
from directory import escaping as esc
from directory.connection import check_result, last_connection_was_reused, service
from directory.errors import DirectoryUnavailable, InvalidValue, NoSuchEntry

NO_SUCH_OBJECT, ALREADY_EXISTS, NO_SUCH_ATTRIBUTE, VALUE_EXISTS = 32, 68, 16, 20


# ---------------------------------------------------------------- generic operations

def search(base: str, filt: str, attributes: Iterable[str] = ("*",), *, scope: str = "SUBTREE",
           page_size: int = 500) -> list[tuple[str, dict]]:
    """Paged search; `filt` must come from escaping.eq/all_of/any_of. A missing base gives [].
    C-04: a read on a connection that went stale (the provider restarted, stopped or fell silent
    since) is retried once on a new connection, which goes to the next provider if need be;
    writes are never retried here (that is the task's decision)."""
    try:
        return _search(base, filt, attributes, scope=scope, page_size=page_size)
    except DirectoryUnavailable:
        if not last_connection_was_reused():
            raise  # a fresh connection already tried every provider
        return _search(base, filt, attributes, scope=scope, page_size=page_size)


def _search(base: str, filt: str, attributes: Iterable[str], *, scope: str, page_size: int) -> list[tuple[str, dict]]:
    scope_value = {"BASE": ldap3.BASE, "LEVEL": ldap3.LEVEL, "SUBTREE": ldap3.SUBTREE}[scope]
    out: list[tuple[str, dict]] = []
    cookie = None
    with service() as conn:
        while True:
            ok = conn.search(base, filt, search_scope=scope_value, attributes=list(attributes),
                             paged_size=page_size, paged_cookie=cookie)
            code = check_result(conn, ok, dn=base, accept=(NO_SUCH_OBJECT,))
            if code == NO_SUCH_OBJECT:
                return []
            out.extend((r["dn"], dict(r["attributes"])) for r in conn.response if r.get("type") == "searchResEntry")
            controls = conn.result.get("controls", {}) or {}
            cookie = controls.get("1.2.840.113556.1.4.319", {}).get("value", {}).get("cookie")
            if not cookie:
                return out


def read(dn: str, attributes: Iterable[str] = ("*",)) -> dict | None:
    found = search(dn, "(objectClass=*)", attributes, scope="BASE")
    return found[0][1] if found else None


def as_list(v) -> list[str]:
    if v is None:
        return []
    if isinstance(v, list):
        return [x if isinstance(x, str) else str(x) for x in v]
    return [v if isinstance(v, str) else str(v)]


def _validate(attrs: dict[str, list[str]]) -> None:
    for name, values in attrs.items():
        for v in values:
            esc.check_text(v, field=name)


def ensure_entry(dn: str, object_classes: Iterable[str], attrs: dict[str, list[str]],
                 managed: Iterable[str], optional_classes: Iterable[str] = ()) -> str:
    """Make the entry at `dn` have these object classes and, for each managed attribute, exactly
    these values (an empty list removes the attribute). An optional class that is not wanted is
    removed together with its attributes. Returns 'added', 'modified' or 'unchanged'."""
    _validate(attrs)
    classes = list(object_classes)
    present = {k: v for k, v in attrs.items() if v}
    with service() as conn:
        ok = conn.add(dn, classes, present)
        if check_result(conn, ok, dn=dn, accept=(ALREADY_EXISTS,)) != ALREADY_EXISTS:
            return "added"
    managed = list(managed)
    # Two workers may bring the same entry in line at once (two outbox rows of one person in two
    # batches): the other's modify can land between our read and ours. Removals are written as
    # "replace with nothing" (a no-op when the attribute is already gone), and a modify that still
    # meets the other's change (a class already added or removed) is computed again from a new read.
    for attempt in range(3):
        changes = _changes_to(dn, classes, attrs, managed, optional_classes)
        if not changes:
            return "unchanged"
        with service() as conn:
            ok = conn.modify(dn, changes)
            code = check_result(conn, ok, dn=dn, accept=(NO_SUCH_ATTRIBUTE, VALUE_EXISTS) if attempt < 2 else ())
        if code not in (NO_SUCH_ATTRIBUTE, VALUE_EXISTS):
            return "modified"
    return "modified"  # not reached: the last attempt raises on any error


def _changes_to(dn: str, classes: list[str], attrs: dict[str, list[str]], managed: list[str],
                optional_classes: Iterable[str]) -> dict[str, list]:
    current = read(dn, ["objectClass", *managed]) or {}
    ops = {"add": ldap3.MODIFY_ADD, "replace": ldap3.MODIFY_REPLACE, "delete": ldap3.MODIFY_DELETE}
    changes: dict[str, list] = {}
    for op, name, values in entry_changes({k: as_list(v) for k, v in current.items()}, classes, attrs, managed,
                                          optional_classes):
        changes.setdefault(name, []).append((ops[op], values))
    return changes


def entry_changes(current: dict[str, list[str]], classes: Iterable[str], attrs: dict[str, list[str]],
                  managed: Iterable[str], optional_classes: Iterable[str] = ()) -> list[tuple[str, str, list[str]]]:
    """What turns an entry that has `current` (attribute -> values, as read) into one with these
    classes and, for each managed attribute, exactly these values: [(op, attribute, values)] with op
    "add", "replace" or "delete". A removed attribute is "replace" with [] (a no-op when another writer
    removed it meanwhile, where a delete fails with noSuchAttribute). The object classes come after the
    attributes, so one atomic modify can drop an optional class together with its attributes. Pure: the
    "make it so" write and the pipelined bulk write (directory.bulk) share it."""
    classes = list(classes)
    lower_current = {k.lower(): list(v) for k, v in current.items()}
    have_classes = {c.lower() for c in lower_current.get("objectclass", [])}
    out: list[tuple[str, str, list[str]]] = []
    for name in managed:
        want = attrs.get(name, [])
        have = lower_current.get(name.lower(), [])
        if sorted(want) == sorted(have):
            continue
        out.append(("replace", name, list(want)))
    missing_classes = [c for c in classes if c.lower() not in have_classes]
    unwanted = [c for c in optional_classes if c.lower() in have_classes and c.lower() not in
                {x.lower() for x in classes}]
    if missing_classes:
        out.append(("add", "objectClass", missing_classes))
    if unwanted:
        out.append(("delete", "objectClass", unwanted))
    return out


def delete_entry(dn: str) -> bool:
    """Delete one leaf entry; True if it was there."""
    with service() as conn:
        ok = conn.delete(dn)
        return check_result(conn, ok, dn=dn, accept=(NO_SUCH_OBJECT,)) != NO_SUCH_OBJECT


def delete_subtree(dn: str) -> int:
    """Delete an entry and everything below it, deepest first. Returns how many were deleted."""
    found = search(dn, "(objectClass=*)", ["1.1"])
    found.sort(key=lambda item: item[0].count(","), reverse=True)
    return sum(delete_entry(d) for d, _ in found)


def modify_values(dn: str, attr: str, *, add: Iterable[str] = (), remove: Iterable[str] = ()) -> None:
    """Add or remove single values; a value already there (add) or already gone (remove) is fine."""
    for op, values, accepted in ((ldap3.MODIFY_ADD, list(add), VALUE_EXISTS),
                                 (ldap3.MODIFY_DELETE, list(remove), NO_SUCH_ATTRIBUTE)):
        for v in values:
            esc.check_text(v, field=attr)
            with service() as conn:
                ok = conn.modify(dn, {attr: [(op, [v])]})
                check_result(conn, ok, dn=dn, accept=(accepted,))


def ping() -> None:
    """Bind as the service account and read the base entry; raises on any problem."""
    cfg = config.current()
    if read(cfg.base_dn, ["1.1"]) is None:
        raise NoSuchEntry(f"base entry {cfg.base_dn} not found", dn=cfg.base_dn)


# ---------------------------------------------------------------- certificates (binary values)

CERTIFICATE_ATTR = "userCertificate;binary"  # RFC 4523: certificates travel with the ;binary option
PKI_CLASS = "pkiUser"  # RFC 4523's auxiliary class that allows userCertificate where the structural one does not
MAX_CERTIFICATE_BYTES = 64 * 1024


def certificates_put(dn: str, ders: list[bytes], *, needs_class: bool = False) -> str:
    """Make the entry hold exactly these DER certificates (none removes the attribute). With
    `needs_class` (a unit entry: organizationalUnit has no userCertificate) pkiUser is added first.
    Returns 'modified' or 'unchanged'."""
    values = sorted(set(ders))
    for der in values:
        if not isinstance(der, bytes) or not der or len(der) > MAX_CERTIFICATE_BYTES or der[:1] != b"\x30":
            raise InvalidValue("a certificate must be DER bytes")
    current = read(dn, ["objectClass", CERTIFICATE_ATTR])
    if current is None:
        raise NoSuchEntry(f"no entry {dn}")
    have = sorted(certificates_get(dn))
    if have == values:
        return "unchanged"
    changes: dict[str, list] = {CERTIFICATE_ATTR: [(ldap3.MODIFY_REPLACE, values)]}
    if needs_class and values and PKI_CLASS.lower() not in {c.lower() for c in as_list(current.get("objectClass"))}:
        changes["objectClass"] = [(ldap3.MODIFY_ADD, [PKI_CLASS])]
    with service() as conn:
        ok = conn.modify(dn, changes)
        check_result(conn, ok, dn=dn)
    return "modified"


def certificates_get(dn: str) -> list[bytes]:
    """The DER certificates published on an entry (none when it has none or is gone)."""
    with service() as conn:
        ok = conn.search(dn, "(objectClass=*)", search_scope=ldap3.BASE, attributes=[CERTIFICATE_ATTR])
        if check_result(conn, ok, dn=dn, accept=(NO_SUCH_OBJECT,)) == NO_SUCH_OBJECT:
            return []
        for r in conn.response:
            if r.get("type") == "searchResEntry":
                raw = r.get("raw_attributes", {})
                return [bytes(v) for k, vs in raw.items() if k.lower().startswith("usercertificate") for v in vs]
    return []
