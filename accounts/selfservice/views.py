from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Case, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET

from accounts.selfservice.forms import ActivationForm
from accounts.selfservice.services import activation_redeem
from directory.errors import DirectoryUnavailable
from provisioning.common.forms import add_errors
from provisioning.mailboxes.models import MailboxUsage
from provisioning.mailboxes.services import effective_quota_mb
from provisioning.mailboxes.stores import mailbox_being_prepared
from provisioning.people.models import Person
from provisioning.units.selectors import unit_paths


@require_GET
@login_required
def my_account(request: HttpRequest) -> HttpResponse:
    """A staff member's own page: who they are in the directory and their mailbox use."""
    person = Person.objects.select_related("unit").filter(uid=request.user.username).first()
    # the latest day's row; after a transfer to another domain, the current address's row of that day
    usage = (MailboxUsage.objects.filter(person=person)
             .order_by("-day", Case(When(address=person.mail, then=Value(0)), default=Value(1))).first()
             if person else None)

    return render(request, "provisioning/my_account.html", {
        "person": person, "usage": usage, "mailbox_preparing": mailbox_being_prepared(person),
        "unit_label": unit_paths([person.unit])[person.unit_id] if person else "",
        "quota_mb": effective_quota_mb(person) if person else None,
        "aliases": [a.address for a in person.addresses.all() if a.address != person.mail] if person else [],
        "requests": person.quota_requests.all()[:5] if person else [],
        "certificates": person.certificates.all() if person else [],
        "certificate_requests": person.certificate_requests.all()[:5] if person else []})


@sensitive_post_parameters("password", "password2", "code")
@csrf_protect
@never_cache
def activate_view(request: HttpRequest) -> HttpResponse:
    """Public: a new person sets their first password with the code from HR."""
    from django.core.exceptions import ValidationError

    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = activation_redeem(uid=d["uid"], code=d["code"], password=d["password"],
                                       password2=d["password2"], source_ip=request.META.get("REMOTE_ADDR"))
        except DirectoryUnavailable:
            return render(request, "accounts/directory_unavailable.html", status=503)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return render(request, "accounts/activated.html", {"uid": person.uid, "mail": person.mail})
    # The site-wide Referrer-Policy (same-origin) applies: under no-referrer Chromium posts this form with
    # "Origin: null", which the CSRF check refuses. The URL carries no secret (the code is typed in).
    return render(request, "accounts/activate.html", {"form": form}, status=400 if form.errors else 200)
