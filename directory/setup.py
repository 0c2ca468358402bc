"""The one connection set-up: URLs, TLS, timeouts and the service account, turned into what each
client library wants. ldap3 (the gateway), python-ldap (the pipelined bulk path) and
django-auth-ldap (the login bind, python-ldap underneath) all take their options from here, so
the three can never disagree about certificate checks or timeouts.

LD-05: with TLS the server certificate is always verified (against IDM_LDAP_CA_FILE, or the
system store); a failure is an error, never a fall-back to plain text.
LD-06: every connection has a connect and a receive timeout.
"""

from __future__ import annotations

import math
import ssl
import threading
import time
from typing import Any

import ldap
import ldap3

from .config import DirectoryConfig
from .errors import AccessDenied, error_for_python_ldap

# ---------------------------------------------------------------- failover

# A provider that failed (refused, timed out, or accepted the TCP connection and then said nothing:
# a paused slapd) is tried last for DOWN_FOR seconds, by every client in this process, so that each
# new connection does not first wait a receive timeout on it. Then it is tried first again: the
# configured order is the preferred one (all writes on one provider while it is up).
DOWN_FOR = 30.0
_down: dict[str, float] = {}
_down_lock = threading.Lock()


def ordered_urls(cfg: DirectoryConfig) -> list[str]:
    """The configured URLs, those that failed within DOWN_FOR seconds moved to the end."""
    now = time.monotonic()
    with _down_lock:
        late = {u: t for u, t in _down.items() if t > now}
    return [u for u in cfg.urls if u not in late] + sorted((u for u in cfg.urls if u in late), key=late.get)


def mark_down(url: str) -> None:
    with _down_lock:
        _down[url] = time.monotonic() + DOWN_FOR


def mark_up(url: str) -> None:
    with _down_lock:
        _down.pop(url, None)


def forget_failures() -> None:
    """Tests: every provider preferred in configured order again."""
    with _down_lock:
        _down.clear()


# ---------------------------------------------------------------- ldap3


def ldap3_tls(cfg: DirectoryConfig) -> ldap3.Tls | None:
    if not cfg.uses_tls:
        return None
    return ldap3.Tls(validate=ssl.CERT_REQUIRED, version=ssl.PROTOCOL_TLS_CLIENT, ca_certs_file=cfg.ca_file or None)


def ldap3_server(cfg: DirectoryConfig, url: str) -> ldap3.Server:
    """One of the configured servers. connection.open_connection tries them in ordered_urls()
    order itself rather than through an ldap3 ServerPool: a pool only moves on when the TCP
    connection fails, and a paused slapd accepts it (the kernel does) and then never answers
    the bind (C-03)."""
    host, port = cfg.host_port(url)
    return ldap3.Server(host, port=port, use_ssl=cfg.tls == "ldaps", tls=ldap3_tls(cfg), get_info=ldap3.NONE,
                        connect_timeout=cfg.connect_timeout)


def ldap3_connection_kwargs(cfg: DirectoryConfig) -> dict[str, Any]:
    return {
        "client_strategy": ldap3.SYNC,  # LD-09: one connection per thread; retrying is the caller's decision
        "receive_timeout": max(1, math.ceil(cfg.receive_timeout)),  # ldap3 packs it as an integer
        "raise_exceptions": False,
        "read_only": False,
        "auto_referrals": False,
        "return_empty_attributes": False,
    }


# ---------------------------------------------------------------- python-ldap


def python_ldap_uri(cfg: DirectoryConfig) -> str:
    """libldap tries a space-separated list in order (when the TCP connection fails); a provider
    that recently failed in this process is put last (ordered_urls)."""
    return " ".join(ordered_urls(cfg))


def python_ldap_options(cfg: DirectoryConfig) -> dict[int, Any]:
    """Per-connection options, in the order they must be set (OPT_X_TLS_NEWCTX last: it builds the
    TLS context from the options before it)."""
    options: dict[int, Any] = {
        ldap.OPT_PROTOCOL_VERSION: ldap.VERSION3,
        ldap.OPT_REFERRALS: 0,
        ldap.OPT_NETWORK_TIMEOUT: cfg.connect_timeout,
        ldap.OPT_TIMEOUT: cfg.receive_timeout,
    }
    if cfg.uses_tls:
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND
        if cfg.ca_file:
            options[ldap.OPT_X_TLS_CACERTFILE] = cfg.ca_file
        options[ldap.OPT_X_TLS_NEWCTX] = 0
    return options


def python_ldap_open(cfg: DirectoryConfig, bind_dn: str, password: str):
    """A bound python-ldap connection to the first provider that answers the bind. Raises our
    error types only."""
    if not password:
        raise AccessDenied("empty password refused before bind")  # LD-12: never an unauthenticated bind
    last: Exception | None = None
    for url in ordered_urls(cfg):
        try:
            conn = ldap.initialize(url, bytes_mode=False)
            for option, value in python_ldap_options(cfg).items():
                conn.set_option(option, value)
            if cfg.tls == "starttls":
                conn.start_tls_s()
            conn.simple_bind_s(bind_dn, password)
            mark_up(url)
            return conn
        except ldap.LDAPError as exc:
            err = error_for_python_ldap(exc)
            if not err.transient:
                raise err from None
            mark_down(url)
            last = err
    raise last if last is not None else AccessDenied("no directory URL configured")


# ---------------------------------------------------------------- django-auth-ldap


def django_auth_ldap_connection(cfg: DirectoryConfig) -> dict[str, Any]:
    """The connection part of django-auth-ldap's settings (SERVER_URI, START_TLS, CONNECTION_OPTIONS,
    BIND_DN, BIND_PASSWORD). AUTH_LDAP_GLOBAL_OPTIONS stays unset on purpose: django-auth-ldap
    applies it process-wide, once, from Django settings, so it could neither follow a settings
    change nor differ from the other two clients; every option here is per connection instead."""
    return {
        "SERVER_URI": python_ldap_uri(cfg),
        "START_TLS": cfg.tls == "starttls",
        "CONNECTION_OPTIONS": python_ldap_options(cfg),
        "BIND_DN": cfg.bind_dn,
        "BIND_PASSWORD": cfg.bind_password,
    }
