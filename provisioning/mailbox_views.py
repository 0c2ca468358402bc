"""Mailbox usage pages: for IT leads, every mailbox in their scope; for a person, their own."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.scopes import has_role, role_units, within
from provisioning import spreadsheets
from provisioning.models import MailboxUsage, Person, PersonStatus, Unit

ACTIVITY = ("never", "inactive30", "inactive90", "active30")
SORTS = {"name": ("family_name", "given_name", "uid"), "unit": ("unit__name", "family_name"),
         "storage": (F("bytes_used").desc(nulls_last=True), "uid"),
         "login": (F("last_login").desc(nulls_last=True), "uid")}


def latest_day() -> dt.date | None:
    return MailboxUsage.objects.order_by("-day").values_list("day", flat=True).first()


def mailboxes_for(user, day: dt.date | None):
    qs = within(Person.objects.filter(mail__isnull=False, mailbox_removed_on__isnull=True), user, Role.IT_LEAD,
                "unit__path").select_related("unit")
    usage = MailboxUsage.objects.filter(person=OuterRef("pk"), day=day)
    return qs.annotate(bytes_used=Subquery(usage.values("bytes_used")[:1]),
                       last_login=Subquery(usage.values("last_login")[:1]),
                       messages=Subquery(usage.values("messages")[:1]))


@require_GET
@login_required
def mailbox_list(request):
    if not has_role(request.user, Role.IT_LEAD):
        raise PermissionDenied
    day = latest_day()
    qs = mailboxes_for(request.user, day)
    unit_code = request.GET.get("unit", "")[:35]
    if unit_code:
        unit = within(Unit.objects.filter(code=unit_code), request.user, Role.IT_LEAD, "path").first()
        qs = qs.filter(unit__path__startswith=unit.path) if unit else qs.none()
    status = request.GET.get("status", "")
    if status in PersonStatus.values:
        qs = qs.filter(status=status)
    activity = request.GET.get("activity", "")
    now = timezone.now()
    if activity == "never":
        qs = qs.filter(last_login__isnull=True)
    elif activity in ("inactive30", "inactive90"):
        days = 30 if activity == "inactive30" else 90
        qs = qs.filter(Q(last_login__isnull=True) | Q(last_login__lt=now - dt.timedelta(days=days)))
    elif activity == "active30":
        qs = qs.filter(last_login__gte=now - dt.timedelta(days=30))
    sort = request.GET.get("sort", "name")
    qs = qs.order_by(*SORTS.get(sort, SORTS["name"]))
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return _export(qs, fmt, day)
    paths = role_units(request.user, Role.IT_LEAD)
    units = Unit.objects.order_by("path").only("code", "name", "depth")
    if paths is not None:
        units = within(units, request.user, Role.IT_LEAD, "path")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = list(_with_quota(page.object_list))
    return render(request, "provisioning/mailbox_list.html", {
        "page": page, "day": day, "units": units,
        "statuses": PersonStatus.choices, "sort": sort, "activity": activity, "unit": unit_code, "status": status,
        "query_string": request.GET.urlencode()})


def _with_quota(people):
    """Each person's quota in bytes (their own, else their unit's default) and the share used;
    yields the people as it goes, so an export never holds them all."""
    from provisioning.sync import has_mailbox
    from provisioning.units import mail_policies

    policy = mail_policies()
    for p in people:
        p.quota_bytes = (p.quota_mb or policy(p.unit_id).quota_for(p.category)) * 1024 * 1024
        if not has_mailbox(p, policy(p.unit_id)):
            p.mailbox_state = _("not issued")
        elif p.status == PersonStatus.ACTIVE:
            p.mailbox_state = _("active")
        else:
            p.mailbox_state = _("disabled")
        p.used_percent = round(100 * p.bytes_used / p.quota_bytes) if p.bytes_used is not None else None
        yield p


def _export(qs, fmt: str, day) -> HttpResponse:
    columns = [("mail", _("Official email")), ("name", _("Name")), ("unit", _("Unit")), ("status", _("Status")),
               ("mailbox", _("Mailbox")),
               ("bytes_used", _("Storage used (bytes)")), ("quota_bytes", _("Quota (bytes)")),
               ("messages", _("Messages")), ("last_login", _("Last login"))]

    def rows():
        for p in _with_quota(qs.iterator(chunk_size=2000)):
            yield {"mail": p.mail, "name": p.full_name, "unit": p.unit.name, "status": p.get_status_display(),
                   "mailbox": p.mailbox_state,
                   "bytes_used": p.bytes_used, "quota_bytes": p.quota_bytes, "messages": p.messages,
                   "last_login": timezone.localtime(p.last_login).strftime("%Y-%m-%d %H:%M") if p.last_login else ""}

    response = HttpResponse(spreadsheets.write_report(rows(), columns, fmt),
                            content_type="text/csv; charset=utf-8" if fmt == "csv" else
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="mailboxes-{day or "none"}.{fmt}"'
    return response


@require_GET
@login_required
def my_account(request):
    """A staff member's own page: who they are in the directory and their mailbox use."""
    person = Person.objects.select_related("unit").filter(uid=request.user.username).first()
    usage = MailboxUsage.objects.filter(person=person).order_by("-day").first() if person else None
    from provisioning.mailboxes import effective_quota_mb

    return render(request, "provisioning/my_account.html", {
        "person": person, "usage": usage, "quota_mb": effective_quota_mb(person) if person else None,
        "requests": person.quota_requests.all()[:5] if person else []})


