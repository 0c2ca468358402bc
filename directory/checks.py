"""`manage.py check` refuses a broken directory configuration before the first request."""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

from django.core.checks import Error, Tags, Warning, register

from . import config
from .escaping import dn_is_under


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(url: str, tls: str) -> list[Error]:
    errors = []
    parts = urlsplit(url)
    if parts.scheme not in ("ldap", "ldaps") or not parts.hostname:
        errors.append(Error(f"IDM_LDAP_URL must look like ldap://host:port or ldaps://host:port, not {url!r}.",
                            id="directory.E001"))
    if parts.scheme == "ldaps" and tls != "ldaps":
        errors.append(Error("IDM_LDAP_URL is ldaps:// but IDM_LDAP_TLS is not 'ldaps'.", id="directory.E003"))
    if tls == "ldaps" and parts.scheme != "ldaps":
        errors.append(Error("IDM_LDAP_TLS is 'ldaps' but IDM_LDAP_URL is not ldaps://.", id="directory.E003"))
    if tls == "none" and parts.hostname and not _is_loopback(parts.hostname):
        errors.append(Error("The directory is not on this machine but IDM_LDAP_TLS is 'none': the bind password "
                            "would cross the network in clear. Use 'starttls' or 'ldaps'.", id="directory.E005"))
    return errors


@register(Tags.security, "directory")
def check_directory_settings(app_configs=None, **kwargs):
    errors = []
    try:
        cfg = config.current()
    except (AttributeError, TypeError, ValueError) as exc:
        return [Error(f"Directory settings are incomplete: {exc}", id="directory.E000")]

    if not cfg.urls:
        errors.append(Error("IDM_LDAP_URL is empty.", id="directory.E001"))
    if cfg.tls not in config.TLS_MODES:
        errors.append(Error(f"IDM_LDAP_TLS must be one of {', '.join(config.TLS_MODES)}, not {cfg.tls!r}.",
                            id="directory.E002"))
    for url in cfg.urls:
        errors.extend(_check_url(url, cfg.tls))
    if cfg.uses_tls and cfg.ca_file and not os.path.isfile(cfg.ca_file):
        errors.append(Error(f"IDM_LDAP_CA_FILE {cfg.ca_file!r} does not exist.", id="directory.E004"))
    if not cfg.base_dn or "=" not in cfg.base_dn:
        errors.append(Error(f"IDM_LDAP_BASE_DN {cfg.base_dn!r} is not a DN.", id="directory.E006"))
    elif not dn_is_under(cfg.bind_dn, cfg.base_dn):
        errors.append(Error("IDM_LDAP_BIND_DN must be an entry under IDM_LDAP_BASE_DN (a service account).",
                            id="directory.E007"))
    elif dn_is_under(cfg.bind_dn, cfg.people_dn) or dn_is_under(cfg.bind_dn, cfg.mailboxes_dn):
        errors.append(Error("IDM_LDAP_BIND_DN must be a service account, not a person or a mailbox.",
                            id="directory.E008"))
    if not cfg.bind_password:
        errors.append(Error("IDM_LDAP_BIND_PASSWORD (or IDM_LDAP_BIND_PASSWORD_FILE) is not set.", id="directory.E009"))
    if not (0 < cfg.connect_timeout <= 5):
        errors.append(Error("IDM_LDAP_CONNECT_TIMEOUT must be above 0 and at most 5 seconds.", id="directory.E010"))
    if not (0 < cfg.receive_timeout <= 30):
        errors.append(Error("IDM_LDAP_RECEIVE_TIMEOUT must be above 0 and at most 30 seconds.", id="directory.E011"))
    if cfg.uses_tls and not cfg.ca_file:
        errors.append(Warning("IDM_LDAP_CA_FILE is not set: the system CA store is used to verify the directory.",
                              id="directory.W001"))
    return errors
