"""Other government systems' bind accounts (document management, one-stop shop, public services):
one entry per application under the applications branch, with the hash of its secret and the unit
whose subtree it may read (seeAlso; the access rules in scripts/dev/slapd.py read it there)."""

from __future__ import annotations

import datetime as dt

import ldap3

from directory import config
from directory import escaping as esc
from directory.connection import check_result, service
from directory.errors import InvalidValue

from .base import as_list, delete_entry, ensure_entry, read, search

APPLICATION_CLASSES = ("top", "applicationProcess", "simpleSecurityObject")
APPLICATION_ATTRS = ("cn", "description", "seeAlso")


def application_dn(name: str) -> str:
    return esc.dn("cn", esc.check_application_name(name), config.current().applications_dn)


def _ensure_branch() -> None:
    """The branch exists in every tree made since it was added; an older tree gets it here."""
    branch = config.current().applications_dn
    if read(branch, ["1.1"]) is None:
        ensure_entry(branch, ("top", "organizationalUnit"), {"ou": ["applications"]}, ("ou",))


def application_put(*, name: str, description: str, scope_dn: str, password_hash: str) -> str:
    """Make the application's account exist, scoped to `scope_dn` (a unit's DN), with exactly this
    hashed secret ({ARGON2}...): the previous secret stops working at once."""
    if not password_hash.startswith("{"):
        raise InvalidValue("only a hashed secret with a {SCHEME} prefix is written")
    if not esc.dn_is_under(scope_dn, config.current().units_dn):
        raise InvalidValue("an application's scope must be a unit")
    _ensure_branch()
    dn = application_dn(name)
    attrs = {"cn": [name], "description": [description], "seeAlso": [scope_dn]}
    result = ensure_entry(dn, APPLICATION_CLASSES, {**attrs, "userPassword": [password_hash]}, APPLICATION_ATTRS)
    if result != "added":  # idm may write a hash but never read one back: replace it (idempotent)
        with service() as conn:
            ok = conn.modify(dn, {"userPassword": [(ldap3.MODIFY_REPLACE, [password_hash])]})
            check_result(conn, ok, dn=dn)
    return result


def application_delete(name: str) -> bool:
    """Remove the account: nobody can bind as it any more. True if it was there."""
    return delete_entry(application_dn(name))


def application_scope(name: str) -> str | None:
    attrs = read(application_dn(name), ["seeAlso"])
    return (as_list(attrs.get("seeAlso")) or [None])[0] if attrs is not None else None


def applications_last_bound() -> dict[str, dt.datetime | None]:
    """Every application account by name, with when it last bound (slapd's lastbind overlay keeps
    authTimestamp, to its configured precision); None for one that never bound."""
    found = search(config.current().applications_dn, "(objectClass=applicationProcess)", ["cn", "authTimestamp"],
                   scope="LEVEL")
    out: dict[str, dt.datetime | None] = {}
    for _dn, attrs in found:
        names = as_list(attrs.get("cn"))
        if names:
            out[names[0]] = _generalized_time((as_list(attrs.get("authTimestamp")) or [""])[0])
    return out


def _generalized_time(value: str) -> dt.datetime | None:
    """'20261203142211Z' (slapd writes UTC, whole seconds) as an aware datetime."""
    try:
        return dt.datetime.strptime(value[:14], "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
