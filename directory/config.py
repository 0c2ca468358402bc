"""Directory settings, read from Django settings at call time (never at import time)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

TLS_MODES = ("none", "starttls", "ldaps")


@dataclass(frozen=True)
class DirectoryConfig:
    url: str
    base_dn: str
    bind_dn: str
    bind_password: str
    tls: str
    ca_file: str
    connect_timeout: float
    receive_timeout: float

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (636 if parts.scheme == "ldaps" else 389)

    @property
    def people_dn(self) -> str:
        return f"ou=people,{self.base_dn}"

    @property
    def units_dn(self) -> str:
        return f"ou=units,{self.base_dn}"

    @property
    def groups_dn(self) -> str:
        return f"ou=groups,{self.base_dn}"

    def __repr__(self) -> str:  # LD-08: never show the bind password
        return (f"DirectoryConfig(url={self.url!r}, base_dn={self.base_dn!r}, bind_dn={self.bind_dn!r}, "
                f"tls={self.tls!r})")


def current() -> DirectoryConfig:
    return DirectoryConfig(
        url=settings.IDM_LDAP_URL,
        base_dn=settings.IDM_LDAP_BASE_DN,
        bind_dn=settings.IDM_LDAP_BIND_DN,
        bind_password=settings.IDM_LDAP_BIND_PASSWORD,
        tls=settings.IDM_LDAP_TLS,
        ca_file=settings.IDM_LDAP_CA_FILE,
        connect_timeout=float(settings.IDM_LDAP_CONNECT_TIMEOUT),
        receive_timeout=float(settings.IDM_LDAP_RECEIVE_TIMEOUT),
    )
