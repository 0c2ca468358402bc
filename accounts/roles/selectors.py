"""What a grantor sees: the assignments, units and people inside their reach."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Role, RoleAssignment, User
from accounts.roles.services import grantable_roles
from accounts.scopes import within
from provisioning.common import naming
from provisioning.people.models import Person, PersonStatus
from provisioning.units.models import Unit

log = logging.getLogger("idm.access")


def grantor_required(user: User) -> None:
    """The page's access helper: the superadmin and HR officers; 403 for everyone else."""
    if not grantable_roles(user):
        raise PermissionDenied  # logged by the 403 page (idm.errors)


def assignments_for(user: User, *, q: str = "", role: str = "") -> QuerySet:
    """The assignments over units inside the user's HR subtrees (all of them for the superadmin)."""
    qs = within(RoleAssignment.objects.select_related("person__unit", "unit"), user, Role.HR_ADMIN, "unit__path")
    for word in naming.fold(q).split()[:6]:
        qs = qs.filter(person__search_text__contains=word)
    if role in Role.values:
        qs = qs.filter(role=role)
    return qs.order_by("unit__path", "role", "person__family_name", "person__given_name", "pk")


def assignment_for_grantor(user: User, pk: int) -> RoleAssignment:
    """The assignment, if it lies inside the user's subtrees; 404 otherwise (no hint it exists)."""
    assignment = assignments_for(user).filter(pk=pk).first()
    if assignment is None:
        log.warning("access refused: %s asked for role assignment %s", user.get_username(), pk)
        raise Http404
    return assignment


def grantable_units(user: User) -> QuerySet:
    return within(Unit.objects.order_by("path").only("code", "name", "depth", "path"), user, Role.HR_ADMIN, "path")


def grantable_people(user: User) -> QuerySet:
    """Active people inside the user's subtrees (what the service accepts)."""
    return within(Person.objects.filter(status=PersonStatus.ACTIVE), user, Role.HR_ADMIN, "unit__path")


def person_candidates(user: User, who: str, limit: int = 50) -> list[Person]:
    """The person picker's choices: people matching `who` (no diacritics needed), by name."""
    qs = grantable_people(user).select_related("unit")
    for word in naming.fold(who).split()[:6]:
        qs = qs.filter(search_text__contains=word)
    return list(qs.order_by("family_name", "middle_name", "given_name", "uid")[:limit])
