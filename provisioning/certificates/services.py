"""Certificate requests: raised by the person, their HR officer or automatically; decided by the
unit head (provisioning.approvals, the one approval mechanism) and then by the provincial IT
department, who puts them in a batch for the CA. Every step is audited and tells the requester."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, RoleAssignment, User
from accounts.scopes import covers
from idm.celery import app as celery_app
from provisioning.approvals.services import decide
from provisioning.audit.services import audit_record
from provisioning.certificates import fields
from provisioning.certificates.models import (
    FORM_NUMBER,
    Certificate,
    CertificateBatch,
    CertificateRequest,
    CertKind,
    DeviceType,
    Origin,
    RequestType,
    Stage,
)
from provisioning.common import protect
from provisioning.people.models import Person, PersonStatus
from provisioning.units.models import Unit
from provisioning.units.selectors import unit_ancestors, unit_resolved_settings

OPEN = (Stage.HEAD, Stage.IT, Stage.BATCHED)
NOTIFY_TASK = "certificates.notify_requester"  # published by name (conventions §3)
SYSTEM_USERNAME = "idm-system"


def system_user() -> User:
    """The requester of automatic requests (offboarding, transfers, expiry): nobody who could
    decide them."""
    user, created = User.objects.get_or_create(username=SYSTEM_USERNAME,
                                               defaults={"source": User.Source.LOCAL, "display_name": "idm"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _province(unit: Unit) -> str:
    top = unit_ancestors(unit)
    return (top[0] if top else unit).name


def _unit_head(unit: Unit) -> Person | None:
    found = RoleAssignment.objects.filter(role=Role.UNIT_HEAD, unit=unit, person__status=PersonStatus.ACTIVE) \
        .select_related("person").first()
    return found.person if found else None


def prefill(*, kind: str, type_: str, person: Person, unit: Unit, certificate: Certificate | None = None) -> dict:
    """What idm already knows for the form, so nobody retypes what HR entered."""
    out: dict[str, str] = {"province": _province(unit), "agency": unit.name, "email": "",
                           "contact_name": person.full_name, "contact_position": person.position,
                           "contact_phone": person.phone, "contact_email": person.mail or ""}
    citizen_id = protect.decrypt(person.citizen_id_encrypted) if person.citizen_id_encrypted else ""
    out["contact_id_number"] = citizen_id
    if kind == CertKind.PERSONAL:
        out |= {"full_name": person.full_name, "position": person.position, "phone": person.phone,
                "email": person.mail or "", "id_number": citizen_id}
        if type_ == RequestType.NEW:
            out["device_type"] = DeviceType.TOKEN
    elif kind == CertKind.ORGANISATION:
        head = _unit_head(unit)
        out |= {"org_name": unit.name, "email": unit.list_address or person.mail or "",
                "legal_representative": head.full_name if head else "", "custodian": person.full_name}
    else:  # a device or service: the unit manages it, `person` is the contact
        out |= {"managing_unit": unit.name}
    if certificate is not None:
        if kind == CertKind.DEVICE:  # named as on the certificate it renews, changes or revokes
            out |= _device_names(certificate)
        out["serial"] = certificate.serial
        out["token_serial"] = certificate.token_serial
        if type_ == RequestType.NEW:
            out["old_serial"] = certificate.serial
    return {k: v for k, v in out.items() if v}


def _device_names(certificate: Certificate) -> dict[str, str]:
    form = certificate.request.form if certificate.request_id else {}
    return {k: form[k] for k in ("device_name", "device_identifier", "address") if form.get(k)}


def _check_email(kind: str, person: Person, unit: Unit, email: str) -> None:
    """The official email on the form must be a state address: the mailbox idm issued (personal),
    or an address in the unit's mail domain (organisational)."""
    if not email:
        return
    if kind == CertKind.PERSONAL and email != person.mail:
        raise ValidationError({"email": [_("The email must be the official mailbox idm issued (%(mail)s).")
                                         % {"mail": person.mail or "—"}]})
    domain, _rule = unit_resolved_settings(unit)
    if kind != CertKind.PERSONAL and not email.endswith("@" + domain):
        raise ValidationError({"email": [_("The email must be an official address in %(domain)s.")
                                         % {"domain": domain}]})


def may_request(user, person: Person) -> str | None:
    """The origin a request by `user` about `person` would have, or None when they may not ask."""
    if user.get_username() == person.uid:
        return Origin.PERSON
    if covers(user, Role.HR_ADMIN, person.unit.path):
        return Origin.HR
    return None


def may_request_for_unit(user, unit: Unit, kind: str) -> str | None:
    """The origin of an organisational or device request by `user` for `unit`, or None: the unit's
    HR officer (or one above it); for a device or service, also the IT department over the unit."""
    if covers(user, Role.HR_ADMIN, unit.path):
        return Origin.HR
    if kind == CertKind.DEVICE and covers(user, Role.IT_LEAD, unit.path):
        return Origin.IT
    return None


def _clean_form(form: dict) -> dict:
    return {k: " ".join(str(v).split()) for k, v in (form or {}).items() if v not in (None, "")}


