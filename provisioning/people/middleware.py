"""Ends the web session of anyone who is no longer active (SE-04): suspending or offboarding a
person takes effect on their very next request, on every device."""

from __future__ import annotations

from django.contrib.auth import logout
from django.shortcuts import redirect

from accounts.models import User
from provisioning.people.models import Person, PersonStatus


class ActivePersonMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.source == User.Source.DIRECTORY:
            status = Person.objects.filter(uid=user.username).values_list("status", flat=True).first()
            if status != PersonStatus.ACTIVE:
                logout(request)
                return redirect("accounts:login")
        return self.get_response(request)
