from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from accounts.scopes import has_role, within
from provisioning.approvals.models import QuotaRequest
from provisioning.approvals.services import may_decide, quota_request_create, quota_request_decide
from provisioning.people.models import Person
from provisioning.units.selectors import mail_policies, unit_paths


@require_http_methods(["POST"])
@login_required
def quota_request_new(request):
    """A person asks for a larger quota for their own mailbox."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect


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
    return redirect("me")


@require_http_methods(["GET", "POST"])
@login_required
def quota_requests(request):
    """Unit heads decide the requests of the people in their units."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import get_object_or_404, redirect


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
    pending = list(pending)
    policy = mail_policies()  # every unit once, instead of each row's ancestors (N+1)
    paths = unit_paths({r.person.unit_id: r.person.unit for r in pending}.values())
    rows = [{"r": r, "current": r.person.quota_mb or policy(r.person.unit_id).quota_for(r.person.category),
             "may_decide": may_decide(request.user, r), "unit_label": paths[r.person.unit_id]} for r in pending]
    return render(request, "provisioning/quota_requests.html", {"rows": rows})
