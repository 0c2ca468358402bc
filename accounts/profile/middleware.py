"""An administrator set this person's password and asked for a change (pwdReset): until the person
chooses their own, every page leads to the change form (PW-17)."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

from accounts.profile.services import MUST_CHANGE


class ForcedPasswordChangeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.get(MUST_CHANGE) and request.user.is_authenticated:
            allowed = (reverse("password_change"), reverse("accounts:logout"))
            if request.path not in allowed and not request.path.startswith(("/static/", "/i18n/", "/healthz")):
                return redirect("password_change")
        return self.get_response(request)
