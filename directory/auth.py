"""Settings for django-auth-ldap, built from the directory configuration at call time (the
connection part comes from setup.py, like the gateway's and the bulk path's).

django-auth-ldap (python-ldap underneath) does the login bind. The user search is one level
under ou=people and only matches active civil servants (AU-07): service accounts, the rootdn,
entries in other branches and suspended or departed people cannot log in.
"""

from __future__ import annotations

import ldap
from django_auth_ldap.config import LDAPSearch

from . import config, setup

LOGIN_FILTER = "(&(objectClass=inetOrgPerson)(objectClass=vnCivilServant)(vnAccountStatus=active)(uid=%(user)s))"

def directory_urls() -> tuple[str, ...]:
    return config.current().urls


def mark_down(url: str) -> None:
    """A login found this provider silent: every client in this process tries it last for a while."""
    setup.mark_down(url)


def django_auth_ldap_settings() -> dict:
    cfg = config.current()
    return {
        **setup.django_auth_ldap_connection(cfg),
        "USER_SEARCH": LDAPSearch(cfg.people_dn, ldap.SCOPE_ONELEVEL, LOGIN_FILTER),
        "USER_ATTR_MAP": {"first_name": "givenName", "last_name": "sn", "email": "mail",
                          "display_name": "displayName"},
        "ALWAYS_UPDATE_USER": True,
        "CACHE_TIMEOUT": 0,  # AC-04: no stale DN or group cache
        "PERMIT_EMPTY_PASSWORD": False,  # AU-03
    }
