"""Who may see and change what: HR officers, unit heads and IT leads work inside the unit subtrees
they were given; the superadmin everywhere. Deny by default (AC-01).

A role over a unit comes from either of two places, and the union counts:
- an assignment made in idm (RoleAssignment, granted and revoked by accounts.roles.services);
- membership of a directory group under ou=groups (read through directory/ only): ``idm-hr-<unit code>``
  (HR officer), ``idm-head-<unit code>`` (unit head), ``idm-it-<unit code>`` (IT lead) over that unit and
  everything below it, and ``idm-it-leads`` (IT lead of the whole province). Groups naming an unknown unit
  are ignored. Never the superadmin: that is the local bootstrap account only.

Both are read once per request (kept on the request's user object) and never longer, so a revoked
assignment or a removed group member is refused on their next request (AC-04). When the directory cannot
say which groups someone is in, their group roles count as none (fail closed, AC-05).
"""

from __future__ import annotations

import logging
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from accounts.models import Role, RoleAssignment, User
from directory import gateway
from directory.errors import DirectoryError

log = logging.getLogger("idm.access")

PROVINCE_IT_GROUP = "idm-it-leads"
GROUP_PREFIXES = {"idm-hr-": Role.HR_ADMIN, "idm-head-": Role.UNIT_HEAD, "idm-it-": Role.IT_LEAD}


def role_groups(names: list[str]) -> dict[str, set[str]]:
    """Directory group names -> {role: unit codes}; ``""`` stands for the whole province."""
    found: dict[str, set[str]] = {}
    for name in names:
        if name == PROVINCE_IT_GROUP:
            found.setdefault(Role.IT_LEAD, set()).add("")
            continue
        for prefix, role in GROUP_PREFIXES.items():
            if name.startswith(prefix) and len(name) > len(prefix):
                found.setdefault(role, set()).add(name[len(prefix):])
    return found


def _directory_roles(user: User) -> dict[str, list[str]]:
    """{role: unit paths} from the user's directory groups; {} when there are none or the directory
    cannot answer (fail closed). SQL is asked only when the person is in one of our groups."""
    if user.source != User.Source.DIRECTORY:
        return {}
    try:
        wanted = role_groups(gateway.memberships(user.get_username()))
    except DirectoryError as exc:
        log.warning("access: the directory could not list %s's groups (%s); their group roles are refused",
                    user.get_username(), exc.__class__.__name__)
        return {}
    if not wanted:
        return {}
    # the models of provisioning, reached through the assignment's relations: accounts' base imports no app
    person_model = RoleAssignment._meta.get_field("person").related_model
    unit_model = RoleAssignment._meta.get_field("unit").related_model
    if not person_model.objects.filter(uid=user.get_username(), status="active").exists():
        return {}
    codes = set().union(*wanted.values()) - {""}
    paths = dict(unit_model.objects.filter(code__in=codes).values_list("code", "path"))
    tops = list(unit_model.objects.filter(parent__isnull=True).values_list("path", flat=True)) \
        if any("" in c for c in wanted.values()) else []
    out: dict[str, list[str]] = {}
    for role, role_codes in wanted.items():
        out[role] = sorted({paths[c] for c in role_codes if c in paths} | (set(tops) if "" in role_codes else set()))
    return out


def is_superadmin(user) -> bool:
    """The local bootstrap superadmin (never a directory user, whatever its flags)."""
    return bool(user.is_authenticated and user.is_superuser and user.source == User.Source.LOCAL)


def role_units(user: User, role: str):
    """The units a user holds `role` over; None means everywhere (the superadmin)."""
    if not user.is_authenticated:
        return []
    if is_superadmin(user):
        return None
    cache = getattr(user, "_role_units", None)
    if cache is None:
        cache = {}
        for r, unit in RoleAssignment.objects.filter(person__uid=user.username, person__status="active") \
                .select_related("unit").values_list("role", "unit__path"):
            cache.setdefault(r, []).append(unit)
        for r, paths in _directory_roles(user).items():
            cache.setdefault(r, []).extend(p for p in paths if p not in cache[r])
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


def province_wide(user: User, role: str) -> bool:
    """Whether the user holds `role` over a whole province (a top-level unit, path "/<id>/"), as the
    ``idm-it-leads`` group gives: the superadmin always. A province's IT lead loads usage files, sends
    the CA's batches and reads the whole audit trail; an IT lead of a unit does so for nothing."""
    paths = role_units(user, role)
    return paths is None or any(p.count("/") == 2 for p in paths)


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
