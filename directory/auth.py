"""Settings for django-auth-ldap, built from the directory configuration at call time.

django-auth-ldap (python-ldap underneath) does the login bind. The user search is one level
under ou=people and only matches active civil servants (AU-07): service accounts, the rootdn,
entries in other branches and suspended or departed people cannot log in.
"""

from __future__ import annotations

import ldap
from django_auth_ldap.config import LDAPSearch

from . import config

LOGIN_FILTER = "(&(objectClass=inetOrgPerson)(objectClass=vnCivilServant)(vnAccountStatus=active)(uid=%(user)s))"

# python-ldap errors that mean "the directory could not answer", not "wrong password"
UNAVAILABLE_ERRORS = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.CONNECT_ERROR, ldap.UNAVAILABLE, ldap.BUSY,
                      ldap.TIMELIMIT_EXCEEDED)


def django_auth_ldap_settings() -> dict:
    cfg = config.current()
    options: dict = {
        ldap.OPT_NETWORK_TIMEOUT: cfg.connect_timeout,
        ldap.OPT_TIMEOUT: cfg.receive_timeout,
        ldap.OPT_REFERRALS: 0,
    }
    if cfg.tls in ("starttls", "ldaps"):
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND
        if cfg.ca_file:
            options[ldap.OPT_X_TLS_CACERTFILE] = cfg.ca_file
        options[ldap.OPT_X_TLS_NEWCTX] = 0  # must come last: applies the TLS options above
    return {
        "SERVER_URI": cfg.url,
        "BIND_DN": cfg.bind_dn,
        "BIND_PASSWORD": cfg.bind_password,
        "START_TLS": cfg.tls == "starttls",
        "CONNECTION_OPTIONS": options,
        "USER_SEARCH": LDAPSearch(cfg.people_dn, ldap.SCOPE_ONELEVEL, LOGIN_FILTER),
        "USER_ATTR_MAP": {"first_name": "givenName", "last_name": "sn", "email": "mail",
                          "display_name": "displayName"},
        "ALWAYS_UPDATE_USER": True,
        "CACHE_TIMEOUT": 0,  # AC-04: no stale DN or group cache
        "PERMIT_EMPTY_PASSWORD": False,  # AU-03
    }
