from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.scopes import province_wide, role_units
from provisioning.outbox.models import DirectoryChange
from provisioning.people.models import Person, PersonStatus
from provisioning.units.models import Unit


def _scope(user) -> list[str] | None:
    """The unit subtrees whose figures this user may see: those they hold HR or IT lead over;
    None for the whole province (the superadmin)."""
    paths: list[str] = []
    for role in (Role.HR_ADMIN, Role.IT_LEAD):
        units = role_units(user, role)
        if units is None:
            return None
        paths += units
    return paths


def _counts(paths: list[str] | None) -> dict:
    units, people = Unit.objects.all(), Person.objects.all()
    if paths is not None:
        units = units.filter(_under(paths, "path"))
        people = people.filter(_under(paths, "unit__path"))
    return {"units": units.count(), "people": people.count(),
            "active": people.filter(status=PersonStatus.ACTIVE).count()}


def _under(paths: list[str], field: str) -> Q:
    q = Q()
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each user's own overview: figures only for the units their role covers (the province's
    directory queue only for the superadmin and an IT lead of the whole province); for everyone,
    their own account."""
    paths = _scope(request.user)
    counts = _counts(paths) if paths is None or paths else None
    if province_wide(request.user, Role.IT_LEAD):
        counts = (counts or {}) | {
            "pending": DirectoryChange.objects.filter(status__in=["pending", "running"]).count(),
            "failed": DirectoryChange.objects.filter(status="failed").count()}
    person = Person.objects.select_related("unit").filter(uid=request.user.get_username()).first()
    return render(request, "provisioning/home.html", {"counts": counts, "person": person})
