"""Reads of the import pages."""

from __future__ import annotations

import logging

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Role, User
from accounts.scopes import within
from provisioning.imports.models import ImportBatch

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
