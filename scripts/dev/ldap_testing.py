"""Helpers for the test-suite and benchmarks against the private slapd: wiping data between tests,
reading as the rootdn, and binding, searching or writing as a given DN to prove the ACLs. They
speak LDAP through directory.admin (only directory/ imports ldap3)."""

from __future__ import annotations

import subprocess

from directory import admin
from directory.config import BRANCHES, DATA_BRANCHES
from scripts.dev.slapd import SlapdConfig


def wipe(c: SlapdConfig) -> None:
    """Delete everything below the branches idm writes (people, functional mailboxes, units,
    groups; the containers themselves stay)."""
    admin.empty_branches(c.url, c.root_dn, c.root_password, [f"{BRANCHES[k]},{c.base_dn}" for k in DATA_BRANCHES])


def dump(c: SlapdConfig, base: str, attributes=("*",)) -> dict[str, dict]:
    """Every entry under `base` as {dn: {attr: sorted values}}, read as the rootdn."""
    return admin.dump(c.url, c.root_dn, c.root_password, base, attributes)


def search_as(c: SlapdConfig, who: str | None, password: str | None, base: str, filt: str = "(objectClass=*)",
              attributes=("*",)) -> tuple[bool, list[tuple[str, dict]]]:
    """Bind as `who` (None: anonymous) and search; returns (bound, entries)."""
    return admin.search_as(c.url, who, password, base, filt, attributes)


def bind_result(c: SlapdConfig, who: str, password: str) -> int:
    """The LDAP result code of a simple bind (0 success, 49 invalid credentials, 53 unwilling...)."""
    return admin.bind_result(c.url, who, password)


def modify_as(c: SlapdConfig, who: str, password: str, dn: str, attr: str, values: list[str]) -> int:
    """Replace one attribute as `who`; returns the LDAP result code."""
    return admin.modify_as(c.url, who, password, dn, attr, values)


def password_modify_as(c: SlapdConfig, who: str, password: str, target: str, old: str | None, new: str) -> int:
    """RFC 3062 Password Modify as `who`; returns the result code."""
    return admin.password_modify_as(c.url, who, password, target, old, new)


def set_config(c: SlapdConfig, dn: str, attr: str, values: list[str]) -> None:
    """Change cn=config as its administrator (an empty `values` deletes the attribute)."""
    code = admin.modify_as(c.url, c.config_dn, c.root_password, dn, attr, values)
    if code != 0:
        raise RuntimeError(f"config change failed: result {code}")


def cli_bind_result(c: SlapdConfig, who: str, password: str) -> int:
    """Bind with OpenLDAP's own ldapwhoami, which (unlike ldap3) will send an empty password,
    i.e. an RFC 4513 unauthenticated bind. Its exit status is the LDAP result code."""
    p = subprocess.run(["ldapwhoami", "-x", "-H", c.url, "-D", who, "-w", password],
                       capture_output=True, text=True, timeout=15)
    return p.returncode


def add_as_root(c: SlapdConfig, dn: str, object_classes: list[str], attrs: dict) -> None:
    admin.add_as(c.url, c.root_dn, c.root_password, dn, object_classes, attrs)
