"""The HR officer's help-desk reset of one person's account (see services)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.helpdesk.forms import HelpdeskResetForm
from accounts.helpdesk.services import helpdesk_reset
from accounts.scopes import hr_required
from accounts.selfservice.letters import letters_response
from directory.errors import DirectoryUnavailable
from provisioning.common.forms import add_errors
from provisioning.people.selectors import person_for_hr


@sensitive_post_parameters("citizen_id")
@never_cache
@hr_required
def helpdesk_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_for_hr(request.user, pk)  # 404 outside the officer's units
    form = HelpdeskResetForm(request.POST or None, initial={"channel": "email" if person.personal_email else "letter"})
    if request.method == "POST" and form.is_valid():
        try:
            code = helpdesk_reset(actor=request.user, person=person, source_ip=request.META.get("REMOTE_ADDR"),
                                  **form.cleaned_data)
        except DirectoryUnavailable:
            return render(request, "accounts/directory_unavailable.html", status=503)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if code is not None:
                return letters_response([(person, code)])
            messages.success(request, _("The old password no longer works. A new activation code is being sent to "
                                        "%(name)s's personal email.") % {"name": person.full_name})
            return redirect("provisioning:person", pk=person.pk)
    return render(request, "accounts/helpdesk_reset.html", {"form": form, "person": person},
                  status=400 if form.errors else 200)
