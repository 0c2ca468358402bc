"""Pipelined writes for batches: many adds in flight on one connection (python-ldap's
asynchronous API, in C), so onboarding thousands of people runs at the server's speed instead of
one round trip per entry. Entries that already exist fall back to the "make it so" path.
"""

from __future__ import annotations

import ldap
import ldap.modlist

from . import config
from . import escaping as esc
from .entries import PersonEntry
from .errors import DirectoryError, DirectoryUnavailable, InvalidValue, error_for_result

WINDOW = 256  # outstanding operations on the connection

_UNAVAILABLE = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR, ldap.UNAVAILABLE, ldap.BUSY)


def _connect(cfg: config.DirectoryConfig):
    conn = ldap.initialize(cfg.url, bytes_mode=False)
    conn.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
    conn.set_option(ldap.OPT_REFERRALS, 0)
    conn.set_option(ldap.OPT_NETWORK_TIMEOUT, cfg.connect_timeout)
    conn.set_option(ldap.OPT_TIMEOUT, cfg.receive_timeout)
    if cfg.tls in ("starttls", "ldaps"):
        conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
        if cfg.ca_file:
            conn.set_option(ldap.OPT_X_TLS_CACERTFILE, cfg.ca_file)
        conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        if cfg.tls == "starttls":
            conn.start_tls_s()
    conn.simple_bind_s(cfg.bind_dn, cfg.bind_password)
    return conn


def _code(exc: ldap.LDAPError) -> dict:
    info = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    return {"result": info.get("result", 80), "description": info.get("desc", exc.__class__.__name__),
            "message": info.get("info", "")}


def people_add_pipelined(entries: list[PersonEntry]) -> tuple[list[str], dict[str, DirectoryError]]:
    """Add these people. Returns (uids that already existed, {uid: permanent error}). Raises
    DirectoryUnavailable if the server goes away (whatever was added stays: adds are idempotent
    through the 'exists' fallback on the next run)."""
    from .gateway import person_dn

    cfg = config.current()
    existing: list[str] = []
    failed: dict[str, DirectoryError] = {}
    pending: dict[int, str] = {}
    try:
        conn = _connect(cfg)
    except _UNAVAILABLE as exc:
        raise DirectoryUnavailable(f"cannot reach the directory: {_code(exc)['description']}") from None
    except ldap.LDAPError as exc:
        raise error_for_result(_code(exc)) from None

    def collect_one() -> None:
        try:
            _type, _data, msgid, _ctrls = conn.result3(ldap.RES_ANY, all=1, timeout=cfg.receive_timeout)
            pending.pop(msgid, None)
        except ldap.ALREADY_EXISTS as exc:
            existing.append(pending.pop(exc.args[0].get("msgid"), "?"))
        except _UNAVAILABLE:
            raise
        except ldap.LDAPError as exc:
            info = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
            uid = pending.pop(info.get("msgid"), None)
            if uid is None:
                raise
            failed[uid] = error_for_result(_code(exc))

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
    except _UNAVAILABLE as exc:
        raise DirectoryUnavailable(f"the directory went away: {_code(exc)['description']}") from None
    finally:
        try:
            conn.unbind_s()
        except ldap.LDAPError:
            pass
    return [u for u in existing if u != "?"], failed
