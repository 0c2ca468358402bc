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
from typing import Any

import ldap
import ldap3

from .config import DirectoryConfig
from .errors import AccessDenied, error_for_python_ldap

# ---------------------------------------------------------------- ldap3


def ldap3_tls(cfg: DirectoryConfig) -> ldap3.Tls | None:
    if not cfg.uses_tls:
        return None
    return ldap3.Tls(validate=ssl.CERT_REQUIRED, version=ssl.PROTOCOL_TLS_CLIENT, ca_certs_file=cfg.ca_file or None)


def ldap3_server(cfg: DirectoryConfig) -> ldap3.Server | ldap3.ServerPool:
    """One server, or a pool tried in the configured order (each once per connection attempt,
    so a directory that is down everywhere still fails within the connect timeouts)."""
    tls = ldap3_tls(cfg)
    servers = []
    for url in cfg.urls:
        host, port = cfg.host_port(url)
        servers.append(ldap3.Server(host, port=port, use_ssl=cfg.tls == "ldaps", tls=tls, get_info=ldap3.NONE,
                                    connect_timeout=cfg.connect_timeout))
    if len(servers) == 1:
        return servers[0]
    return ldap3.ServerPool(servers, ldap3.FIRST, active=1, exhaust=False)


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
    return " ".join(cfg.urls)  # libldap tries a space-separated list in order


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
    """A bound python-ldap connection. Raises our error types only."""
    if not password:
        raise AccessDenied("empty password refused before bind")  # LD-12: never an unauthenticated bind
    try:
        conn = ldap.initialize(python_ldap_uri(cfg), bytes_mode=False)
        for option, value in python_ldap_options(cfg).items():
            conn.set_option(option, value)
        if cfg.tls == "starttls":
            conn.start_tls_s()
        conn.simple_bind_s(bind_dn, password)
        return conn
    except ldap.LDAPError as exc:
        raise error_for_python_ldap(exc) from None


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
