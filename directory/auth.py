"""The login's two directory steps, and the settings django-auth-ldap keeps for the rest.

A login is one search and one bind (accounts.backends.DirectoryBackend):

- ``login_entry``: the search, on the gateway's service connection, which each web worker binds once
  and keeps (directory.connection). It is one level under ou=people and only matches active civil
  servants (AU-07): service accounts, the rootdn, entries in other branches and suspended or departed
  people cannot log in. It also reads what the Django user copies and ppolicy's ``pwdReset``.
- ``login_bind``: the person's own bind, on a new connection: the one Argon2 verification of a login.

django-auth-ldap's own login (``LDAPBackend.authenticate``) opened a new connection per login and bound
it as the service account before searching: a second Argon2 verification (the service account's
``userPassword`` is argon2id too, PW-13), half of a login's cost; and idm then read ``pwdReset`` in a
third round trip. Its settings (connection part from setup.py, like the gateway's and the bulk path's)
still serve ``LDAPBackend.get_user`` and keep the three clients' options in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import ldap
from django_auth_ldap.config import LDAPSearch

from . import config, setup
from . import escaping as esc
from .connection import credentials_valid
from .errors import DirectoryError, DirectoryUnavailable, InvalidValue
from .gateway.base import as_list, search

LOGIN_FILTER = "(&(objectClass=inetOrgPerson)(objectClass=vnCivilServant)(vnAccountStatus=active)(uid=%(user)s))"


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


# what the Django user copies from the entry (django-auth-ldap's USER_ATTR_MAP above, the same fields)
USER_FIELDS = {"first_name": "givenName", "last_name": "sn", "email": "mail", "display_name": "displayName"}


@dataclass(frozen=True)
class LoginEntry:
    dn: str
    uid: str
    fields: dict[str, str]  # Django user field -> value (first value, "" when absent)
    must_change: bool  # an administrator set the password and asked for a change (ppolicy pwdReset)


def login_entry(uid: str) -> LoginEntry | None:
    """The active civil servant ``uid`` names (AU-07), or None. One search on the service connection
    (no bind of its own); raises DirectoryUnavailable when the directory cannot answer."""
    try:
        esc.check_uid(uid)
    except InvalidValue:
        return None  # no uid has that shape: nobody to find
    filt = esc.all_of("(objectClass=inetOrgPerson)", "(objectClass=vnCivilServant)", "(vnAccountStatus=active)",
                      esc.eq("uid", uid))
    found = search(config.current().people_dn, filt, ["uid", *USER_FIELDS.values(), "pwdReset"], scope="LEVEL")
    if len(found) != 1:
        return None
    dn, attrs = found[0]
    lower = {k.lower(): v for k, v in attrs.items()}
    fields = {f: next(iter(as_list(lower.get(a.lower()))), "") for f, a in USER_FIELDS.items()}
    reset = [v.upper() for v in as_list(lower.get("pwdreset"))]
    return LoginEntry(dn=dn, uid=uid, fields=fields, must_change=reset == ["TRUE"])


def login_bind(dn: str, password: str) -> bool:
    """The person's bind with ``password`` (already normalised): True when it is theirs. A refusal is
    False; anything else the directory answers fails closed as DirectoryUnavailable (AU-06), never as
    a wrong password."""
    if not password:
        return False  # AU-03: never an unauthenticated bind
    try:
        return credentials_valid(dn, password)
    except DirectoryUnavailable:
        raise
    except DirectoryError as exc:  # (a refusal, AccessDenied, is already False)
        raise DirectoryUnavailable(f"the directory could not check the password: {exc}") from None
