"""Reading the audit trail: who may read which entries, and the page's filters."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from accounts.scopes import has_role, province_wide, within
from provisioning.audit.models import AuditEntry


def reads_everything(user: User) -> bool:
    """The superadmin and the province's IT leads read the whole trail."""
    return province_wide(user, Role.IT_LEAD)


def in_reader_scope(queryset: QuerySet, user: User, unit_path_field: str) -> QuerySet:
    """The rows inside the subtrees where the user is HR officer or IT lead."""
    return within(queryset, user, Role.HR_ADMIN, unit_path_field) | \
        within(queryset, user, Role.IT_LEAD, unit_path_field)


def audit_for_reader(user: User) -> QuerySet:
    """The entries `user` may read: all for the superadmin and the province's IT leads; for an HR
    officer or a unit's IT lead those about people and units inside their subtrees (by the unit each
    entry is about; entries about no unit, such as a whole import or a refused sign-in by an unknown
    name, are not theirs). PermissionDenied for anyone else."""
    if reads_everything(user):
        return AuditEntry.objects.all()
    if not (has_role(user, Role.HR_ADMIN) or has_role(user, Role.IT_LEAD)):
        raise PermissionDenied
    return in_reader_scope(AuditEntry.objects.all(), user, "unit__path")


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
