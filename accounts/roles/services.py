"""Granting and revoking roles: the only writers of RoleAssignment, each change audited.

Who may grant (and revoke) what:
- the superadmin (and the system, actor None: the demo loader, management commands): any role,
  over any unit, to any active person;
- an HR officer: only the HR officer and unit head roles, only over units inside their own HR
  subtrees, only to people of those subtrees, and never to or from themselves (an officer must
  not widen, or quietly keep, their own scope: another officer or the superadmin decides that);
- nobody else. The IT lead role is the superadmin's alone (it reaches every mailbox).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, RoleAssignment, User
from accounts.scopes import role_units
from provisioning.audit.services import audit_record
from provisioning.people.models import Person, PersonStatus
from provisioning.units.models import Unit

HR_GRANTABLE = (Role.HR_ADMIN, Role.UNIT_HEAD)


def grantor_paths(actor: User | None) -> list[str] | None:
    """The unit paths inside which `actor` may grant roles; None means everywhere (the superadmin
    or the system); an empty list means nowhere."""
    if actor is None:
        return None
    return role_units(actor, Role.HR_ADMIN)


def grantable_roles(actor: User | None) -> tuple[str, ...]:
    paths = grantor_paths(actor)
    if paths is None:
        return tuple(Role.values)
    return HR_GRANTABLE if paths else ()


def _inside(path: str, paths: list[str]) -> bool:
    return any(path.startswith(p) for p in paths)


def _check_authority(actor: User | None, *, person: Person, role: str, unit: Unit) -> None:
    paths = grantor_paths(actor)
    if paths is None:
        return
    if not paths or role not in HR_GRANTABLE:
        raise ValidationError(_("You may not grant or revoke the role “%(role)s”.")
                              % {"role": Role(role).label}, code="role_not_allowed")
    if person.uid == actor.get_username():
        raise ValidationError(_("You cannot grant or revoke your own roles: ask another HR officer or the "
                                "administrator."), code="own_role")
    if not _inside(unit.path, paths):
        raise ValidationError(_("%(unit)s is outside the units you manage.") % {"unit": unit.name},
                              code="unit_outside")
    if not _inside(person.unit.path, paths):
        raise ValidationError(_("%(name)s works outside the units you manage.") % {"name": person.full_name},
                              code="person_outside")


def _facts(assignment: RoleAssignment, reason: str) -> dict:
    return {"person": assignment.person.uid, "role": assignment.role, "unit": assignment.unit.code,
            "reason": reason}


@transaction.atomic
def role_grant(*, actor: User | None, person: Person, role: str, unit: Unit, reason: str = "") -> RoleAssignment:
    """Give `person` the `role` over `unit` and everything below it. Raises ValidationError (in the
    active language) when the actor may not, the person is not active, or they already hold it."""
    if role not in Role.values:
        raise ValidationError(_("Choose a role from the list."), code="role_unknown")
    _check_authority(actor, person=person, role=role, unit=unit)
    if person.status != PersonStatus.ACTIVE:
        raise ValidationError(_("Only an active person can hold a role; %(name)s is not active.")
                              % {"name": person.full_name}, code="person_inactive")
    if RoleAssignment.objects.filter(person=person, role=role, unit=unit).exists():
        raise ValidationError(_("%(name)s already holds this role over %(unit)s.")
                              % {"name": person.full_name, "unit": unit.name}, code="duplicate")
    assignment = RoleAssignment.objects.create(person=person, role=role, unit=unit)
    audit_record(actor=actor, action="role.granted", target=assignment, after=_facts(assignment, reason),
                 reason=reason)
    return assignment


@transaction.atomic
def role_revoke(*, actor: User | None, assignment: RoleAssignment, reason: str = "") -> None:
    """Take the role away. Raises ValidationError when the actor may not."""
    _check_authority(actor, person=assignment.person, role=assignment.role, unit=assignment.unit)
    audit_record(actor=actor, action="role.revoked", target=assignment, before=_facts(assignment, reason),
                 reason=reason)
    assignment.delete()


def may_revoke(actor: User | None, assignment: RoleAssignment) -> bool:
    """For showing the revoke button (the service decides again on POST)."""
    try:
        _check_authority(actor, person=assignment.person, role=assignment.role, unit=assignment.unit)
    except ValidationError:
        return False
    return True
