"""Helpers for the test-suite (which may not import ldap3 itself): a root connection to the
private slapd, wiping data between tests, and pausing/stopping the server."""

from __future__ import annotations

import contextlib

import ldap3

from directory.config import BRANCHES, DATA_BRANCHES
from scripts.dev.slapd import SlapdConfig


def root_connection(c: SlapdConfig, *, config_admin: bool = False) -> ldap3.Connection:
    who = c.config_dn if config_admin else c.root_dn
    conn = ldap3.Connection(ldap3.Server(c.host, port=c.port, get_info=ldap3.NONE, connect_timeout=3),
                            who, c.root_password, receive_timeout=10, raise_exceptions=False)
    if not conn.bind():
        raise RuntimeError(f"root bind failed: {conn.result}")
    return conn


def wipe(c: SlapdConfig) -> None:
    """Delete everything below the branches idm writes (people, functional mailboxes, units,
    groups; the containers themselves stay)."""
    conn = root_connection(c)
    try:
        for kind in DATA_BRANCHES:
            base = f"{BRANCHES[kind]},{c.base_dn}"
            conn.search(base, "(objectClass=*)", search_scope=ldap3.SUBTREE, attributes=["1.1"])
            dns = [r["dn"] for r in conn.response
                   if r.get("type") == "searchResEntry" and r["dn"].lower() != base.lower()]
            for dn in sorted(dns, key=lambda d: d.count(","), reverse=True):
                conn.delete(dn)
    finally:
        conn.unbind()


def dump(c: SlapdConfig, base: str, attributes=("*",)) -> dict[str, dict]:
    """Every entry under `base` as {dn: {attr: sorted values}}, read as the rootdn."""
    conn = root_connection(c)
    try:
        conn.search(base, "(objectClass=*)", search_scope=ldap3.SUBTREE, attributes=list(attributes))
        out = {}
        for r in conn.response:
            if r.get("type") == "searchResEntry":
                out[r["dn"]] = {k: sorted(str(x) for x in (v if isinstance(v, list) else [v]))
                                for k, v in r["attributes"].items()}
        return out
    finally:
        conn.unbind()


def search_as(c: SlapdConfig, who: str | None, password: str | None, base: str, filt: str = "(objectClass=*)",
              attributes=("*",)) -> tuple[bool, list[tuple[str, dict]]]:
    """Bind as `who` (None: anonymous) and search; returns (bound, entries)."""
    conn = ldap3.Connection(ldap3.Server(c.host, port=c.port, get_info=ldap3.NONE, connect_timeout=3),
                            who, password, receive_timeout=10, raise_exceptions=False)
    bound = conn.bind()
    entries = []
    with contextlib.suppress(ldap3.core.exceptions.LDAPException):
        conn.search(base, filt, search_scope=ldap3.SUBTREE, attributes=list(attributes))
        entries = [(r["dn"], dict(r["attributes"])) for r in conn.response or [] if r.get("type") == "searchResEntry"]
    conn.unbind()
    return bound, entries


def bind_result(c: SlapdConfig, who: str, password: str) -> int:
    """The LDAP result code of a simple bind (0 success, 49 invalid credentials, 53 unwilling...)."""
    conn = ldap3.Connection(ldap3.Server(c.host, port=c.port, get_info=ldap3.NONE, connect_timeout=3),
                            who, password, receive_timeout=10, raise_exceptions=False)
    try:
        conn.open()
        conn.bind()
        return int(conn.result["result"])
    finally:
        conn.unbind()


def modify_as(c: SlapdConfig, who: str, password: str, dn: str, attr: str, values: list[str]) -> int:
    """Replace one attribute as `who`; returns the LDAP result code."""
    conn = ldap3.Connection(ldap3.Server(c.host, port=c.port, get_info=ldap3.NONE, connect_timeout=3),
                            who, password, receive_timeout=10, raise_exceptions=False)
    try:
        if not conn.bind():
            return int(conn.result["result"])
        conn.modify(dn, {attr: [(ldap3.MODIFY_REPLACE, values)]})
        return int(conn.result["result"])
    finally:
        conn.unbind()


def password_modify_as(c: SlapdConfig, who: str, password: str, target: str, old: str | None, new: str) -> int:
    """RFC 3062 Password Modify as `who`; returns the result code."""
    conn = ldap3.Connection(ldap3.Server(c.host, port=c.port, get_info=ldap3.NONE, connect_timeout=3),
                            who, password, receive_timeout=10, raise_exceptions=False)
    try:
        if not conn.bind():
            return int(conn.result["result"])
        conn.extend.standard.modify_password(target, old, new)
        return int(conn.result["result"])
    finally:
        conn.unbind()


def set_config(c: SlapdConfig, dn: str, attr: str, values: list[str]) -> None:
    conn = root_connection(c, config_admin=True)
    try:
        op = ldap3.MODIFY_REPLACE if values else ldap3.MODIFY_DELETE
        if not conn.modify(dn, {attr: [(op, values)]}):
            raise RuntimeError(f"config change failed: {conn.result}")
    finally:
        conn.unbind()


def cli_bind_result(c: SlapdConfig, who: str, password: str) -> int:
    """Bind with OpenLDAP's own ldapwhoami, which (unlike ldap3) will send an empty password,
    i.e. an RFC 4513 unauthenticated bind. Its exit status is the LDAP result code."""
    import subprocess

    p = subprocess.run(["ldapwhoami", "-x", "-H", c.url, "-D", who, "-w", password],
                       capture_output=True, text=True, timeout=15)
    return p.returncode


def add_as_root(c: SlapdConfig, dn: str, object_classes: list[str], attrs: dict) -> None:
    conn = root_connection(c)
    try:
        if not conn.add(dn, object_classes, attrs):
            raise RuntimeError(f"add failed: {conn.result}")
    finally:
        conn.unbind()
