"""Certificate pages: a person's request, the unit's requests and certificates for its HR officer
and head, the province's queue and batches for IT."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from accounts.scopes import covers, has_role, hr_required
from provisioning.certificates import dossier, fields, internal, selectors, services
from provisioning.certificates.ca import internal_ca_open
from provisioning.certificates.dossier import display_value as dossier_value
from provisioning.certificates.fields import LABELS
from provisioning.certificates.forms import (
    BatchForm,
    CertificateFileForm,
    CertificateRequestForm,
    CsrForm,
    DecisionForm,
    RequestChoiceForm,
    RevocationForm,
)
from provisioning.certificates.issued import (
    batch_issue_now,
    certificate_revoke,
    certificates_import,
    revocation_confirm,
)
from provisioning.certificates.models import (
    FORM_NUMBER,
    Certificate,
    CertificateRequest,
    CertKind,
    RequestType,
    Stage,
    types_for,
)
from provisioning.certificates.x509files import CertificateFileError
from provisioning.common.forms import add_errors
from provisioning.people.models import PersonStatus
from provisioning.people.selectors import person_for_hr
from provisioning.units.models import Unit


def _type_and_kind(request: HttpRequest, kinds: tuple[str, ...]) -> tuple[str, str]:
    """The request type and kind a page was opened for (?type=&kind=), a known pair or a 404."""
    kind = request.GET.get("kind") or kinds[0]
    type_ = request.GET.get("type") or RequestType.NEW
    if kind not in kinds or (kind, type_) not in FORM_NUMBER:
        raise Http404
    return kind, type_


def _certificate_choice(request: HttpRequest, certificates) -> int | None:
    try:
        pk = int(request.GET.get("certificate", ""))
    except ValueError:
        return None
    return pk if any(c.pk == pk for c in certificates) else None


def _request_page(request: HttpRequest, *, kind: str, type_: str, unit, person=None, people=None,
                  done_url: str, heading: str, extra: dict | None = None) -> HttpResponse:
    """One page for every request: the form of (kind, type) prefilled from the directory record;
    on POST the service checks everything and either records the request or says why not."""
    holder_certs = list(selectors.valid_certificates(person=person, unit=unit, kind=kind)) \
        if type_ != RequestType.NEW else []
    chosen = _certificate_choice(request, holder_certs)
    certificate = next((c for c in holder_certs if c.pk == chosen), None)
    base = person if person is not None else (people[0] if people else None)
    prefill = services.prefill(kind=kind, type_=type_, person=base, unit=unit, certificate=certificate) \
        if base is not None else {"managing_unit": unit.name}
    form = CertificateRequestForm(request.POST or None, kind=kind, type_=type_, prefill=prefill,
                                  certificates=holder_certs, people=people)
    if chosen is not None and "certificate" in form.fields:
        form.fields["certificate"].initial = chosen
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        holder = person if person is not None else next((p for p in people if p.pk == d.get("person")), None)
        certificate = next((c for c in holder_certs if c.pk == d.get("certificate")), None)
        values = form.form_values()
        if kind == CertKind.ORGANISATION and holder is not None:
            values["custodian"] = holder.full_name
        try:
            if holder is None:
                raise ValidationError({"person": [_("Choose someone who works in the unit.")]})
            services.request_create(actor=request.user, kind=kind, type_=type_, person=holder, unit=unit,
                                    certificate=certificate, form=values)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The request was sent to the unit head."))
            return redirect(done_url)
    types = [(t, RequestType(t).label, FORM_NUMBER[(kind, t)]) for t in types_for(kind)]
    return render(request, "provisioning/certificates/request.html", {
        "form": form, "kind": kind, "type": type_, "types": types, "heading": heading, "unit": unit,
        "person": person, "form_number": FORM_NUMBER[(kind, type_)], "holder_certificates": holder_certs,
        "type_label": RequestType(type_).label, "kind_label": CertKind(kind).label} | (extra or {}),
        status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def my_request(request: HttpRequest) -> HttpResponse:
    """A person asks for their own personal certificate on any form (new: Mẫu 01, renewal or change:
    Mẫu 04, revocation: Mẫu 05, token unlock: Mẫu 06), or uploads a CSR for the internal CA."""
    person = selectors.my_person(request.user)
    if person is None:
        raise PermissionDenied
    kind, type_ = _type_and_kind(request, (CertKind.PERSONAL,))
    csr_open = type_ == RequestType.NEW and internal_ca_open()
    return _request_page(request, kind=kind, type_=type_, unit=person.unit, person=person, done_url="me",
                         heading=_("My digital certificate"),
                         extra={"csr_form": CsrForm() if csr_open else None, "mine": True})


@require_http_methods(["GET", "POST"])
@hr_required  # anyone else: 403 as on the person's page (AC-01), not the 404 of a person outside the scope
def person_request(request: HttpRequest, pk: int) -> HttpResponse:
    """The HR officer raises a personal request for someone of their units."""
    person = person_for_hr(request.user, pk)
    if person.status == PersonStatus.LEFT:
        raise Http404
    kind, type_ = _type_and_kind(request, (CertKind.PERSONAL,))
    return _request_page(request, kind=kind, type_=type_, unit=person.unit, person=person,
                         done_url=reverse("provisioning:unit_certificates", args=[person.unit.code]),
                         heading=person.full_name)


@require_http_methods(["GET", "POST"])
@login_required
def unit_request(request: HttpRequest, code: str) -> HttpResponse:
    """The unit's HR officer raises an organisational request (Mẫu 02 .. 06, naming the legal
    representative and the custodian), or a device or service one (Mẫu 03 .. 05, also the IT
    department over the unit)."""
    unit = get_object_or_404(Unit, code=code)
    kind, type_ = _type_and_kind(request, (CertKind.ORGANISATION, CertKind.DEVICE))
    if services.may_request_for_unit(request.user, unit, kind) is None:
        raise PermissionDenied
    people = list(unit.people.filter(status=PersonStatus.ACTIVE).order_by("sort_key", "uid")[:500])
    if kind == CertKind.ORGANISATION:  # the clerk usually keeps the token: offer them first
        people.sort(key=lambda p: "thư" not in p.position.casefold())
    return _request_page(request, kind=kind, type_=type_, unit=unit, people=people,
                         done_url=reverse("provisioning:unit_certificates", args=[unit.code]), heading=unit.name,
                         extra={"kinds": [(k, CertKind(k).label) for k in (CertKind.ORGANISATION, CertKind.DEVICE)]})


@require_POST
@login_required
def my_csr(request: HttpRequest) -> HttpResponse:
    person = selectors.my_person(request.user)
    if person is None:
        raise PermissionDenied
    form = CsrForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose the CSR file."))
        internal.csr_request_create(actor=request.user, person=person, data=form.cleaned_data["csr"].read())
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return redirect("provisioning:certificate_request")
    messages.success(request, _("Your request was sent to the unit head."))
    return redirect("me")


@require_http_methods(["GET", "POST"])
@login_required
def unit_page(request: HttpRequest) -> HttpResponse:
    """The unit's requests and certificates; its head decides the requests waiting for them."""
    if not (has_role(request.user, Role.UNIT_HEAD) or has_role(request.user, Role.HR_ADMIN)):
        raise PermissionDenied
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            req = get_object_or_404(selectors.head_queue(request.user), pk=form.cleaned_data["request"])
            _decide(request, services.request_decide_head, req, form)
        return redirect("provisioning:certificates_unit")
    return render(request, "provisioning/certificates/unit.html", {
        "waiting": selectors.head_queue(request.user), "requests": selectors.unit_requests(request.user)[:200],
        "certificates": selectors.unit_certificates(request.user)[:500],
        "coverage": selectors.unit_coverage(selectors.units_of(request.user))})


