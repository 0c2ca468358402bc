"""Who may call which endpoint at all: the same role checks as the pages' decorators. Which objects
they reach is the selectors' business (404 outside their scope)."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from accounts.models import Role
from accounts.scopes import has_role, is_superadmin


class HrOfficer(BasePermission):
    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.HR_ADMIN)


class ItLead(BasePermission):
    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.IT_LEAD)


class UnitHeadOrHrOfficer(BasePermission):
    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.HR_ADMIN) or has_role(request.user, Role.UNIT_HEAD)


class SuperadminWrites(BasePermission):
    """Anyone signed in reads; only the superadmin writes (the unit tree, distribution lists). A view's
    permission_classes replace the default IsAuthenticated, so this one asks for a signed-in caller itself."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        return request.method in ("GET", "HEAD", "OPTIONS") or is_superadmin(request.user)
