"""HR pages for people: the staff list, one person, onboarding, lifecycle actions, activation."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import ActivationCode
from accounts.scopes import hr_required
from accounts.selfservice.letters import letters_response
from accounts.selfservice.services import activation_issue
from accounts.selfservice.tasks import send_activation_email
from idm.http import same_site
from provisioning.audit.models import AuditEntry
from provisioning.common import spreadsheets
from provisioning.common.forms import add_errors
from provisioning.mailboxes.stores import mailbox_being_prepared
from provisioning.people.forms import (
    LeaveForm,
    LettersForm,
    LifecycleForm,
    PersonActionForm,
    PersonForm,
    RehireForm,
    ReinstateForm,
    SuspendForm,
    TransferForm,
)
from provisioning.people.models import PersonStatus
from provisioning.people.selectors import SORTS, directory_state, filtered_people, people_for_hr, person_for_hr
from provisioning.people.services import person_onboard, person_set_status, person_transfer, person_update
from provisioning.units.selectors import label_units, unit_choices, unit_paths, units_for_hr

EXPORT_COLUMNS = ["uid", "employee_code", "full_name", "unit", "unit_code", "position", "category", "status", "mail"]


@require_GET
@hr_required
def people_list(request: HttpRequest) -> HttpResponse:
    form, qs = filtered_people(request)
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return _export(qs, fmt)
    page = Paginator(qs.only("pk", "uid", "employee_code", "family_name", "middle_name", "given_name", "name_order",
                             "position", "status", "mail", "unit__name", "unit__code", "unit__path"),
                     50).get_page(request.GET.get("page"))
    units = unit_choices(units_for_hr(request.user).only("code", "name", "path"))
    page.object_list = label_units(page.object_list, known=[u for u, _label in units])
    sort = request.GET.get("sort", "") if request.GET.get("sort", "").removeprefix("-") in SORTS else "name"
    return render(request, "provisioning/people_list.html", {
        "form": form, "page": page, "units": units, "statuses": PersonStatus.choices,
        "query_string": request.GET.urlencode(), "sort": sort,
        # a column header sorts by it, and again the other way round
        "sort_next": {c: f"-{c}" if sort == c else c for c in SORTS}})


def _export(qs, fmt: str) -> HttpResponse:
    labels = [_("User name"), _("Employee code"), _("Full name"), _("Unit"), _("Unit code"), _("Position"),
              _("Category"), _("Status"), _("Official email")]

    def rows():
        for p in qs.iterator(chunk_size=2000):
            yield {"uid": p.uid, "employee_code": p.employee_code, "full_name": p.full_name, "unit": p.unit.name,
                   "unit_code": p.unit.code, "position": p.position, "category": p.get_category_display(),
                   "status": p.get_status_display(), "mail": p.mail or ""}

    body = spreadsheets.write_report(rows(), list(zip(EXPORT_COLUMNS, labels, strict=True)), fmt)
    ctype = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="staff-{timezone.localdate().isoformat()}.{fmt}"'
    return response


@require_http_methods(["GET", "POST"])
@hr_required
def person_new(request: HttpRequest) -> HttpResponse:
    units = units_for_hr(request.user).order_by("path")
    form = PersonForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = person_onboard(
                actor=request.user, unit=d["unit"], family=d["family_name"], middle=d["middle_name"],
                given=d["given_name"], name_order=d["name_order"], employee_code=d["employee_code"],
                position=d["position"], category=d["category"], personal_email=d["personal_email"], phone=d["phone"],
                citizen_id=d["citizen_id"])
            if d.get("mailbox_decision"):
                person = person_update(actor=request.user, person=person, mailbox_decision=d["mailbox_decision"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was added as %(uid)s. Send an activation code so they can set "
                                        "a password.") % {"name": person.full_name, "uid": person.uid})
            return redirect("provisioning:person", pk=person.pk)
    return render(request, "provisioning/person_form.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
@hr_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_hr(request.user, pk)
    return render(request, "provisioning/person_detail.html", {
        "person": person, "addresses": person.addresses.order_by("-kind", "address"),
        "sync": directory_state(person),
        "mailbox_preparing": mailbox_being_prepared(person),
        "audit": AuditEntry.objects.filter(target_type="person", target_id=str(person.pk))[:50],
        "activation": ActivationCode.objects.filter(person=person).first(),
        "unit_label": unit_paths([person.unit])[person.unit_id],
        "has_cid": bool(person.citizen_id_encrypted),
        "certificates": person.certificates.order_by("-not_after")[:20],
        "certificate_requests": person.certificate_requests.order_by("-created_at")[:10],
    })


@require_http_methods(["GET", "POST"])
@hr_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_hr(request.user, pk)
    units = units_for_hr(request.user).order_by("path")
    initial = {f: getattr(person, f) for f in ("employee_code", "family_name", "middle_name", "given_name",
                                               "name_order", "position", "category", "personal_email", "phone",
                                               "mailbox_decision")}
    form = PersonForm(request.POST or None, units=units, person=person, initial=initial | {"unit": person.unit})
    form.fields["employee_code"].disabled = True
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        changes = {f: d[f] for f in ("family_name", "middle_name", "given_name", "name_order", "position", "category",
                                     "personal_email", "phone", "mailbox_decision")} | {"unit": d["unit"]}
        if not d["name_order"]:
            del changes["name_order"]  # not sent: keep the person's
        if d["citizen_id"]:
            changes["citizen_id"] = d["citizen_id"]
        try:
            person_update(actor=request.user, person=person, **changes)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("provisioning:person", pk=person.pk)
    return render(request, "provisioning/person_form.html", {"form": form, "person": person},
                  status=400 if form.errors else 200)


@dataclass(frozen=True)
class LifecycleStep:
    form: type[LifecycleForm]
    title: str  # lazy, with %(name)s
    explains: str
    done: str
    status: str = ""  # the status it sets; empty for a transfer


LIFECYCLE_STEPS = {
    "suspend": LifecycleStep(SuspendForm, gettext_lazy("Suspend %(name)s"),
                             gettext_lazy("Login and mail are refused as soon as you confirm."),
                             gettext_lazy("%(name)s is suspended: login and mail are refused from now on."),
                             PersonStatus.SUSPENDED),
    "reinstate": LifecycleStep(ReinstateForm, gettext_lazy("Reinstate %(name)s"),
                               gettext_lazy("Login and mail work again as soon as you confirm."),
                               gettext_lazy("%(name)s is active again."), PersonStatus.ACTIVE),
    "leave": LifecycleStep(LeaveForm, gettext_lazy("Mark %(name)s as left"),
                           gettext_lazy("Login is refused as soon as you confirm; the mailbox is kept for the "
                                        "retention period, counted from the effective date."),
                           gettext_lazy("%(name)s has left. Login is refused; the mailbox is kept for the "
                                        "retention period."), PersonStatus.LEFT),
    "rehire": LifecycleStep(RehireForm, gettext_lazy("Rehire %(name)s"),
                            gettext_lazy("The person gets back the same user name and address."),
                            gettext_lazy("%(name)s is rehired with the same user name and address."),
                            PersonStatus.ACTIVE),
    "transfer": LifecycleStep(TransferForm, gettext_lazy("Transfer %(name)s"),
                              gettext_lazy("The user name stays. When the new unit has another mail domain, the "
                                           "person gets an address there and keeps the old one as an alias."),
                              gettext_lazy("%(name)s now works in %(unit)s.")),
}


@require_http_methods(["GET", "POST"])
@hr_required
def person_lifecycle(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Suspend, reinstate, leave, rehire or transfer: a page that asks from when and why, then does it."""
    person = person_for_hr(request.user, pk)
    step = LIFECYCLE_STEPS[action]
    form = step.form(request.POST or None, person=person, units=units_for_hr(request.user).order_by("path"))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if step.status:
                person_set_status(actor=request.user, person=person, status=step.status, on=d["effective_on"],
                                  reason=d["reason"])
            else:
                person = person_transfer(actor=request.user, person=person, unit=d["unit"], position=d["position"],
                                         on=d["effective_on"], reason=d["reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            unit = unit_paths([person.unit])[person.unit_id]
            messages.success(request, step.done % {"name": person.full_name, "unit": unit})
            return redirect("provisioning:person", pk=person.pk)
    return render(request, "provisioning/person_lifecycle.html", {
        "person": person, "form": form, "title": step.title % {"name": person.full_name}, "explains": step.explains,
        "unit_label": unit_paths([person.unit])[person.unit_id]}, status=400 if form.errors else 200)


@require_POST
@hr_required
def person_action(request: HttpRequest, pk: int) -> HttpResponse:
    """The buttons of the person page that need no confirmation (an activation email)."""
    person = person_for_hr(request.user, pk)
    form = PersonActionForm(request.POST)
    action = form.cleaned_data["action"] if form.is_valid() else ""
    if action in LIFECYCLE_STEPS:  # a person page from before the confirmation step: confirm first
        return redirect(f"provisioning:person_{action}", pk=person.pk)
    try:
        if action != "activation_email":
            raise ValidationError(_("Unknown action."))
        if person.status != PersonStatus.STAGED or not person.personal_email:
            raise ValidationError(_("An activation email needs a person who has not activated yet and a "
                                    "personal email on file."))
        send_activation_email.delay(person.pk, request.user.pk)
        messages.success(request, _("The activation code is being sent to the personal email on file."))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    except Exception as exc:  # broker down while publishing the email task
        if exc.__class__.__module__.startswith(("kombu", "redis", "celery")):
            messages.error(request, _("The background service is unavailable; try again in a few minutes."))
        else:
            raise
    return redirect("provisioning:person", pk=person.pk)


@require_POST
@hr_required
def activation_letters(request: HttpRequest) -> HttpResponse:
    """One PDF with a letter (and a fresh code) for each selected person who has not activated."""
    form = LettersForm(request.POST)
    ids = form.cleaned_data["person"] if form.is_valid() else []
    people = list(people_for_hr(request.user).filter(pk__in=ids, status=PersonStatus.STAGED).select_related("unit"))
    if not people:
        messages.error(request, _("Choose at least one person who has not activated yet."))
        return redirect(same_site(request, form.data.get("back"), "provisioning:people"))
    return letters_response((p, activation_issue(actor=request.user, person=p, channel=ActivationCode.Channel.LETTER))
                            for p in people)
