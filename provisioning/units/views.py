from __future__ import annotations

import csv
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Role
from accounts.scopes import covers, is_superadmin
from provisioning.common import spreadsheets
from provisioning.mailboxes.services import unit_set_list
from provisioning.people.models import Person
from provisioning.units.forms import TreeImportForm, UnitForm
from provisioning.units.loading import tree_apply, tree_plan
from provisioning.units.models import Unit
from provisioning.units.selectors import unit_ancestors, unit_managed_by, unit_resolved_settings, units_as_of
from provisioning.units.services import unit_create, unit_update


def _parse_day(text: str | None) -> tuple[dt.date, str | None]:
    today = timezone.localdate()
    if not text:
        return today, None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return today, _("“%(value)s” is not a date. Use the form YYYY-MM-DD, for example 2025-06-30.") % {"value": text}
    if day > today:
        return today, _("The tree can only be shown for today or a past date.")
    return day, None


@require_GET
@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    day, date_error = _parse_day(request.GET.get("as_of"))
    query = " ".join(request.GET.get("q", "").split())[:100]
    rows = units_as_of(day, query=query)
    if request.GET.get("export") == "csv":
        return _export_units(rows, day)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "provisioning/unit_list.html", {
        "page": page, "query": query, "day": day, "is_today": day == timezone.localdate(),
        "date_error": date_error, "total": len(rows),
    }, status=400 if date_error else 200)


def _export_units(rows: list[dict], day) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="units-{day.isoformat()}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    w = csv.writer(response)
    w.writerow([_("Code"), _("Name"), _("Kind"), _("Level"), _("Parent code"), _("Staff"), _("In effect since")])
    parents = {r["unit"].pk: r["unit"].code for r in rows}
    for r in rows:
        v = r["version"]
        cells = (r["unit"].code, v.name, r["kind_label"], r["depth"], parents.get(v.parent_id, ""), r["staff"],
                 v.valid_from.isoformat())
        w.writerow([spreadsheets.neutralise(x) for x in cells])
    return response


@require_GET
@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The tree is public to every signed-in person (the unit list shows it), so every unit page
    opens; its staff (names, user names, positions, status) and the mailbox delegates are shown
    only to the HR officers whose subtree holds the unit, and to the superadmin (AC-02)."""
    unit = get_object_or_404(Unit, code=code)
    ancestors = unit_ancestors(unit)
    domain, rule = unit_resolved_settings(unit, ancestors)
    versions = unit.versions.select_related("parent", "recorded_by").order_by("-valid_from")
    children = unit.children.order_by("name")
    may_manage = unit_managed_by(request.user, unit)
    people = (Paginator(unit.people.order_by("sort_key", "uid"), 50).get_page(request.GET.get("page"))
              if may_manage else None)
    functional = unit.functional_mailboxes.prefetch_related("delegates") if may_manage else \
        unit.functional_mailboxes.all()
    candidates = (Person.objects.filter(unit__path__startswith=unit.path, status="active")
                  .order_by("sort_key", "uid")[:300] if may_manage else [])
    return render(request, "provisioning/unit_detail.html", {
        "functional": functional, "may_manage": may_manage, "candidates": candidates,
        # its HR officer and head reach the unit's certificates page from here (no menu entry of its own)
        "may_see_certificates": may_manage or covers(request.user, Role.UNIT_HEAD, unit.path),
        "can_edit": is_superadmin(request.user), "unit": unit, "ancestors": ancestors, "domain": domain, "rule": rule,
        "versions": versions, "children": children, "people": people,
    })


@require_http_methods(["GET", "POST"])
@login_required
def unit_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """The superadmin creates units and changes them from an effective date."""
    if not is_superadmin(request.user):
        raise PermissionDenied
    unit = get_object_or_404(Unit, code=code) if code else None
    parents = Unit.objects.order_by("path")
    if unit is not None:
        parents = parents.exclude(path__startswith=unit.path)
    form = UnitForm(request.POST or None, parents=parents, initial=UnitForm.initial_for(unit))
    if unit is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():  # the unit and its list together, or neither
                unit = _save_unit(request.user, unit, d)
        except ValidationError as exc:
            unit = get_object_or_404(Unit, code=code) if code else None
            for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                form.add_error("list_local_part" if field == "list_address" else
                               (field if field in form.fields else None), errors)
        else:
            messages.success(request, _("The unit was saved."))
            return redirect("provisioning:unit_detail", code=unit.code)
    return render(request, "provisioning/unit_form.html", {"form": form, "unit": unit},
                  status=400 if form.errors else 200)


def _save_unit(actor, unit: Unit | None, d: dict) -> Unit:
    """Create or change the unit, then its distribution list address (in the caller's transaction)."""
    if unit is None:
        unit = unit_create(actor=actor, code=d["code"], name=d["name"], kind=d["kind"], parent=d["parent"],
                           mail_domain=d["mail_domain"], naming_rule=d["naming_rule"], effective=d["effective"])
        unit = unit_update(actor=actor, unit=unit, effective=d["effective"], mailbox_policy=d["mailbox_policy"],
                           default_quota_mb=d["default_quota_mb"], category_quota_mb=d["category_quotas"])
    else:
        unit = unit_update(actor=actor, unit=unit, effective=d["effective"], name=d["name"], kind=d["kind"],
                           parent=d["parent"], mail_domain=d["mail_domain"], naming_rule=d["naming_rule"],
                           mailbox_policy=d["mailbox_policy"], default_quota_mb=d["default_quota_mb"],
                           category_quota_mb=d["category_quotas"])
    if d["list_local_part"] and d["list_local_part"] != unit.list_address.partition("@")[0]:
        unit = unit_set_list(actor=actor, unit=unit, local_part=d["list_local_part"])
    return unit


@require_http_methods(["GET", "POST"])
@login_required
def unit_tree_import(request: HttpRequest) -> HttpResponse:
    """The superadmin loads or updates the whole tree from a spreadsheet: a dry run first, then for real."""
    if not is_superadmin(request.user):
        raise PermissionDenied
    form = TreeImportForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        plan = tree_plan(upload, upload.name)
        if plan.file_error:
            form.add_error("file", plan.file_error)
        elif not form.cleaned_data["dry_run"]:
            plan = tree_apply(plan, actor=request.user)
    return render(request, "provisioning/unit_import.html", {
        "form": form, "plan": plan, "applied": bool(plan and form.is_valid() and not form.cleaned_data["dry_run"])},
        status=400 if form.errors else 200)
