"""A help-desk reset: a person who lost their password (and cannot receive a reset code) calls or
visits their unit's HR officer. The officer checks who they are against the record (employee code
and citizen ID, both asked of the person, never read out by the officer) and issues a new activation
code, by personal email or on a printed letter. The officer never chooses or sees a password
(PW-18); the old password is voided at once with a random value nobody knows (PW-17); every session
of the person ends; the person is told on the channels on file (AU-10); it is audited, and so is a
failed identity check."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import ActivationCode, Role
from accounts.scopes import covers
from accounts.selfservice.services import activation_issue
from accounts.selfservice.tasks import send_activation_email
from accounts.sessions import end_sessions
from accounts.tasks import notify_task
from directory import gateway
from directory.passwords import password_hashes
from provisioning.audit.services import audit_record
from provisioning.common import protect
from provisioning.people import validation
from provisioning.people.models import Person, PersonStatus


def _identity_matches(person: Person, employee_code: str, citizen_id: str) -> bool:
    c = validation.Checked()
    cid = validation.citizen_id(c, citizen_id)
    same_code = (employee_code or "").strip().upper() == person.employee_code.strip().upper()
    same_cid = bool(cid) and protect.digest(cid) == person.citizen_id_digest
    return same_code and same_cid


def helpdesk_reset(*, actor, person: Person, employee_code: str, citizen_id: str, channel: str,
                   source_ip: str | None = None) -> str | None:
    """Void the password and issue a reset activation code. Returns the code for a printed letter,
    None when it goes by email (made and sent by the worker)."""
    if not covers(actor, Role.HR_ADMIN, person.unit.path):
        raise PermissionDenied
    if person.status != PersonStatus.ACTIVE:
        raise ValidationError(_("Only an active account can be reset. For a new account, send an activation code."))
    if not person.citizen_id_digest:
        raise ValidationError(_("There is no citizen ID on file for %(name)s, so their identity cannot be checked "
                                "here. Add it to their record first (with the ID card in front of you).")
                              % {"name": person.full_name})
    if not _identity_matches(person, employee_code, citizen_id):
        audit_record(actor=actor, action="person.helpdesk_identity_refused", target=person, source_ip=source_ip)
        raise ValidationError(_("The employee code and citizen ID do not match this person's record. Nothing was "
                                "changed."))
    if channel == ActivationCode.Channel.EMAIL and not person.personal_email:
        raise ValidationError({"channel": [_("There is no personal email on file: print a letter instead.")]})
    # the old password stops working now: a random value from the CSPRNG that nobody ever sees
    gateway.person_set_password_hash(person.uid, password_hashes(secrets.token_urlsafe(32)))
    end_sessions(person.uid)
    with transaction.atomic():
        audit_record(actor=actor, action="person.helpdesk_reset", target=person, after={"channel": channel},
                     source_ip=source_ip)
        code = None
        if channel == ActivationCode.Channel.LETTER:
            code = activation_issue(actor=actor, person=person, channel=channel, reset=True)
        else:
            transaction.on_commit(lambda: send_activation_email.delay(person.pk, actor.pk, reset=True))
        phone = person.phone if person.phone_verified_at else ""
        transaction.on_commit(lambda: notify_task.delay(kind="helpdesk_reset", uid=person.uid,
                                                        email=person.personal_email, phone=phone))
    return code