@require_http_methods(["GET", "POST"])
@login_required
def usage_upload(request):
    """IT leads of provinces whose mail runs elsewhere load its usage export (superadmin or an
    IT lead for the whole province: the figures may cover any unit)."""
    from provisioning.forms import UploadForm
    from provisioning.usage_import import import_usage

    if role_units(request.user, Role.IT_LEAD) is not None and not _province_it_lead(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.IDM_IMPORT_MAX_BYTES:
            form.add_error("file", _("The file is larger than %(mb)s MB. Split it into smaller files.")
                           % {"mb": settings.IDM_IMPORT_MAX_BYTES // 2**20})
        else:
            result = import_usage(upload, upload.name)
            if result.file_error:
                form.add_error("file", result.file_error)
    return render(request, "provisioning/usage_upload.html", {"form": form, "result": result},
                  status=400 if form.errors else 200)


def _province_it_lead(user) -> bool:
    paths = role_units(user, Role.IT_LEAD) or []
    return any(p.count("/") == 2 for p in paths)  # "/<id>/": a top-level unit


@require_http_methods(["POST"])
@login_required
def quota_request_new(request):
    """A person asks for a larger quota for their own mailbox."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect

    from provisioning.mailboxes import quota_request_create

    person = Person.objects.select_related("unit").filter(uid=request.user.username).first()
    if person is None:
        raise PermissionDenied
    try:
        requested = int(request.POST.get("requested_mb", "0"))
    except ValueError:
        requested = 0
    try:
        quota_request_create(actor=request.user, person=person, requested_mb=requested,
                             reason=request.POST.get("reason", "")[:500])
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Your request was sent to the unit head."))
    return redirect("provisioning:me")


@require_http_methods(["GET", "POST"])
@login_required
def quota_requests(request):
    """Unit heads decide the requests of the people in their units."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import get_object_or_404, redirect

    from provisioning.mailboxes import effective_quota_mb, may_decide, quota_request_decide
    from provisioning.models import QuotaRequest

    if not has_role(request.user, Role.UNIT_HEAD):
        raise PermissionDenied
    pending = within(QuotaRequest.objects.filter(status=QuotaRequest.Status.PENDING), request.user, Role.UNIT_HEAD,
                     "person__unit__path").select_related("person__unit", "requested_by")
    if request.method == "POST":
        req = get_object_or_404(pending, pk=request.POST.get("request") or 0)
        try:
            quota_request_decide(actor=request.user, request=req, approve=request.POST.get("decision") == "approve",
                                 note=request.POST.get("note", ""))
        except (ValidationError, PermissionDenied):
            messages.error(request, _("You cannot decide this request (it may be your own)."))
        else:
            messages.success(request, _("The decision was recorded."))
        return redirect("provisioning:quota_requests")
    rows = []
    for r in pending:
        rows.append({"r": r, "current": effective_quota_mb(r.person), "may_decide": may_decide(request.user, r)})
    return render(request, "provisioning/quota_requests.html", {"rows": rows})
