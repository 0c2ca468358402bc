"""ldap3 connections: one per thread, bound as the idm service account, with timeouts (set up
by setup.py from the one configuration).

LD-06: every connection has a connect and a receive timeout, so a paused or black-holed slapd
makes a call fail within seconds instead of hanging a web request or a Celery worker.
LD-09: a connection is never shared across threads (one per thread, SYNC strategy); the
auto-retrying RESTARTABLE strategy is not used, because retrying a write is the task's decision.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import ssl
import threading
from collections.abc import Iterator

import ldap3
from ldap3.core import exceptions as lx

from . import config, setup
from .errors import AccessDenied, DirectoryError, DirectoryUnavailable, error_for_result

log = logging.getLogger(__name__)
_local = threading.local()


def open_connection(cfg: config.DirectoryConfig, bind_dn: str | None, password: str | None) -> ldap3.Connection:
    """A new bound connection to the first provider (in setup.ordered_urls order) that answers.
    A provider that cannot be reached or does not answer within the timeouts is skipped (and
    tried last for a while); a refused bind is an answer and is not retried elsewhere. Raises
    DirectoryUnavailable (every provider away) or AccessDenied."""
    if bind_dn is not None and not password:
        # AU-03 / LD-12: an empty password would be an unauthenticated bind; never send one.
        raise AccessDenied("empty password refused before bind")
    last: DirectoryUnavailable | None = None
    for url in setup.ordered_urls(cfg):
        try:
            conn = _open_one(cfg, url, bind_dn, password)
        except DirectoryUnavailable as exc:
            log.warning("directory server %s unavailable (%s); trying the next", url, exc)
            setup.mark_down(url)
            last = exc
            continue
        setup.mark_up(url)
        conn.idm_url = url  # which provider: service() puts it last when it falls silent
        return conn
    raise last if last is not None else DirectoryUnavailable("no directory URL configured")


def _open_one(cfg: config.DirectoryConfig, url: str, bind_dn: str | None, password: str | None) -> ldap3.Connection:
    try:
        conn = ldap3.Connection(setup.ldap3_server(cfg, url), user=bind_dn, password=password,
                                **setup.ldap3_connection_kwargs(cfg))
        bound = _starttls_bind(conn) if cfg.tls == "starttls" else conn.bind()
        if not bound:
            raise error_for_result(conn.result)  # busy/unavailable codes are DirectoryUnavailable: next one
        return conn
    except (lx.LDAPSocketOpenError, lx.LDAPServerPoolExhaustedError) as exc:
        raise DirectoryUnavailable(f"cannot connect to the directory: {exc}") from None
    except (lx.LDAPStartTLSError, ssl.SSLError) as exc:
        raise DirectoryUnavailable(f"TLS with the directory failed: {exc}") from None
    except lx.LDAPCommunicationError as exc:
        raise DirectoryUnavailable(f"the directory did not answer: {exc}") from None
    except lx.LDAPException as exc:
        raise DirectoryError(f"directory error: {exc.__class__.__name__}") from None


def _starttls_bind(conn: ldap3.Connection) -> bool:
    conn.open(read_server_info=False)
    if not conn.start_tls(read_server_info=False):
        raise DirectoryUnavailable("the directory refused StartTLS")
    return conn.bind()


def _service_connection() -> ldap3.Connection:
    cfg = config.current()
    key = cfg  # frozen: any settings change (tests, TLS, password rotation) makes a new connection
    conn = getattr(_local, "conn", None)
    if conn is not None and getattr(_local, "key", None) == key and not conn.closed:
        _local.reused = True
        return conn
    drop()
    _local.reused = False
    conn = open_connection(cfg, cfg.bind_dn, cfg.bind_password)
    _local.conn, _local.key = conn, key
    return conn


def last_connection_was_reused() -> bool:
    """Did the last service() call get a connection opened earlier (which may have gone stale)?"""
    return bool(getattr(_local, "reused", False))


def drop() -> None:
    """Forget this thread's connection (after a failure, or when settings change in tests)."""
    conn = getattr(_local, "conn", None)
    _local.conn = None
    if conn is not None:
        with contextlib.suppress(Exception):
            conn.unbind()


@contextlib.contextmanager
def service() -> Iterator[ldap3.Connection]:
    """The thread's service connection; a communication failure drops it and becomes
    DirectoryUnavailable, so the next call reconnects."""
    conn = _service_connection()
    try:
        yield conn
    except lx.LDAPCommunicationError as exc:  # includes socket receive timeouts
        # a kept connection whose provider fell silent (paused, cut off): tried last from now on, so
        # the retry on a new connection (search) and the next call go to the next provider at once
        # instead of waiting out a second timeout on the same one (C-03)
        if getattr(conn, "idm_url", None):
            setup.mark_down(conn.idm_url)
        drop()
        raise DirectoryUnavailable(f"the directory did not answer: {exc.__class__.__name__}") from None
    except lx.LDAPException as exc:
        drop()
        raise DirectoryUnavailable(f"directory connection lost: {exc.__class__.__name__}") from None


def check_result(conn: ldap3.Connection, ok: bool, *, dn: str | None = None, accept: tuple[int, ...] = ()) -> int:
    """Raise our error type unless the last operation succeeded or its code is in `accept`."""
    code = int(conn.result.get("result", 0)) if conn.result else 0
    if ok or code == 0 or code in accept:
        return code
    err = error_for_result(conn.result, dn=dn)
    if err.transient:
        drop()
    raise err


def credentials_valid(bind_dn: str, password: str) -> bool:
    """Bind as `bind_dn` on a fresh connection; True if the password is right. Raises
    DirectoryUnavailable when the directory cannot answer (never reports that as 'wrong')."""
    cfg = config.current()
    try:
        conn = open_connection(cfg, bind_dn, password)
    except AccessDenied:
        return False
    with contextlib.suppress(Exception):
        conn.unbind()
    return True


def server_states(timeout: float = 2.0) -> dict[str, str]:
    """Each configured provider on its own, with short timeouts (the health page): "ok" or why not."""
    cfg = config.current()
    quick = dataclasses.replace(cfg, connect_timeout=min(cfg.connect_timeout, timeout),
                                receive_timeout=min(cfg.receive_timeout, timeout))
    states = {}
    for url in cfg.urls:
        try:
            conn = _open_one(quick, url, cfg.bind_dn, cfg.bind_password)
        except DirectoryError as exc:
            states[url] = f"error: {exc}"
            continue
        with contextlib.suppress(Exception):
            conn.unbind()
        states[url] = "ok"
    return states