@require_http_methods(["GET", "POST"])
@login_required
def unit_certificates(request: HttpRequest, code: str) -> HttpResponse:
    """One unit's page, for its HR officer and head: who holds a valid certificate, the requests
    (the head decides those waiting for them here), the unit's own and its devices' certificates."""
    unit = get_object_or_404(Unit, code=code)
    if not selectors.looks_after(request.user, unit):
        raise PermissionDenied
    waiting = selectors.head_queue(request.user).filter(unit=unit)
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            _decide(request, services.request_decide_head, get_object_or_404(waiting, pk=form.cleaned_data["request"]),
                    form)
        return redirect("provisioning:unit_certificates", code=unit.code)
    is_hr = covers(request.user, Role.HR_ADMIN, unit.path)
    return render(request, "provisioning/certificates/unit_one.html", {
        "unit": unit, "waiting": waiting, "requests": selectors.requests_of_unit(unit)[:100],
        "certificates": selectors.certificates_of_unit(unit).exclude(kind=CertKind.PERSONAL)[:200],
        "staff": Paginator(selectors.staff_with_certificates(unit), 50).get_page(request.GET.get("page")),
        "coverage": selectors.unit_coverage([unit])[0], "may_raise": is_hr,
        "may_raise_device": services.may_request_for_unit(request.user, unit, CertKind.DEVICE) is not None})


