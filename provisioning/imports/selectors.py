"""Whose imports a user sees, and which part of the tree their upload may touch (pages and API)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role
from accounts.scopes import role_units
from provisioning.imports.models import ImportBatch
from provisioning.units.models import Unit


def batches_for(user) -> QuerySet:
    """The superadmin sees every import; an HR officer their own uploads."""
    paths = role_units(user, Role.HR_ADMIN)
    qs = ImportBatch.objects.select_related("uploaded_by", "scope")
    return qs if paths is None else qs.filter(uploaded_by=user)


def upload_scope(user) -> Unit | None:
    """The unit subtree an upload may touch: the superadmin's is everything (None); an HR
    officer with several subtrees uploads within the first (others by choosing later)."""
    paths = role_units(user, Role.HR_ADMIN)
    if paths is None:
        return None
    return Unit.objects.filter(path=paths[0]).first()
