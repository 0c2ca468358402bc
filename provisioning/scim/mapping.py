"""A person as a SCIM User, a unit as a SCIM Group, and the version (ETag) of each."""

from __future__ import annotations

import hashlib
import json

from django.db.models import Prefetch, QuerySet
from scim2_models import Context, Meta

from accounts.models import Role, RoleAssignment
from provisioning.people.models import Person, PersonStatus
from provisioning.scim.resources import (
    EnterpriseUser,
    Entitlement,
    Group,
    GroupRef,
    Manager,
    Member,
    Name,
    PersonalEmail,
    PhoneNumber,
    UserResource,
)
from provisioning.units.models import Unit


def _version(resource) -> str:
    """A weak ETag over everything the representation says (so a change of unit head or of the unit's
    name changes it too), without meta itself."""
    body = resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, exclude={"meta"})
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def people_for_scim(qs: QuerySet) -> QuerySet:
    return qs.select_related("unit", "scim_link")


def _heads(units: set[int]) -> dict[int, Person]:
    """The head of each unit (the first granted, if several), by unit id: one query."""
    rows = (RoleAssignment.objects.filter(role=Role.UNIT_HEAD, unit_id__in=units)
            .select_related("person").order_by("unit_id", "pk"))
    heads: dict[int, Person] = {}
    for r in rows:
        heads.setdefault(r.unit_id, r.person)
    return heads


def _tops(units: list[Unit]) -> dict[int, str]:
    """Each unit's top-level unit's name (the organisation), by unit id: one query. A path is "/1/5/23/"."""
    top_ids = {int(u.path.strip("/").split("/")[0]) for u in units if u.path.strip("/")}
    names = dict(Unit.objects.filter(pk__in=top_ids).values_list("pk", "name"))
    return {u.pk: names.get(int(u.path.strip("/").split("/")[0]), "") if u.path.strip("/") else "" for u in units}


def users(people: list[Person], base: str) -> list:
    """Each person as a SCIM User (a few queries for the whole page, not per person)."""
    units = {p.unit_id: p.unit for p in people}
    heads = _heads(set(units))
    tops = _tops(list(units.values()))
    return [_user(p, base, heads.get(p.unit_id), tops.get(p.unit_id, "")) for p in people]


def user(person: Person, base: str):
    return users([person], base)[0]


def _user(p: Person, base: str, head: Person | None, organization: str):
    link = getattr(p, "scim_link", None) if hasattr(p, "scim_link") else None
    u = UserResource(
        id=str(p.pk),
        external_id=link.external_id if link else None,
        user_name=p.uid,
        name=Name(formatted=p.full_name, family_name=p.family_name, middle_name=p.middle_name or None,
                  given_name=p.given_name),
        display_name=p.full_name,
        title=p.position or None,
        user_type=p.category,
        entitlements=[Entitlement(value=p.mail, type="mailbox", display="official mailbox")] if p.mail else None,
        active=p.status != PersonStatus.SUSPENDED,
        emails=[PersonalEmail(value=p.personal_email)] if p.personal_email else None,
        phone_numbers=[PhoneNumber(value=p.phone)] if p.phone else None,
        groups=[GroupRef(value=p.unit.code, ref=f"{base}/Groups/{p.unit.code}", display=p.unit.name)],
    )
    u[EnterpriseUser] = EnterpriseUser(
        employee_number=p.employee_code, organization=organization or None, department=p.unit.code,
        manager=Manager(value=str(head.pk), ref=f"{base}/Users/{head.pk}", display_name=head.full_name)
        if head is not None and head.pk != p.pk else None)
    u.meta = Meta(resource_type="User", created=p.created_at, last_modified=p.updated_at,
                  location=f"{base}/Users/{p.pk}")
    u.meta.version = _version(u)
    return u


def units_for_scim(qs: QuerySet) -> QuerySet:
    members = Person.objects.exclude(status=PersonStatus.LEFT).order_by("pk").only(
        "pk", "family_name", "middle_name", "given_name", "name_order", "unit_id")
    return qs.prefetch_related(Prefetch("people", queryset=members, to_attr="scim_members"))


def group(unit: Unit, base: str, *, visible: set[int] | None = None):
    """A unit and its own people (not the units below: those are Groups of their own). `visible`, when
    given, limits the members to the people the caller may see."""
    people = [p for p in getattr(unit, "scim_members", []) if visible is None or p.pk in visible]
    g = Group(id=unit.code, display_name=unit.name,
              members=[Member(value=str(p.pk), ref=f"{base}/Users/{p.pk}", display=p.full_name, type="User")
                       for p in people] or None)
    g.meta = Meta(resource_type="Group", created=unit.created_at, last_modified=unit.updated_at,
                  location=f"{base}/Groups/{unit.code}")
    g.meta.version = _version(g)
    return g
