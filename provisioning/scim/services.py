"""SCIM writes, each one through the people services the pages and the REST API use: a SCIM-created person
is onboarded by person_onboard (one naming function, the outbox row, the audit row), a new department is
person_transfer, active=false is person_set_status(suspended), DELETE is a departure (left). The only
thing SCIM keeps of its own, the client's externalId, is audited like the rest. Each call is one
transaction: a refused change leaves nothing half-written."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from scim2_models import InvalidValueException, UniquenessException

from provisioning.audit.services import audit_record
from provisioning.people.models import Person, PersonStatus
from provisioning.people.services import person_onboard, person_set_status, person_transfer, person_update
from provisioning.people.validation import normalise_employee_code
from provisioning.scim.models import ScimUserLink
from provisioning.scim.resources import EnterpriseUser
from provisioning.units.models import Unit
from provisioning.units.selectors import units_for_hr

REASON = "SCIM"  # in the audit row's reason, where the service takes one: which door the change came in by

# the people services' field names as SCIM calls them, for error details
SCIM_NAMES = {"family_name": "name.familyName", "middle_name": "name.middleName", "given_name": "name.givenName",
              "position": "title", "personal_email": "emails", "phone": "phoneNumbers",
              "employee_code": f"{EnterpriseUser.__schema__}:employeeNumber", "status": "active"}


@dataclass
class UserInput:
    """What a User resource asks of idm, in idm's terms."""

    family: str
    middle: str
    given: str
    position: str
    personal_email: str
    phone: str
    employee_code: str
    department: str
    active: bool | None
    external_id: str | None


def _required(value, name: str) -> str:
    if not value or not str(value).strip():
        raise InvalidValueException(detail=f"{name} is required")
    return str(value)


def _single(values, name: str) -> str:
    values = [v.value for v in values or [] if v.value]
    if len(values) > 1:
        raise InvalidValueException(detail=f"idm keeps one value of {name}")
    return values[0] if values else ""


def user_input(resource) -> UserInput:
    name = resource.name
    enterprise = resource[EnterpriseUser]
    return UserInput(
        family=_required(name and name.family_name, "name.familyName"),
        middle=(name.middle_name or "") if name else "",
        given=_required(name and name.given_name, "name.givenName"),
        position=resource.title or "",
        personal_email=_single(resource.emails, "emails"),
        phone=_single(resource.phone_numbers, "phoneNumbers"),
        employee_code=_required(enterprise and enterprise.employee_number, SCIM_NAMES["employee_code"]),
        department=_required(enterprise and enterprise.department, f"{EnterpriseUser.__schema__}:department"),
        active=resource.active,
        external_id=resource.external_id or None,
    )


def _unit(actor, code: str) -> Unit:
    unit = units_for_hr(actor).filter(code=code, closed_on__isnull=True).first()
    if unit is None:
        raise InvalidValueException(detail=f"department: no unit of yours has the code {code!r}")
    return unit


def _code_free(code: str, person: Person | None = None) -> None:
    taken = Person.objects.filter(employee_code=normalise_employee_code(code))
    if person is not None:
        taken = taken.exclude(pk=person.pk)
    if taken.exists():
        raise UniquenessException(detail="employeeNumber: another person already has this employee code")


def _link(actor, person: Person, external_id: str | None) -> None:
    link = ScimUserLink.objects.filter(person=person).first()
    before = link.external_id if link else None
    if (external_id or None) == before:
        return
    if len(external_id or "") > 255:
        raise InvalidValueException(detail="externalId: at most 255 characters")
    if external_id:
        ScimUserLink.objects.update_or_create(person=person, defaults={"external_id": external_id})
    elif link:
        link.delete()
    audit_record(actor=actor, action="scim.external_id_set", target=person, before={"external_id": before},
                 after={"external_id": external_id or None}, reason=REASON)


def _active(actor, person: Person, active: bool | None) -> Person:
    if active is False and person.status != PersonStatus.SUSPENDED:
        return person_set_status(actor=actor, person=person, status=PersonStatus.SUSPENDED, reason=REASON)
    if active is True and person.status == PersonStatus.SUSPENDED:
        return person_set_status(actor=actor, person=person, status=PersonStatus.ACTIVE, reason=REASON)
    return person


@transaction.atomic
def scim_user_create(*, actor, resource) -> Person:
    """POST /Users: onboard the person into their department (a unit the token's owner manages)."""
    data = user_input(resource)
    unit = _unit(actor, data.department)
    _code_free(data.employee_code)
    person = person_onboard(actor=actor, unit=unit, family=data.family, middle=data.middle, given=data.given,
                            employee_code=data.employee_code, position=data.position,
                            personal_email=data.personal_email, phone=data.phone)
    person = _active(actor, person, data.active)
    _link(actor, person, data.external_id)
    return person


@transaction.atomic
def scim_user_replace(*, actor, person: Person, resource) -> Person:
    """PUT /Users/{id} (and a PATCH, once applied to the current resource): make the person what the
    resource says. Read-only attributes are ignored; an optional one left out is cleared."""
    data = user_input(resource)
    unit = _unit(actor, data.department)
    _code_free(data.employee_code, person)
    person = person_update(actor=actor, person=person, family_name=data.family, middle_name=data.middle,
                           given_name=data.given, position=data.position, personal_email=data.personal_email,
                           phone=data.phone, employee_code=data.employee_code)
    if unit.pk != person.unit_id:
        person = person_transfer(actor=actor, person=person, unit=unit, reason=REASON)
    person = _active(actor, person, data.active)
    _link(actor, person, data.external_id)
    return person


@transaction.atomic
def scim_user_delete(*, actor, person: Person) -> Person:
    """DELETE /Users/{id}: the person leaves today (their record, mailbox retention and history stay in
    idm; they are no longer a SCIM resource)."""
    return person_set_status(actor=actor, person=person, status=PersonStatus.LEFT, reason=REASON)