@transaction.atomic
def request_create(*, actor, kind: str, type_: str, person: Person, unit: Unit | None = None,
                   certificate: Certificate | None = None, form: dict | None = None,
                   automatic: bool = False, csr_pem: str = "", key_sha256: str = "") -> CertificateRequest:
    """Raise a request on its CA form, prefilled from the directory record and completed by
    `form`. `person` is the holder (personal), the custodian of the unit's token
    (organisational) or the contact person for a device or service. Automatic requests may lack
    what only a human knows (a date of birth); IT cannot batch them until someone completes them."""
    unit = unit or person.unit
    if (kind, type_) not in FORM_NUMBER:
        raise ValidationError(_("Choose a kind and a type of request."))
    if automatic:
        origin, actor = Origin.AUTOMATIC, system_user()
    else:
        origin = may_request(actor, person) if kind == CertKind.PERSONAL else \
            may_request_for_unit(actor, unit, kind)
        if origin is None:
            raise PermissionDenied
    if kind != CertKind.PERSONAL and (person.unit_id != unit.pk
                                      or (not automatic and person.status != PersonStatus.ACTIVE)):
        raise ValidationError({"person": [_("The custodian must work in the unit.") if kind == CertKind.ORGANISATION
                                          else _("The contact person must work in the unit.")]})
    if type_ != RequestType.NEW and certificate is None:
        raise ValidationError({"certificate": [_("Choose the certificate this request is about.")]})
    if certificate is not None and (certificate.kind != kind or (
            certificate.person_id != person.pk if kind == CertKind.PERSONAL else certificate.unit_id != unit.pk)):
        raise ValidationError({"certificate": [_("That certificate belongs to someone else.")]})
    values = prefill(kind=kind, type_=type_, person=person, unit=unit, certificate=certificate) | _clean_form(form)
    if kind == CertKind.PERSONAL:  # the holder is the contact: what they gave for themselves serves for both
        for own, contact in (("id_number", "contact_id_number"), ("phone", "contact_phone")):
            if values.get(own) and not values.get(contact):
                values[contact] = values[own]
    errors = fields.check(values)
    if errors:
        raise ValidationError(errors)
    _check_email(kind, person, unit, values.get("email", ""))
    # the internal CA needs no dossier: the CSR and the directory record are the whole request
    missing = [] if csr_pem else fields.missing(kind, type_, values)
    if missing and not automatic:
        raise ValidationError({f: [_("This field is required.")] for f in missing})
    duplicate = CertificateRequest.objects.filter(kind=kind, type=type_, stage__in=OPEN, unit=unit)
    if kind == CertKind.PERSONAL:
        duplicate = duplicate.filter(person=person)
    elif kind == CertKind.DEVICE:  # a unit runs many devices and services
        duplicate = duplicate.filter(form__device_identifier=values.get("device_identifier", ""))
    if certificate is not None:
        duplicate = duplicate.filter(certificate=certificate)
    if duplicate.exists():
        raise ValidationError(_("The same request is already under way."))
    req = CertificateRequest.objects.create(person=person, unit=unit, kind=kind, type=type_, form=values,
                                            certificate=certificate, origin=origin, requested_by=actor,
                                            csr_pem=csr_pem, key_sha256=key_sha256)
    audit_record(actor=actor, action="certificate.requested", target=req,
                 after={"kind": kind, "type": type_, "person": person.uid, "unit": unit.code, "origin": origin,
                        "missing": missing})
    _notify(req, "requested")
    return req


@transaction.atomic
def request_complete_form(*, actor, request: CertificateRequest, form: dict) -> CertificateRequest:
    """Fill in what an automatic request lacks, or correct the form before IT batches it: the
    holder, their HR officer or the unit head, while the request is not yet in a batch."""
    request = CertificateRequest.objects.select_for_update(of=("self",)).select_related("person__unit", "unit").get(
        pk=request.pk)
    if request.stage not in (Stage.HEAD, Stage.IT):
        raise ValidationError(_("This request can no longer be changed."))
    if may_request(actor, request.person) is None and not covers(actor, Role.UNIT_HEAD, request.unit.path) \
            and (request.kind == CertKind.PERSONAL or may_request_for_unit(actor, request.unit, request.kind) is None):
        raise PermissionDenied
    values = request.form | _clean_form(form)
    errors = fields.check(values)
    if errors:
        raise ValidationError(errors)
    _check_email(request.kind, request.person, request.unit, values.get("email", ""))
    before, request.form = request.form, values
    request.save(update_fields=["form"])
    audit_record(actor=actor, action="certificate.form_changed", target=request, before=before, after=values)
    return request


@transaction.atomic
def request_decide_head(*, actor, request: CertificateRequest, approve: bool, note: str = "") -> CertificateRequest:
    """The unit head over the holder's unit approves, or refuses with a reason; never the requester
    nor the holder (provisioning.approvals.decide)."""
    note = " ".join((note or "").split())
    if not approve and not note:
        raise ValidationError({"note": [_("Say why the request is refused.")]})

    def to_it(req: CertificateRequest) -> None:
        req.stage = Stage.IT
        req.save(update_fields=["stage"])

    request = decide(actor=actor, request=request, approve=approve, note=note, on_approve=to_it)
    if not approve:
        request.stage = Stage.REFUSED
        request.save(update_fields=["stage"])
    audit_record(actor=actor, action="certificate.head_approved" if approve else "certificate.head_refused",
                 target=request, after={"note": note, "person": request.person.uid})
    _notify(request, "head_approved" if approve else "refused")
    return request


