"""Reads of the requests pages."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role, User
from accounts.scopes import within
from provisioning.approvals.models import QuotaRequest
from provisioning.approvals.services import may_decide
from provisioning.units.selectors import mail_policies, unit_paths


def pending_quota_requests(user: User) -> QuerySet:
    """The pending requests of the people under the unit head's units."""
    return within(QuotaRequest.objects.filter(status=QuotaRequest.Status.PENDING), user, Role.UNIT_HEAD,
                  "person__unit__path").select_related("person__unit", "requested_by")


def quota_request_rows(user: User) -> list[dict]:
    """Each pending request with the quota in force, whether this user may decide it and the unit's
    path: a fixed number of queries however many rows (one mail-policy look-up for every unit)."""
    pending = list(pending_quota_requests(user))
    policy = mail_policies()
    paths = unit_paths({r.person.unit_id: r.person.unit for r in pending}.values())
    return [{"r": r, "current": r.person.quota_mb or policy(r.person.unit_id).quota_for(r.person.category),
             "may_decide": may_decide(user, r), "unit_label": paths[r.person.unit_id]} for r in pending]


def quota_requests_for(user: User) -> QuerySet:
    """The requests a user may follow: about people of their HR subtrees or unit-head subtrees, and their own."""
    mine = QuotaRequest.objects.filter(person__uid=user.get_username())
    hr = within(QuotaRequest.objects.all(), user, Role.HR_ADMIN, "person__unit__path")
    heads = within(QuotaRequest.objects.all(), user, Role.UNIT_HEAD, "person__unit__path")
    return (mine | hr | heads).select_related("person__unit", "requested_by", "decided_by").order_by("-created_at",
                                                                                                      "-pk")
