"""Connections as any DN, answering with LDAP result codes instead of raising: for operators'
tools and the test-suite (the rootdn to wipe or inspect a private slapd, a person's own bind to
prove what the ACLs allow). The product's own writes go through the gateway; this module is where
everything else that must speak LDAP does, so no other package imports ldap3."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import ldap3
from ldap3.core.exceptions import LDAPException

SUBTREE = ldap3.SUBTREE


@contextlib.contextmanager
def session(url: str, who: str | None, password: str | None, *, connect_timeout: float = 3,
            receive_timeout: float = 10) -> Iterator[ldap3.Connection]:
    """An unbound connection to `url` as `who` (None: anonymous); always unbound afterwards."""
    conn = ldap3.Connection(ldap3.Server(url, get_info=ldap3.NONE, connect_timeout=connect_timeout),
                            who, password, receive_timeout=receive_timeout, raise_exceptions=False)
    try:
        yield conn
    finally:
        with contextlib.suppress(LDAPException):
            conn.unbind()


@contextlib.contextmanager
def bound(url: str, who: str, password: str) -> Iterator[ldap3.Connection]:
    """A connection bound as `who`; RuntimeError when the bind fails."""
    with session(url, who, password) as conn:
        if not conn.bind():
            raise RuntimeError(f"bind as {who} failed: {conn.result}")
        yield conn


def answers(url: str, who: str, password: str) -> bool:
    """True when the server takes a bind as `who` now (start-up polling)."""
    try:
        with session(url, who, password, connect_timeout=1, receive_timeout=2) as conn:
            return bool(conn.bind())
    except LDAPException:
        return False


def bind_result(url: str, who: str, password: str) -> int:
    """The result code of a simple bind (0 success, 49 invalid credentials, 53 unwilling...)."""
    with session(url, who, password) as conn:
        conn.open()
        conn.bind()
        return int(conn.result["result"])


def _entries(conn: ldap3.Connection) -> list[tuple[str, dict]]:
    return [(r["dn"], dict(r["attributes"])) for r in conn.response or [] if r.get("type") == "searchResEntry"]


def search_as(url: str, who: str | None, password: str | None, base: str, filt: str = "(objectClass=*)",
              attributes=("*",)) -> tuple[bool, list[tuple[str, dict]]]:
    """Bind as `who` (None: anonymous) and search the subtree; (bound, entries)."""
    with session(url, who, password) as conn:
        is_bound = conn.bind()
        with contextlib.suppress(LDAPException):
            conn.search(base, filt, search_scope=SUBTREE, attributes=list(attributes))
            return is_bound, _entries(conn)
        return is_bound, []


def modify_as(url: str, who: str, password: str, dn: str, attr: str, values: list[str]) -> int:
    """Replace one attribute as `who` (with no values: remove it); the result code."""
    with session(url, who, password) as conn:
        if not conn.bind():
            return int(conn.result["result"])
        conn.modify(dn, {attr: [(ldap3.MODIFY_REPLACE, values)]})
        return int(conn.result["result"])


def password_modify_as(url: str, who: str, password: str, target: str, old: str | None, new: str) -> int:
    """RFC 3062 Password Modify as `who`; the result code."""
    with session(url, who, password) as conn:
        if not conn.bind():
            return int(conn.result["result"])
        conn.extend.standard.modify_password(target, old, new)
        return int(conn.result["result"])


def add_as(url: str, who: str, password: str, dn: str, object_classes: list[str], attrs: dict) -> None:
    with bound(url, who, password) as conn:
        if not conn.add(dn, object_classes, attrs):
            raise RuntimeError(f"add failed: {conn.result}")


def dump(url: str, who: str, password: str, base: str, attributes=("*",)) -> dict[str, dict]:
    """Every entry under `base` as {dn: {attr: sorted values}}."""
    with bound(url, who, password) as conn:
        conn.search(base, "(objectClass=*)", search_scope=SUBTREE, attributes=list(attributes))
        return {dn: {k: sorted(str(x) for x in (v if isinstance(v, list) else [v])) for k, v in attrs.items()}
                for dn, attrs in _entries(conn)}


def empty_branches(url: str, who: str, password: str, bases: list[str]) -> None:
    """Delete every entry below each base (deepest first); the bases themselves stay."""
    with bound(url, who, password) as conn:
        for base in bases:
            conn.search(base, "(objectClass=*)", search_scope=SUBTREE, attributes=["1.1"])
            dns = [dn for dn, _attrs in _entries(conn) if dn.lower() != base.lower()]
            for dn in sorted(dns, key=lambda d: d.count(","), reverse=True):
                conn.delete(dn)
