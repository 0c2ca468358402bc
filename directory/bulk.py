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
from .entries import MAIL_CLASS, PERSON_ATTRS, PersonEntry
from .errors import DirectoryError, InvalidValue, error_for_python_ldap
from .gateway.base import entry_changes
from .gateway.people import person_dn, person_put

WINDOW = 256  # outstanding operations on the connection


def _msgid(exc: ldap.LDAPError) -> int | None:
    return exc.args[0].get("msgid") if exc.args and isinstance(exc.args[0], dict) else None


def _open():
    cfg = config.current()
    return setup.python_ldap_open(cfg, cfg.bind_dn, cfg.bind_password)


def people_add_pipelined(entries: list[PersonEntry], conn=None) -> tuple[list[str], dict[str, DirectoryError]]:
    """Add these people. Returns (uids that already existed, {uid: permanent error}). Raises
    DirectoryUnavailable if the server goes away (whatever was added stays: adds are idempotent
    through the 'exists' fallback on the next run). `conn`: a connection of this module's to reuse
    (people_put_pipelined's; the caller then unbinds it)."""
    cfg = config.current()
    existing: list[str] = []
    failed: dict[str, DirectoryError] = {}
    pending: dict[int, str] = {}
    own = conn is None
    conn = conn if conn is not None else _open()

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
        if own:
            with contextlib.suppress(ldap.LDAPError):
                conn.unbind_s()
    return existing, failed


class _Window:
    """Operations in flight on one connection: at most WINDOW, each answer matched to its uid."""

    def __init__(self, conn, timeout: float) -> None:
        self.conn, self.timeout, self.pending = conn, timeout, {}

    def send(self, msgid: int, uid: str, on_answer) -> None:
        self.pending[msgid] = (uid, on_answer)
        while len(self.pending) >= WINDOW:
            self.collect_one()

    def collect_one(self) -> None:
        try:
            _type, data, msgid, _ctrls = self.conn.result3(ldap.RES_ANY, all=1, timeout=self.timeout)
            uid, on_answer = self.pending.pop(msgid, (None, None))
            error = None
        except ldap.LDAPError as exc:
            uid, on_answer = self.pending.pop(_msgid(exc), (None, None))
            data, error = None, exc
            if uid is None:
                raise
        if on_answer is not None:
            on_answer(uid, data, error)

    def drain(self) -> None:
        while self.pending:
            self.collect_one()


SEARCH_CHUNK = 500  # uids in one (|(uid=…)…) filter: each is one indexed lookup for slapd


def _people_found(conn, uids: list[str], timeout: float) -> dict[str, dict[str, list[str]]]:
    """The current attributes of those of these people who have an entry: one-level searches of a few
    hundred uids each, all in flight at once — a round trip per batch rather than per person."""
    base, msgids, found = config.current().people_dn, [], {}
    for start in range(0, len(uids), SEARCH_CHUNK):
        flt = esc.any_of(*(esc.eq("uid", u) for u in uids[start:start + SEARCH_CHUNK]))
        msgids.append(conn.search_ext(base, ldap.SCOPE_ONELEVEL, flt, ["objectClass", *PERSON_ATTRS]))
    for msgid in msgids:
        _type, data, _msgid, _ctrls = conn.result3(msgid, all=1, timeout=timeout)
        for dn, attrs in data or []:
            if dn is None or not isinstance(attrs, dict):  # a search reference
                continue
            have = {k: [v.decode() for v in vs] for k, vs in attrs.items()}
            uid = next(iter(have.get("uid", [])), "")
            if uid:
                found[uid] = have
    return found


def people_put_pipelined(entries: list[PersonEntry]) -> dict[str, DirectoryError]:
    """Make these people's entries say exactly this ("make it so", as gateway.person_put), with every
    operation pipelined on one connection: one search per few hundred people finds which entries exist
    and what they say; then adds for the missing ones and a modify for each existing one that differs
    (an entry that already matches costs nothing more). A merger's tens of thousands of changed entries
    thus cost a few pipelined rounds — no failed add and no read per entry. Returns {uid: permanent
    error}; raises DirectoryUnavailable if the server goes away (every write is idempotent: run again)."""
    cfg = config.current()
    conn = _open()  # one bind for the whole batch: a bind costs as much as a hundred pipelined modifies
    by_uid = {e.uid: e for e in entries}
    window = _Window(conn, cfg.receive_timeout)
    failed: dict[str, DirectoryError] = {}
    gone: list[str] = []
    clashed: list[str] = []

    def _record(uid, error) -> None:
        err = error_for_python_ldap(error, dn=person_dn(uid))
        if err.transient:
            raise err
        failed[uid] = err

    def read_answer(uid, data, error) -> None:
        if isinstance(error, ldap.NO_SUCH_OBJECT):
            gone.append(uid)  # deleted since the add said it exists: added again below
        elif error is not None:
            _record(uid, error)
        else:
            attrs = data[0][1] if data else {}
            current[uid] = {k: [v.decode() for v in vs] for k, vs in attrs.items()}

    def modify_answer(uid, _data, error) -> None:
        if isinstance(error, ldap.NO_SUCH_OBJECT):
            gone.append(uid)  # deleted since the search found it: added again below
        elif isinstance(error, (ldap.NO_SUCH_ATTRIBUTE, ldap.TYPE_OR_VALUE_EXISTS)):
            clashed.append(uid)  # another writer changed the classes since our read: redone below
        elif error is not None:
            _record(uid, error)

    ops = {"add": ldap.MOD_ADD, "replace": ldap.MOD_REPLACE, "delete": ldap.MOD_DELETE}
    try:
        current = _people_found(conn, [u for u in by_uid if esc.UID_RE.fullmatch(u)], cfg.receive_timeout)
        # (a uid refused by the allow-list is reported by the add below, as before)
        existing, add_failed = people_add_pipelined([e for e in entries if e.uid not in current], conn)
        failed.update(add_failed)
        for uid in existing:  # added by someone else since the search: read it, then make it so
            window.send(conn.search_ext(person_dn(uid), ldap.SCOPE_BASE, "(objectClass=*)",
                                        ["objectClass", *PERSON_ATTRS]), uid, read_answer)
        window.drain()
        for uid, have in current.items():
            e = by_uid.get(uid)
            if e is None:
                continue
            changes = entry_changes(have, e.object_classes(), e.to_attrs(), PERSON_ATTRS, (MAIL_CLASS,))
            if changes:
                modlist = [(ops[op], name, [v.encode() for v in values] or None) for op, name, values in changes]
                window.send(conn.modify_ext(person_dn(uid), modlist), uid, modify_answer)
        window.drain()
    except ldap.LDAPError as exc:
        raise error_for_python_ldap(exc) from None
    finally:
        with contextlib.suppress(ldap.LDAPError):
            conn.unbind_s()
    if gone:
        failed.update(people_put_pipelined([by_uid[u] for u in gone]))
    for uid in clashed:  # rare (two workers on one person at once): the "make it so" path reads again
        try:
            person_put(by_uid[uid])
        except DirectoryError as exc:
            if exc.transient:
                raise
            failed[uid] = exc
    return failed
