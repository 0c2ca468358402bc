"""Pipelined writes for batches: many adds in flight on one connection (python-ldap's
asynchronous API, in C), so onboarding thousands of people runs at the server's speed instead of
one round trip per entry. Entries that already exist fall back to the "make it so" path.

The connection comes from setup.py like every other; every python-ldap exception leaves this
module as one of our types (errors.error_for_python_ldap).
"""

from __future__ import annotations

import contextlib

import ldap
import ldap.modlist

from . import config, setup
from . import escaping as esc
from .entries import PersonEntry
from .errors import DirectoryError, InvalidValue, error_for_python_ldap
from .gateway.people import person_dn

WINDOW = 256  # outstanding operations on the connection


def _msgid(exc: ldap.LDAPError) -> int | None:
    return exc.args[0].get("msgid") if exc.args and isinstance(exc.args[0], dict) else None


def people_add_pipelined(entries: list[PersonEntry]) -> tuple[list[str], dict[str, DirectoryError]]:
    """Add these people. Returns (uids that already existed, {uid: permanent error}). Raises
    DirectoryUnavailable if the server goes away (whatever was added stays: adds are idempotent
    through the 'exists' fallback on the next run)."""
    cfg = config.current()
    existing: list[str] = []
    failed: dict[str, DirectoryError] = {}
    pending: dict[int, str] = {}
    conn = setup.python_ldap_open(cfg, cfg.bind_dn, cfg.bind_password)

    def collect_one() -> None:
        try:
            _type, _data, msgid, _ctrls = conn.result3(ldap.RES_ANY, all=1, timeout=cfg.receive_timeout)
            pending.pop(msgid, None)
        except ldap.ALREADY_EXISTS as exc:
            uid = pending.pop(_msgid(exc), None)
            if uid is not None:
                existing.append(uid)
        except ldap.LDAPError as exc:
            uid = pending.pop(_msgid(exc), None)
            err = error_for_python_ldap(exc, dn=person_dn(uid) if uid is not None else None)
            if uid is None or err.transient:
                raise err from None
            failed[uid] = err

    try:
        for e in entries:
            try:
                esc.check_uid(e.uid)
                attrs = {k: v for k, v in e.to_attrs().items() if v}
                for name, values in attrs.items():
                    for v in values:
                        esc.check_text(v, field=name)
            except InvalidValue as exc:
                failed[e.uid] = exc
                continue
            attrs["objectClass"] = list(e.object_classes())
            modlist = ldap.modlist.addModlist({k: [x.encode() for x in v] for k, v in attrs.items()})
            msgid = conn.add_ext(person_dn(e.uid), modlist)
            pending[msgid] = e.uid
            while len(pending) >= WINDOW:
                collect_one()
        while pending:
            collect_one()
    except ldap.LDAPError as exc:  # sending an add, or anything not tied to one entry
        raise error_for_python_ldap(exc) from None
    finally:
        with contextlib.suppress(ldap.LDAPError):
            conn.unbind_s()
    return existing, failed
