"""Whose imports a user sees, and which part of the tree their upload may touch (pages and API)."""

from __future__ import annotations

import logging

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Role, User
from accounts.scopes import role_units, within
from provisioning.imports.models import ImportBatch
from provisioning.units.models import Unit

log = logging.getLogger("idm.access")


def batches_for(user: User) -> QuerySet:
    """The batches whose scope lies inside the user's HR subtrees (whoever of them uploaded it: a
    colleague's upload is theirs to finish, and an officer moved to another unit no longer sees the
    old unit's files); every batch for the superadmin. A batch for the whole province (no scope) is
    the superadmin's alone."""
    return within(ImportBatch.objects.select_related("uploaded_by", "scope"), user, Role.HR_ADMIN, "scope__path")


def batch_for(user: User, pk: int) -> ImportBatch:
    """The batch, if it lies inside the user's subtrees; 404 otherwise (no hint it exists)."""
    batch = batches_for(user).filter(pk=pk).first()
    if batch is None:
        log.warning("access refused: %s asked for import %s", user.get_username(), pk)
        raise Http404
    return batch


def upload_scope(user) -> Unit | None:
    """The unit subtree an upload may touch: the superadmin's is everything (None); an HR
    officer with several subtrees uploads within the first (others by choosing later)."""
    paths = role_units(user, Role.HR_ADMIN)
    if paths is None:
        return None
    return Unit.objects.filter(path=paths[0]).first()
