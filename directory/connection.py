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
    return _first_answering(cfg, lambda url: _open_one(cfg, url, bind_dn, password))


def _first_answering(cfg: config.DirectoryConfig, open_one) -> ldap3.Connection:
    last: DirectoryUnavailable | None = None
    for url in setup.ordered_urls(cfg):
        try:
            conn = open_one(url)
        except DirectoryUnavailable as exc:
            log.warning("directory server %s unavailable (%s); trying the next", url, exc)
            setup.mark_down(url)
            last = exc
            continue
        setup.mark_up(url)
        conn.idm_url = url  # which provider: service() and the login binds put it last when it falls silent
        return conn
    raise last if last is not None else DirectoryUnavailable("no directory URL configured")


def _open_one(cfg: config.DirectoryConfig, url: str, bind_dn: str | None, password: str | None) -> ldap3.Connection:
    with _translated():
        conn = ldap3.Connection(setup.ldap3_server(cfg, url), user=bind_dn, password=password,
                                **setup.ldap3_connection_kwargs(cfg))
        bound = _starttls_bind(conn) if cfg.tls == "starttls" else _bind(conn)
        if not bound:
            raise error_for_result(conn.result)  # busy/unavailable codes are DirectoryUnavailable: next one
        return conn


def _open_unbound(cfg: config.DirectoryConfig) -> ldap3.Connection:
    """A new connection (over StartTLS when configured) to the first provider that accepts one, on which
    nothing is bound yet."""
    def open_one(url: str) -> ldap3.Connection:
        with _translated():
            conn = ldap3.Connection(setup.ldap3_server(cfg, url), **setup.ldap3_connection_kwargs(cfg))
            conn.open(read_server_info=False)
            if cfg.tls == "starttls" and not conn.start_tls(read_server_info=False):
                raise DirectoryUnavailable("the directory refused StartTLS")
            return conn

    return _first_answering(cfg, open_one)


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except (lx.LDAPSocketOpenError, lx.LDAPServerPoolExhaustedError) as exc:
        raise DirectoryUnavailable(f"cannot connect to the directory: {exc}") from None
    except (lx.LDAPStartTLSError, ssl.SSLError) as exc:
        raise DirectoryUnavailable(f"TLS with the directory failed: {exc}") from None
    except lx.LDAPCommunicationError as exc:
        raise DirectoryUnavailable(f"the directory did not answer: {exc}") from None
    except lx.LDAPException as exc:
        raise DirectoryError(f"directory error: {exc.__class__.__name__}") from None


def _bind(conn: ldap3.Connection, dn: str | None = None, password: str | None = None) -> bool:
    """Every bind idm makes: the connection's own credentials, or (``dn``) as someone else on it."""
    if dn is None:
        return conn.bind(read_server_info=False)
    return conn.rebind(user=dn, password=password, authentication=ldap3.SIMPLE, read_server_info=False)


def _starttls_bind(conn: ldap3.Connection) -> bool:
    conn.open(read_server_info=False)
    if not conn.start_tls(read_server_info=False):
        raise DirectoryUnavailable("the directory refused StartTLS")
    return _bind(conn)


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
    """Forget this thread's connections (after a failure, or when settings change in tests)."""
    _forget("conn")
    _forget("login")


def _forget(name: str) -> None:
    conn = getattr(_local, name, None)
    setattr(_local, name, None)
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
    """Bind as `bind_dn`; True if the password is right. Raises DirectoryUnavailable when the directory
    cannot answer (never reports that as 'wrong').

    The bind is made on this thread's kept login connection, which is used for nothing but these binds (it
    stays bound as the last person checked, or anonymous after a refusal, and never searches or writes): a
    login pays slapd's one Argon2 check and one round trip, not a TCP connection (and a TLS handshake) as
    well. A kept connection that broke meanwhile (slapd restarted, an idle timeout) is replaced and the bind
    made once more on a new one: a bind changes nothing a second try could double. With several providers
    the new one is made to the first that answers (a silent one is tried last for a while)."""
    if not password:
        return False  # AU-03 / LD-12: an empty password would be an unauthenticated bind; never send one.
    for last_try in (False, True):
        conn = _login_connection()
        try:
            ok = _bind(conn, bind_dn, password)
        except (lx.LDAPCommunicationError, lx.LDAPBindError) as exc:  # (ldap3 wraps a closed socket in the latter)
            if isinstance(exc, lx.LDAPCommunicationError) and getattr(conn, "idm_url", None):
                setup.mark_down(conn.idm_url)  # fell silent: the second try goes to the next provider (C-03)
            _forget("login")
            if last_try:
                raise DirectoryUnavailable(f"the directory did not answer: {exc.__class__.__name__}") from None
            continue
        except lx.LDAPException as exc:
            _forget("login")
            raise DirectoryError(f"directory error: {exc.__class__.__name__}") from None
        if ok:
            return True
        err = error_for_result(conn.result, dn=bind_dn)
        if isinstance(err, AccessDenied):
            return False
        _forget("login")
        raise err
    raise AssertionError("unreachable")


def _login_connection() -> ldap3.Connection:
    cfg = config.current()
    conn = getattr(_local, "login", None)
    if conn is not None and getattr(_local, "login_key", None) == cfg and not conn.closed:
        return conn
    _forget("login")
    conn = _open_unbound(cfg)
    _local.login, _local.login_key = conn, cfg
    return conn


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
