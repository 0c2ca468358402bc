"""Typed entries in and out of the directory: people, units, groups.

One mapping between our fields and LDAP attributes lives here; nothing else knows attribute names.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

PERSON_CLASSES = ("top", "person", "organizationalPerson", "inetOrgPerson", "vnCivilServant")
MAIL_CLASS = "PostfixBookMailAccount"
UNIT_CLASSES = ("top", "organizationalUnit", "vnOrgUnit")
GROUP_CLASSES = ("top", "groupOfNames")

# Attributes idm owns on each kind of entry: "make it so" replaces or removes exactly these.
PERSON_ATTRS = (
    "uid", "cn", "sn", "givenName", "vnMiddleName", "displayName", "employeeNumber", "employeeType",
    "title", "departmentNumber", "vnOrgUnitCode", "vnAccountStatus", "mail", "mailEnabled", "mailAlias",
    "mailQuota", "preferredLanguage",
)
UNIT_ATTRS = ("ou", "vnOrgUnitCode", "vnUnitName", "vnUnitKind", "vnMailDomain", "description")
GROUP_ATTRS = ("cn", "description", "member", "ou")


def _one(attrs: dict, name: str, default: str = "") -> str:
    v = attrs.get(name)
    if isinstance(v, list):
        return str(v[0]) if v else default
    return default if v is None else str(v)


def _many(attrs: dict, name: str) -> list[str]:
    v = attrs.get(name) or []
    return [str(x) for x in (v if isinstance(v, list) else [v])]


@dataclass
class PersonEntry:
    uid: str
    family_name: str
    given_name: str
    middle_name: str = ""
    given_first: bool = False  # H'Linh Niê rather than Niê H'Linh
    employee_code: str = ""
    category: str = ""
    position: str = ""
    unit_code: str = ""
    status: str = "staged"
    mail: str = ""
    mail_enabled: bool = False
    mail_aliases: list[str] = field(default_factory=list)
    mail_quota_kib: int | None = None
    language: str = ""

    @property
    def full_name(self) -> str:
        parts = (self.given_name, self.middle_name, self.family_name) if self.given_first else \
            (self.family_name, self.middle_name, self.given_name)
        return " ".join(p for p in parts if p)

    def object_classes(self) -> tuple[str, ...]:
        return PERSON_CLASSES + ((MAIL_CLASS,) if self.mail else ())

    def to_attrs(self) -> dict[str, list[str]]:
        a: dict[str, list[str]] = {
            "uid": [self.uid],
            "cn": [self.full_name],
            # inetOrgPerson must have an sn: a one-word name (no family name) repeats the given name there
            "sn": [self.family_name or self.given_name],
            "givenName": [self.given_name] if self.given_name else [],
            "vnMiddleName": [self.middle_name] if self.middle_name else [],
            "displayName": [self.full_name],
            "employeeNumber": [self.employee_code] if self.employee_code else [],
            "employeeType": [self.category] if self.category else [],
            "title": [self.position] if self.position else [],
            "departmentNumber": [self.unit_code] if self.unit_code else [],
            "vnOrgUnitCode": [self.unit_code] if self.unit_code else [],
            "vnAccountStatus": [self.status],
            "mail": [self.mail] if self.mail else [],
            "mailEnabled": (["TRUE" if self.mail_enabled else "FALSE"]) if self.mail else [],
            "mailAlias": list(self.mail_aliases) if self.mail else [],
            "mailQuota": [str(self.mail_quota_kib)] if (self.mail and self.mail_quota_kib) else [],
            "preferredLanguage": [self.language] if self.language else [],
        }
        return a

    @classmethod
    def from_attrs(cls, attrs: dict) -> PersonEntry:
        quota = _one(attrs, "mailQuota")
        family, middle, given = _one(attrs, "sn"), _one(attrs, "vnMiddleName"), _one(attrs, "givenName")
        if family == given and not middle and _one(attrs, "cn") == given:
            family = ""  # a one-word name: sn only repeats the given name (to_attrs)
        given_first = cls(uid="", family_name=family, middle_name=middle, given_name=given, given_first=True)
        return cls(
            uid=_one(attrs, "uid"),
            family_name=family,
            given_name=given,
            middle_name=middle,
            # the order is not stored apart: displayName written given-first says it
            given_first=(_one(attrs, "displayName") == given_first.full_name
                         and given_first.full_name != replace(given_first, given_first=False).full_name),
            employee_code=_one(attrs, "employeeNumber"),
            category=_one(attrs, "employeeType"),
            position=_one(attrs, "title"),
            unit_code=_one(attrs, "vnOrgUnitCode"),
            status=_one(attrs, "vnAccountStatus", "staged"),
            mail=_one(attrs, "mail"),
            mail_enabled=_one(attrs, "mailEnabled").upper() == "TRUE",
            mail_aliases=sorted(_many(attrs, "mailAlias")),
            mail_quota_kib=int(quota) if quota.isdigit() else None,
            language=_one(attrs, "preferredLanguage"),
        )


@dataclass
class UnitEntry:
    code: str
    name: str
    kind: str = ""
    mail_domain: str = ""
    parent_code: str | None = None  # None: directly under ou=units

    def object_classes(self) -> tuple[str, ...]:
        return UNIT_CLASSES

    def to_attrs(self) -> dict[str, list[str]]:
        return {
            "ou": [self.code],
            "vnOrgUnitCode": [self.code],
            "vnUnitName": [self.name],
            "description": [self.name],
            "vnUnitKind": [self.kind] if self.kind else [],
            "vnMailDomain": [self.mail_domain] if self.mail_domain else [],
        }

    @classmethod
    def from_attrs(cls, attrs: dict, parent_code: str | None = None) -> UnitEntry:
        return cls(
            code=_one(attrs, "vnOrgUnitCode"),
            name=_one(attrs, "vnUnitName"),
            kind=_one(attrs, "vnUnitKind"),
            mail_domain=_one(attrs, "vnMailDomain"),
            parent_code=parent_code,
        )


@dataclass
class GroupEntry:
    name: str
    description: str = ""
    member_uids: list[str] = field(default_factory=list)
    # the unit the group belongs to (its distribution list, its functional mailbox's delegates): the
    # access rules let an application scoped to that unit's subtree read the group
    unit_code: str = ""

    def object_classes(self) -> tuple[str, ...]:
        return GROUP_CLASSES
