"""Certificate pages: a person's request, the unit's requests and certificates for its HR officer
and head, the province's queue and batches for IT."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from accounts.scopes import has_role
from provisioning.certificates import dossier, internal, selectors, services
from provisioning.certificates.fields import LABELS
from provisioning.certificates.forms import BatchForm, CertificateFileForm, CsrForm, DecisionForm, PersonalRequestForm
from provisioning.certificates.issued import certificates_import
from provisioning.certificates.models import CertKind, RequestType
from provisioning.common.forms import add_errors


@require_http_methods(["GET", "POST"])
@login_required
def my_request(request: HttpRequest) -> HttpResponse:
    """A person asks for their own personal certificate (Mẫu 01), or uploads a CSR for the internal CA."""
    person = selectors.my_person(request.user)
    if person is None:
        raise PermissionDenied
    form = PersonalRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_create(actor=request.user, kind=CertKind.PERSONAL, type_=RequestType.NEW,
                                    person=person, form=form.form_values())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Your request was sent to the unit head."))
            return redirect("me")
    prefill = services.prefill(kind=CertKind.PERSONAL, type_=RequestType.NEW, person=person, unit=person.unit)
    known = [(LABELS[k], v) for k, v in prefill.items() if k in LABELS and k != "device_type"]
    return render(request, "provisioning/certificates/request.html",
                  {"form": form, "prefill": known, "csr_form": CsrForm()}, status=400 if form.errors else 200)


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
        "batches": selectors.batches(request.user)[:50], "upload": CertificateFileForm() if province else None})


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
    else:
        messages.success(request, _("The batch is marked as sent to the CA."))
    return redirect("provisioning:certificates_it")


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
    for cert in report.recorded:
        messages.success(request, _("Recorded %(serial)s for %(who)s.") % {"serial": cert.serial,
                                                                         "who": cert.person or cert.unit})
    for what, why in report.refused:
        messages.error(request, f"{what}: {why}")
    return redirect("provisioning:certificates_it")
