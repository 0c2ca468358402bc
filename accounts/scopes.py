"""Who may see and change what: HR officers work inside the unit subtrees they were given;
the superadmin everywhere. Deny by default (AC-01)."""

from __future__ import annotations

import logging
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from accounts.models import Role, RoleAssignment, User

log = logging.getLogger("idm.access")


def role_units(user: User, role: str):
    """The units a user holds `role` over; None means everywhere (the superadmin)."""
    if not user.is_authenticated:
        return []
    if user.is_superuser and user.source == User.Source.LOCAL:
        return None
    cache = getattr(user, "_role_units", None)
    if cache is None:
        cache = {}
        for r, unit in RoleAssignment.objects.filter(person__uid=user.username, person__status="active") \
                .select_related("unit").values_list("role", "unit__path"):
            cache.setdefault(r, []).append(unit)
        user._role_units = cache
    return cache.get(role, [])


def has_role(user: User, role: str) -> bool:
    units = role_units(user, role)
    return units is None or bool(units)


def covers(user: User, role: str, unit_path: str) -> bool:
    """Whether the user holds `role` over the unit at `unit_path` (one of their subtrees holds it):
    the in-memory twin of `within`, for an object already loaded."""
    paths = role_units(user, role)
    return paths is None or any(unit_path.startswith(p) for p in paths)


def within(queryset: QuerySet, user: User, role: str, unit_path_field: str) -> QuerySet:
    """Narrow a queryset to the user's subtrees: one query, however many subtrees."""
    paths = role_units(user, role)
    if paths is None:
        return queryset
    if not paths:
        return queryset.none()
    q = Q()
    for p in paths:
        q |= Q(**{f"{unit_path_field}__startswith": p})
    return queryset.filter(q)


def hr_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if not has_role(request.user, Role.HR_ADMIN):
            raise PermissionDenied  # logged by the 403 page (idm.errors), like every refusal
        return view(request, *args, **kwargs)

    return wrapper
