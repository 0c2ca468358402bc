"""A SCIM filter (RFC 7644 §3.4.2.2), parsed by scim2-models, as a Django Q over people or units: the
database does the filtering, so a filter costs what the REST API's list does, however many people there
are. An attribute or operator idm cannot filter on is an ``invalidFilter`` error, never a silent match."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from scim2_models import ScimFilter
from scim2_models.path.expressions import Comparison, LogicalExpr, Not, Present, ValuePath

from provisioning.people.models import PersonStatus
from provisioning.scim.resources import ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA


class FilterError(ValueError):
    """Not a filter idm can evaluate; the message says why (answered 400 invalidFilter)."""


# attribute path (lower case, schema URN dropped) -> model field; strings compare case-insensitively
USER_FIELDS = {
    "id": "pk", "username": "uid", "externalid": "scim_link__external_id",
    "emails": "personal_email", "emails.value": "personal_email",
    "phonenumbers": "phone", "phonenumbers.value": "phone",
    "name.familyname": "family_name", "name.givenname": "given_name", "name.middlename": "middle_name",
    "title": "position", "employeenumber": "employee_code", "department": "unit__code",
    "usertype": "category", "entitlements": "mail", "entitlements.value": "mail",
    "active": None,  # active: see _active
    "meta.lastmodified": "updated_at", "meta.created": "created_at",
}
GROUP_FIELDS = {"id": "code", "displayname": "name", "members": "people__pk", "members.value": "people__pk",
                "meta.lastmodified": "updated_at", "meta.created": "created_at"}
SCHEMAS = {USER_SCHEMA.lower(), ENTERPRISE_SCHEMA.lower(), GROUP_SCHEMA.lower()}
TEXT_LOOKUPS = {"eq": "iexact", "co": "icontains", "sw": "istartswith", "ew": "iendswith"}
ORDER_LOOKUPS = {"gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
DATE_FIELDS = {"updated_at", "created_at"}
EXACT_FIELDS = {"pk", "people__pk", "code", "category"}


def _name(attr_path, prefix: str = "") -> str:
    uri = (attr_path.uri or "").lower()
    if uri and uri not in SCHEMAS:
        raise FilterError(f"unknown schema {attr_path.uri}")
    name = f"{prefix}{attr_path.attr}".lower()
    return f"{name}.{attr_path.sub_attr.lower()}" if attr_path.sub_attr else name


def _value(field: str, op: str, value):
    if field in DATE_FIELDS:
        try:
            return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError as exc:
            raise FilterError(f"{value!r} is not a dateTime") from exc
    if field in ("pk", "people__pk"):
        try:
            number = int(value)
        except (TypeError, ValueError):
            return None  # an id that cannot exist: matches nothing
        return number if 0 < number < 2**63 else None  # beyond the column's range (SQLite would refuse it)
    if not isinstance(value, str):
        raise FilterError(f"{field} compares with a string")
    return value


def _active(op: str, value) -> Q:
    if op not in ("eq", "ne") or not isinstance(value, bool):
        raise FilterError("active compares with eq or ne and true or false")
    q = ~Q(status=PersonStatus.SUSPENDED)
    return q if (value if op == "eq" else not value) else ~q


def _comparison(fields: dict, name: str, op: str, value) -> Q:
    if name not in fields:
        raise FilterError(f"cannot filter on {name}")
    field = fields[name]
    if field is None:
        return _active(op, value)
    if value is None:
        return Q(**{f"{field}__isnull": True}) | Q(**{field: ""}) if op == "eq" else \
            ~(Q(**{f"{field}__isnull": True}) | Q(**{field: ""}))
    value = _value(field, op, value)
    if value is None:
        return Q(pk__in=[]) if op != "ne" else ~Q(pk__in=[])
    if op in ORDER_LOOKUPS:
        if field not in DATE_FIELDS:
            raise FilterError(f"{op} compares dates only")
        return Q(**{f"{field}__{ORDER_LOOKUPS[op]}": value})
    if field in DATE_FIELDS:
        if op not in ("eq", "ne"):
            raise FilterError(f"{op} does not apply to a date")
        q = Q(**{field: value})
    elif op == "ne":
        q = ~Q(**{f"{field}__{'exact' if field in EXACT_FIELDS else 'iexact'}": value})
        return q
    elif field in EXACT_FIELDS and op == "eq":
        q = Q(**{field: value})
    else:
        q = Q(**{f"{field}__{TEXT_LOOKUPS[op]}": value})
    return q


def _present(fields: dict, name: str) -> Q:
    if name not in fields:
        raise FilterError(f"cannot filter on {name}")
    field = fields[name]
    if field is None:
        return Q()
    if field in DATE_FIELDS or field in ("pk", "people__pk"):
        return Q(**{f"{field}__isnull": False})
    return Q(**{f"{field}__isnull": False}) & ~Q(**{field: ""})


def _q(node, fields: dict, prefix: str = "") -> Q:
    if isinstance(node, LogicalExpr):
        parts = [_q(t, fields, prefix) for t in node.terms]
        out = parts[0]
        for p in parts[1:]:
            out = (out & p) if node.op == "and" else (out | p)
        return out
    if isinstance(node, Not):
        return ~_q(node.expr, fields, prefix)
    if isinstance(node, Present):
        return _present(fields, _name(node.attr_path, prefix))
    if isinstance(node, Comparison):
        return _comparison(fields, _name(node.attr_path, prefix), str(node.op), node.value)
    if isinstance(node, ValuePath):  # emails[value co "x"]: the sub-filter on that attribute's values
        if node.sub_attr:
            raise FilterError("a sub-attribute after a value filter is not supported")
        return _q(node.val_filter, fields, _name(node.attr_path) + ".")
    raise FilterError("unsupported filter")


def _parse(text: str):
    try:
        return ScimFilter(text).ast
    except Exception as exc:  # the parser's own error types: a bad filter either way
        raise FilterError(str(exc).splitlines()[0][:200] or "invalid filter") from exc


def user_filter(text: str) -> Q:
    """userName, externalId, emails, phoneNumbers, name parts, title, active, userType, entitlements (the
    official mailbox), employeeNumber, department, id, meta.created/lastModified; eq ne co sw ew pr (gt ge
    lt le on dates), and, or, not, value filters."""
    return _q(_parse(text), USER_FIELDS)


def group_filter(text: str) -> Q:
    return _q(_parse(text), GROUP_FIELDS)