@require_http_methods(["GET", "POST"])
@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request's form as it will be printed; the holder, the requester, the HR officer or the unit
    head completes or corrects it until IT puts it in a batch (automatic requests lack what only a
    human knows)."""
    req = get_object_or_404(CertificateRequest.objects.select_related("person__unit", "unit", "requested_by",
                                                                      "certificate", "batch"), pk=pk)
    if not selectors.may_see_request(request.user, req):
        raise Http404
    editable = req.stage in (Stage.HEAD, Stage.IT) and not req.csr_pem
    form = CertificateRequestForm(request.POST or None, kind=req.kind, type_=req.type, prefill=req.form) \
        if editable else None
    if form is not None:
        form.fields.pop("certificate", None)
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.request_complete_form(actor=request.user, request=req, form=form.form_values())
            except PermissionDenied:
                form.add_error(None, _("You cannot change this request."))
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("The form was saved."))
                return redirect("provisioning:certificate_request_detail", pk=req.pk)
    missing = [LABELS[f] for f in fields.missing(req.kind, req.type, req.form)]
    rows = [(LABELS[k], dossier_value(k, v)) for k, v in req.form.items() if k in LABELS]
    return render(request, "provisioning/certificates/request_detail.html", {
        "req": req, "form": form, "missing": missing, "rows": rows},
        status=400 if form is not None and form.errors else 200)


def _decide(request: HttpRequest, decide, req, form) -> None:
    try:
        decide(actor=request.user, request=req, approve=form.cleaned_data["decision"] == "approve",
               note=form.cleaned_data["note"])
    except PermissionDenied:
        messages.error(request, _("You cannot decide this request (it may be your own)."))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("The decision was recorded."))


@require_http_methods(["GET", "POST"])
@login_required
def it_page(request: HttpRequest) -> HttpResponse:
    """The province's queue: requests the unit heads approved, the batches, issued certificates back."""
    if not has_role(request.user, Role.IT_LEAD):
        raise PermissionDenied
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():
            req = get_object_or_404(selectors.it_queue(request.user), pk=form.cleaned_data["request"])
            _decide(request, internal.request_decide_it, req, form)
        return redirect("provisioning:certificates_it")
    province = selectors.is_province_it(request.user)  # batches and the CA's answers: the province's
    return render(request, "provisioning/certificates/it.html", {
        "waiting": selectors.it_queue(request.user), "province": province,
        "batches": selectors.batches(request.user)[:50], "upload": CertificateFileForm() if province else None,
        "revoke": RevocationForm() if province else None,
        "answers": selectors.revocations_waiting(request.user)})


@require_POST
@login_required
def certificate_revoke_record(request: HttpRequest) -> HttpResponse:
    """IT records a revocation the CA made: by serial (as import_certificates --revoked), or by the
    revocation request of a sent batch (its reason); either way the certificate leaves the directory."""
    if not selectors.is_province_it(request.user):
        raise PermissionDenied
    form = RevocationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for m in errors:
                messages.error(request, m)
        return redirect("provisioning:certificates_it")
    d = form.cleaned_data
    try:
        if d.get("request"):
            req = get_object_or_404(selectors.revocations_waiting(request.user), pk=d["request"])
            cert = revocation_confirm(actor=request.user, request=req)
        else:
            serial = d["serial"].upper().replace(":", "").replace(" ", "")
            found = list(Certificate.objects.filter(serial=serial)[:2])
            if len(found) != 1:
                raise CertificateFileError(_("No recorded certificate has this serial.") if not found else
                                           _("More than one recorded certificate has this serial."))
            cert = certificate_revoke(actor=request.user, certificate=found[0], reason=d["reason"])
    except CertificateFileError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Certificate %(serial)s is recorded as revoked; it leaves the directory.")
                         % {"serial": cert.serial})
    return redirect("provisioning:certificates_it")


@require_POST
@login_required
def request_done(request: HttpRequest) -> HttpResponse:
    """IT records that the CA unlocked a token (Mẫu 06)."""
    form = RequestChoiceForm(request.POST)
    if not form.is_valid():
        raise Http404
    req = get_object_or_404(selectors.revocations_waiting(request.user), pk=form.cleaned_data["request"])
    try:
        services.request_mark_done(actor=request.user, request=req)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("The request is recorded as done."))
    return redirect("provisioning:certificates_it")


@require_POST
@login_required
def batch_send(request: HttpRequest) -> HttpResponse:
    form = BatchForm(request.POST)
    batch = selectors.batch_for_it(request.user, form.cleaned_data["batch"]) if form.is_valid() else None
    if batch is None:
        raise Http404
    try:
        services.batch_send(actor=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("provisioning:certificates_it")
    messages.success(request, _("The batch is marked as sent to the CA."))
    report = batch_issue_now(actor=request.user, batch=batch)  # only a CA that issues at once (the local CA)
    _report_messages(request, report)
    return redirect("provisioning:certificates_it")


def _report_messages(request: HttpRequest, report) -> None:
    for cert in report.recorded:
        messages.success(request, _("Recorded %(serial)s for %(who)s.") % {"serial": cert.serial,
                                                                         "who": cert.person or cert.unit})
    for what, why in report.refused:
        messages.error(request, f"{what}: {why}")


@require_GET
@login_required
def batch_dossier(request: HttpRequest, pk: int) -> HttpResponse:
    """The dossier for the CA: the forms (PDF), the list (XLSX) and the manifest (JSON), zipped."""
    batch = selectors.batch_for_it(request.user, pk)
    if batch is None:
        raise Http404
    response = HttpResponse(dossier.batch_zip(batch), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="ho-so-chung-thu-so-{batch.pk}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def certificates_upload(request: HttpRequest) -> HttpResponse:
    """Issued certificates back from the CA, as the import_certificates command takes them."""
    if not selectors.is_province_it(request.user):
        raise PermissionDenied
    form = CertificateFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the file the CA sent."))
        return redirect("provisioning:certificates_it")
    report = certificates_import(actor=request.user, data=form.cleaned_data["file"].read(),
                                 token_serial=form.cleaned_data["token_serial"])
    _report_messages(request, report)
    return redirect("provisioning:certificates_it")
