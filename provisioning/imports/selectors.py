"""Whose imports a user sees, and which part of the tree their upload may touch (pages and API)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role, User
from accounts.scopes import one_in_scope, role_units, within
from provisioning.imports.models import ImportBatch
from provisioning.units.models import Unit


def batches_for(user: User) -> QuerySet:
    """The batches whose scope lies inside the user's HR subtrees (whoever of them uploaded it: a
    colleague's upload is theirs to finish, and an officer moved to another unit no longer sees the
    old unit's files); every batch for the superadmin. A batch for the whole province (no scope) is
    the superadmin's alone."""
    return within(ImportBatch.objects.select_related("uploaded_by", "scope"), user, Role.HR_ADMIN, "scope__path")


def batch_for(user: User, pk: int) -> ImportBatch:
    """The batch, if it lies inside the user's subtrees; 404 otherwise (no hint it exists)."""
    return one_in_scope(batches_for(user), user, pk, "import")


def upload_scope(user) -> Unit | None:
    """The unit subtree an upload may touch: the superadmin's is everything (None); an HR
    officer with several subtrees uploads within the first (others by choosing later)."""
    paths = role_units(user, Role.HR_ADMIN)
    if paths is None:
        return None
    return Unit.objects.filter(path=paths[0]).first()
