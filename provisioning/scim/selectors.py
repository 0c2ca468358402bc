"""Whom and what a SCIM client sees: the token owner's scope as an HR officer, as on the people pages
(people who left are no longer SCIM resources; units closed by a reorganisation are no longer groups)."""

from __future__ import annotations

from django.db.models import QuerySet
from scim2_models import NotFoundException

from provisioning.people.models import Person, PersonStatus
from provisioning.people.selectors import people_for_hr
from provisioning.scim.mapping import people_for_scim, units_for_scim
from provisioning.units.models import Unit
from provisioning.units.selectors import units_for_hr


def scim_people(user) -> QuerySet:
    return people_for_scim(people_for_hr(user).exclude(status=PersonStatus.LEFT)).order_by("pk")


def scim_person(user, pk: str) -> Person:
    """The person behind /Users/{id}, or a SCIM 404 (also outside the caller's units: no hint it exists)."""
    person = scim_people(user).filter(pk=int(pk)).first() if pk.isdigit() and len(pk) < 19 else None
    if person is None:
        raise NotFoundException(detail=f"User {pk} not found")
    return person


def scim_units(user) -> QuerySet:
    return units_for_scim(units_for_hr(user).filter(closed_on__isnull=True)).order_by("path")


def scim_unit(user, code: str) -> Unit:
    unit = scim_units(user).filter(code=code).first()
    if unit is None:
        raise NotFoundException(detail=f"Group {code} not found")
    return unit
