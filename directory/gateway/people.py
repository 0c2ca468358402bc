"""People under the people branch: one entry per civil servant, with their mailbox attributes."""

from __future__ import annotations

import ldap3

from directory import config
from directory import escaping as esc
from directory.connection import check_result, credentials_valid, service
from directory.entries import MAIL_CLASS, PERSON_ATTRS, PersonEntry
from directory.errors import InvalidValue
from directory.passwords import normalise

from .base import as_list, certificates_get, certificates_put, delete_entry, ensure_entry, read, search


def person_dn(uid: str) -> str:
    return esc.dn("uid", esc.check_uid(uid), config.current().people_dn)


def person_put(entry: PersonEntry) -> str:
    esc.check_uid(entry.uid)
    if not entry.family_name.strip():
        raise InvalidValue("family name must not be empty")
    return ensure_entry(person_dn(entry.uid), entry.object_classes(), entry.to_attrs(), PERSON_ATTRS,
                        optional_classes=(MAIL_CLASS,))


def person_get(uid: str) -> PersonEntry | None:
    attrs = read(person_dn(uid), PERSON_ATTRS)
    return PersonEntry.from_attrs(attrs) if attrs is not None else None


def person_delete(uid: str) -> bool:
    return delete_entry(person_dn(uid))


def person_set_password_hash(uid: str, hashed: str | list[str]) -> None:
    """Replace userPassword with already-hashed values ({ARGON2}$argon2id$...). Writing the
    password also ends a forced change (pwdReset) that an administrator asked for."""
    values = [hashed] if isinstance(hashed, str) else list(hashed)
    if not values or not all(v.startswith("{") for v in values):
        raise InvalidValue("only hashed passwords with a {SCHEME} prefix are written")
    dn = person_dn(uid)
    # slapd's ppolicy takes one password value per modify operation, so the first value replaces
    # whatever was there (the old password stops working at once) and each further one is added by
    # its own operation. If an add fails, the main value is in place and the write can be repeated.
    with service() as conn:
        for i, value in enumerate(values):
            ok = conn.modify(dn, {"userPassword": [(ldap3.MODIFY_REPLACE if i == 0 else ldap3.MODIFY_ADD, [value])]})
            check_result(conn, ok, dn=dn)


def person_verify_password(uid: str, password: str) -> bool:
    """Bind as the person with ``password`` (normalised): True when it is theirs. This is how a
    password change proves the current password, as the person, in slapd's own log (PW-12).
    Raises DirectoryUnavailable when the directory cannot answer."""
    return credentials_valid(person_dn(uid), normalise(password))


def person_must_change_password(uid: str) -> bool:
    """True when an administrator set this person's password and asked for a change at next login
    (ppolicy's pwdReset, set with ldapmodify next to the new userPassword)."""
    attrs = read(person_dn(uid), ["pwdReset"])
    return bool(attrs) and [str(v).upper() for v in as_list(attrs.get("pwdReset"))] == ["TRUE"]


def people_find(*, uid: str | None = None, mail: str | None = None, name_contains: str | None = None,
                unit_code: str | None = None) -> list[PersonEntry]:
    """Search people; every value is escaped, so `*` or `)(` match only themselves."""
    parts = ["(objectClass=vnCivilServant)"]
    if uid is not None:
        parts.append(esc.eq("uid", uid))
    if mail is not None:
        parts.append(esc.any_of(esc.eq("mail", mail), esc.eq("mailAlias", mail)))
    if name_contains is not None:
        parts.append(f"(cn=*{esc.filter_value(name_contains)}*)")
    if unit_code is not None:
        parts.append(esc.eq("vnOrgUnitCode", unit_code))
    found = search(config.current().people_dn, esc.all_of(*parts), PERSON_ATTRS)
    return sorted((PersonEntry.from_attrs(a) for _, a in found), key=lambda p: p.uid)


def people_uids() -> set[str]:
    return {PersonEntry.from_attrs(a).uid for _, a in search(config.current().people_dn,
                                                                "(objectClass=vnCivilServant)", ["uid"])}


def uid_for_login(login: str) -> str | None:
    """The uid of the person who may log in as `login` (a uid or an official address)."""
    login = login.strip().lower()
    if "@" in login:
        found = people_find(mail=login)
    else:
        try:
            esc.check_uid(login)
        except InvalidValue:
            return None
        found = people_find(uid=login)
    return found[0].uid if len(found) == 1 else None


def person_set_certificates(uid: str, ders: list[bytes]) -> str:
    """Publish exactly these certificates (DER) on the person (userCertificate;binary); [] removes them."""
    return certificates_put(person_dn(uid), ders)


def person_certificates(uid: str) -> list[bytes]:
    return certificates_get(person_dn(uid))
