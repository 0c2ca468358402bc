from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from accounts.forms import LoginForm
from accounts.models import User
from accounts.profile.services import login_begin, password_after_login
from accounts.timing import refusals_padded
from directory.errors import DirectoryUnavailable
from idm.http import same_site


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@refusals_padded  # AU-04: unknown names are not refused sooner than wrong passwords
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            valid = form.is_valid()
        except DirectoryUnavailable:
            # AU-06: fail closed, and say so instead of "wrong password"
            return render(request, "accounts/directory_unavailable.html", status=503)
        if valid:
            user = form.get_user()
            directory = user.source == User.Source.DIRECTORY
            login_begin(request, user, must_change=directory and getattr(user, "directory_must_change", False))
            if directory:  # PW-15: an old hash is rewritten from the password just proved (outside the commit)
                password_after_login(request, form.cleaned_data["password"],
                                     must_change=getattr(user, "directory_must_change", False))
            return redirect(same_site(request, form.cleaned_data["next"] or request.GET.get("next"), "home"))
    next_url = request.GET.get("next", "")
    throttled = form.is_bound and form.has_error("__all__", "throttled")  # AU-01: 429, the same for any name
    return render(request, "accounts/login.html", {"form": form, "next": next_url, "throttled": throttled},
                  status=429 if throttled else 400 if form.is_bound else 200)


# logging out is one commit: its audit row (accounts/signals.py) and the session's deletion together
logout_view = transaction.atomic(auth_views.LogoutView.as_view())
