"""Reading the audit trail: who may read which entries, and the page's filters."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from accounts.scopes import has_role, role_units, within
from provisioning.audit.models import AuditEntry


def reads_everything(user: User) -> bool:
    """The superadmin and IT leads read the whole trail."""
    return role_units(user, Role.HR_ADMIN) is None or has_role(user, Role.IT_LEAD)


def audit_for_reader(user: User) -> QuerySet:
    """The entries `user` may read: all for the superadmin and IT leads; for an HR officer those
    about people and units inside their subtrees (by the unit each entry is about; entries about no
    unit, such as a whole import or a refused sign-in by an unknown name, are not theirs).
    PermissionDenied for anyone else."""
    if reads_everything(user):
        return AuditEntry.objects.all()
    if not has_role(user, Role.HR_ADMIN):
        raise PermissionDenied
    return within(AuditEntry.objects.all(), user, Role.HR_ADMIN, "unit__path")


def audit_filtered(entries: QuerySet, *, person: str = "", unit_path: str | None = None, actor: str = "",
                   action: str = "", date_from: dt.date | None = None, date_to: dt.date | None = None) -> QuerySet:
    """Newest first. `person` matches a user name or a name in the entry's label ("Nguyễn Tiến Hoàng
    (hoangnt)", "hoangnt: hr_admin @ ..."); `unit_path` keeps the unit's subtree; the days are the
    province's local days, both included."""
    if person:
        entries = entries.filter(Q(target_label__icontains=person) | Q(target_id=person))
    if unit_path is not None:
        entries = entries.filter(unit__path__startswith=unit_path)
    if actor:
        entries = entries.filter(actor_label__icontains=actor)
    if action:
        entries = entries.filter(action=action)
    if date_from:
        entries = entries.filter(at__gte=_start_of(date_from))
    if date_to:
        entries = entries.filter(at__lt=_start_of(date_to + dt.timedelta(days=1)))
    return entries.order_by("-seq")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
