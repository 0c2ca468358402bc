"""Directory settings, read from Django settings at call time (never at import time).

This is the one description of how idm reaches the directory: the server URLs, TLS, timeouts,
the service account and where each kind of entry lives. `directory/setup.py` turns it into what
each client library needs (ldap3, python-ldap, django-auth-ldap); nothing else builds a
connection or a branch DN.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

TLS_MODES = ("none", "starttls", "ldaps")

# The branches under the base DN, by the kind of entry they hold (scripts/dev/slapd.py creates them).
BRANCHES = {
    "people": "ou=people",
    "mailboxes": "ou=mailboxes",  # functional mailboxes (vanthu@...): served by the mail server, no login
    "units": "ou=units",
    "groups": "ou=groups",  # groups, distribution lists, delegates of functional mailboxes
    "services": "ou=services",  # service accounts (idm, mail): configured, never written by idm
    # other government systems' bind accounts, which idm creates, rotates and removes
    "applications": "ou=applications,ou=services",
}
# The branches whose entries idm writes (and which the test-suite empties between tests).
DATA_BRANCHES = ("people", "mailboxes", "units", "groups", "applications")


@dataclass(frozen=True)
class DirectoryConfig:
    urls: tuple[str, ...]  # tried in order: the first that answers is used
    base_dn: str
    bind_dn: str
    bind_password: str
    tls: str
    ca_file: str
    connect_timeout: float
    receive_timeout: float

    @property
    def url(self) -> str:
        return self.urls[0] if self.urls else ""

    @property
    def uses_tls(self) -> bool:
        return self.tls in ("starttls", "ldaps")

    @staticmethod
    def host_port(url: str) -> tuple[str, int]:
        parts = urlsplit(url)
        return parts.hostname or "", parts.port or (636 if parts.scheme == "ldaps" else 389)

    def branch_dn(self, kind: str) -> str:
        return f"{BRANCHES[kind]},{self.base_dn}"

    @property
    def people_dn(self) -> str:
        return self.branch_dn("people")

    @property
    def mailboxes_dn(self) -> str:
        return self.branch_dn("mailboxes")

    @property
    def units_dn(self) -> str:
        return self.branch_dn("units")

    @property
    def groups_dn(self) -> str:
        return self.branch_dn("groups")

    @property
    def services_dn(self) -> str:
        return self.branch_dn("services")

    @property
    def applications_dn(self) -> str:
        return self.branch_dn("applications")

    def __repr__(self) -> str:  # LD-08: never show the bind password
        return (f"DirectoryConfig(urls={self.urls!r}, base_dn={self.base_dn!r}, bind_dn={self.bind_dn!r}, "
                f"tls={self.tls!r})")


def parse_urls(value: str) -> tuple[str, ...]:
    """IDM_LDAP_URLS (or IDM_LDAP_URL) holds one URL or several separated by commas or spaces: the
    providers (writable servers of a multi-provider set), in the preferred order. Never a
    read-only consumer: idm reads its own writes back, so it reads where it writes."""
    return tuple(u for u in value.replace(",", " ").split() if u)


def current() -> DirectoryConfig:
    return DirectoryConfig(
        urls=parse_urls(getattr(settings, "IDM_LDAP_URLS", "") or settings.IDM_LDAP_URL),
        base_dn=settings.IDM_LDAP_BASE_DN,
        bind_dn=settings.IDM_LDAP_BIND_DN,
        bind_password=settings.IDM_LDAP_BIND_PASSWORD,
        tls=settings.IDM_LDAP_TLS,
        ca_file=settings.IDM_LDAP_CA_FILE,
        connect_timeout=float(settings.IDM_LDAP_CONNECT_TIMEOUT),
        receive_timeout=float(settings.IDM_LDAP_RECEIVE_TIMEOUT),
    )
