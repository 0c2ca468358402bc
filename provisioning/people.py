"""People: onboarding and changes as HR makes them. Each is one transaction with its audit row
and its outbox row."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from provisioning import naming
from provisioning.audit import audit_record, snapshot
from provisioning.models import DirectoryChange, Person, PersonStatus, Unit
from provisioning.outbox import directory_change_enqueue_many
from provisioning.units import unit_resolved_settings

PERSON_FIELDS = ("uid", "employee_code", "family_name", "middle_name", "given_name", "unit", "position",
                 "category", "status", "mail")


def _clean_text(value: str, field: str, *, required: bool) -> str:
    value = naming.clean_name(value)
    if required and not value:
        raise ValidationError({field: _("This field cannot be empty.")})
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co"):
            raise ValidationError({field: _("Remove the control or invisible character (U+%(code)04X).")
                                   % {"code": ord(ch)}})
    return value


@transaction.atomic
def person_onboard(*, actor, unit: Unit, family: str, middle: str, given: str, employee_code: str,
                   position: str = "", category: str = "cong_chuc", status: str = PersonStatus.STAGED) -> Person:
    """Create a person with a uid and official address from the unit's naming rule and domain,
    and queue their directory entry. The uid is unique even under concurrent onboarding: a
    collision on save moves on to the next candidate."""
    family = _clean_text(family, "family_name", required=True)
    middle = _clean_text(middle, "middle_name", required=False)
    given = _clean_text(given, "given_name", required=True)
    employee_code = _clean_text(employee_code, "employee_code", required=True)
    position = _clean_text(position, "position", required=False)
    domain, rule = unit_resolved_settings(unit)
    stem = naming.local_part(family, middle, given, rule)
    taken = set(Person.objects.filter(uid__startswith=stem).values_list("uid", flat=True))
    for uid in naming.candidates(stem):
        if uid in taken:
            continue
        person = Person(uid=uid, employee_code=employee_code, family_name=family, middle_name=middle,
                        given_name=given, unit=unit, position=position, category=category, status=status,
                        mail=f"{uid}@{domain}" if domain else None)
        person.full_clean(validate_unique=False)
        if Person.objects.filter(employee_code=employee_code).exists():
            raise ValidationError({"employee_code": _("Another person already has this employee code.")})
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            if Person.objects.filter(employee_code=employee_code).exists():
                raise ValidationError({"employee_code": _("Another person already has this employee code.")}) from None
            taken.add(uid)  # someone took this uid between our read and our write: next one
            continue
        break
    audit_record(actor=actor, action="person.onboarded", target=person, after=snapshot(person, PERSON_FIELDS))
    directory_change_enqueue_many(kind=DirectoryChange.Kind.PERSON, object_ids=[person.pk])
    return person


@transaction.atomic
def person_update(*, actor, person: Person, **changes) -> Person:
    """Change HR facts (names, position, category, unit, status). uid and address stay."""
    allowed = {"family_name", "middle_name", "given_name", "position", "category", "unit", "status"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    person = Person.objects.select_for_update().get(pk=person.pk)
    for f in ("family_name", "middle_name", "given_name", "position"):
        if f in changes:
            changes[f] = _clean_text(changes[f], f, required=f in ("family_name", "given_name"))
    changed = {k: v for k, v in changes.items() if getattr(person, k) != v}
    if not changed:
        return person
    before = snapshot(person, PERSON_FIELDS)
    for k, v in changed.items():
        setattr(person, k, v)
    person.full_clean()
    person.save(update_fields=[*changed, "updated_at"])
    audit_record(actor=actor, action="person.updated", target=person, before=before,
                 after=snapshot(person, PERSON_FIELDS))
    directory_change_enqueue_many(kind=DirectoryChange.Kind.PERSON, object_ids=[person.pk])
    return person