def may_decide_it(user, request: CertificateRequest) -> bool:
    """The provincial IT department (an IT lead over the request's unit), never the requester."""
    return user.pk != request.requested_by_id and user.get_username() != request.person.uid and \
        covers(user, Role.IT_LEAD, request.unit.path)


def _draft_batch(actor) -> CertificateBatch:
    batch = CertificateBatch.objects.select_for_update().filter(status=CertificateBatch.Status.DRAFT).first()
    return batch or CertificateBatch.objects.create(created_by=actor if actor and actor.pk else None)


@transaction.atomic
def request_decide_it(*, actor, request: CertificateRequest, approve: bool, note: str = "") -> CertificateRequest:
    """IT approves a request the unit head approved into the open (draft) batch, or refuses it."""
    request = CertificateRequest.objects.select_for_update(of=("self",)).select_related("person__unit", "unit").get(
        pk=request.pk)
    if request.stage != Stage.IT or request.csr_pem:  # CSR requests are issued by the internal CA instead
        raise ValidationError(_("This request is not waiting for the IT department."))
    if not may_decide_it(actor, request):
        raise PermissionDenied
    note = " ".join((note or "").split())
    if approve:
        missing = fields.missing(request.kind, request.type, request.form)
        if missing:
            raise ValidationError(_("The form is not complete: %(fields)s.")
                                  % {"fields": ", ".join(str(fields.LABELS[f]) for f in missing)})
        request.batch, request.stage = _draft_batch(actor), Stage.BATCHED
    elif not note:
        raise ValidationError({"note": [_("Say why the request is refused.")]})
    else:
        request.stage, request.decision_note = Stage.REFUSED, note[:500]
    request.it_decided_by, request.it_decided_at = actor, timezone.now()
    request.save(update_fields=["batch", "stage", "decision_note", "it_decided_by", "it_decided_at"])
    audit_record(actor=actor, action="certificate.it_approved" if approve else "certificate.it_refused",
                 target=request, after={"note": note, "batch": request.batch_id})
    _notify(request, "batched" if approve else "refused")
    return request


@transaction.atomic
def batch_send(*, actor, batch: CertificateBatch) -> CertificateBatch:
    """The dossier was signed and sent to the CA: the batch is closed to new requests."""
    batch = CertificateBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != CertificateBatch.Status.DRAFT:
        raise ValidationError(_("This batch was already sent."))
    if not batch.requests.exists():
        raise ValidationError(_("An empty batch cannot be sent."))
    batch.status, batch.sent_at = CertificateBatch.Status.SENT, timezone.now()
    batch.save(update_fields=["status", "sent_at"])
    audit_record(actor=actor, action="certificate.batch_sent", target=batch,
                 after={"requests": batch.requests.count()})
    return batch


@transaction.atomic
def request_mark_done(*, actor, request: CertificateRequest) -> CertificateRequest:
    """The CA unlocked the token of an unlock request (Mẫu 06) of a sent batch: nothing comes back
    to import, so the provincial IT department records it done."""
    request = CertificateRequest.objects.select_for_update(of=("self",)).select_related("unit", "batch").get(
        pk=request.pk)
    if request.type != RequestType.UNLOCK or request.stage != Stage.BATCHED:
        raise ValidationError(_("Only a token unlock sent to the CA is recorded as done here."))
    if request.batch.status == CertificateBatch.Status.DRAFT:
        raise ValidationError(_("Send the batch to the CA first."))
    if not covers(actor, Role.IT_LEAD, request.unit.path):
        raise PermissionDenied
    request.stage = Stage.DONE
    request.save(update_fields=["stage"])
    batch_progress(request.batch)
    audit_record(actor=actor, action="certificate.done", target=request, after={"batch": request.batch_id})
    _notify(request, "done")
    return request


def batch_progress(batch: CertificateBatch) -> None:
    """sent -> partly issued -> closed as its requests are done (call inside the transaction)."""
    if batch.status == CertificateBatch.Status.DRAFT:
        return
    open_left = batch.requests.filter(stage=Stage.BATCHED).exists()
    status = CertificateBatch.Status.PARTLY if open_left else CertificateBatch.Status.CLOSED
    if status != batch.status:
        batch.status = status
        batch.closed_at = None if open_left else timezone.now()
        batch.save(update_fields=["status", "closed_at"])


def _notify(request: CertificateRequest, event: str) -> None:
    """Tell the requester (and the holder) once the transaction commits; by task, never in the request."""
    def publish() -> None:
        try:
            celery_app.send_task(NOTIFY_TASK, args=[request.pk, event])
        except Exception:  # broker away: a missed notice is not worth failing the decision
            pass
    transaction.on_commit(publish)
