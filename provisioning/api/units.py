"""/api/v1/units/: the tree (readable by anyone signed in, as on the unit pages), created and changed
by the superadmin through unit_create/unit_update with the unit form's rules."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from provisioning.api.errors import form_detail
from provisioning.api.permissions import SuperadminWrites
from provisioning.api.serializers import StrictSerializer, read_input
from provisioning.common.naming import NamingRule
from provisioning.people.models import PersonCategory
from provisioning.units.forms import UnitForm
from provisioning.units.models import Unit, UnitKind
from provisioning.units.selectors import unit_ancestors, unit_resolved_settings, units_as_of
from provisioning.units.services import unit_create, unit_update


class UnitRowSerializer(serializers.Serializer):
    """A unit as the tree stood on the day asked for (today by default)."""

    code = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="version.name")
    kind = serializers.ChoiceField(source="version.kind", choices=UnitKind.choices)
    parent = serializers.CharField(source="parent_code", allow_null=True)
    depth = serializers.IntegerField()
    staff = serializers.IntegerField()
    valid_from = serializers.DateField(source="version.valid_from")


class UnitRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=UnitKind.choices)


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    ancestors = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()
    resolved_mail_domain = serializers.SerializerMethodField()
    resolved_naming_rule = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "parent", "depth", "mail_domain", "naming_rule", "mailbox_policy",
                  "default_quota_mb", "category_quota_mb", "list_address", "valid_from", "ancestors", "children",
                  "resolved_mail_domain", "resolved_naming_rule"]
        read_only_fields = fields

    def _resolved(self, unit: Unit) -> tuple[str, str]:
        if not hasattr(unit, "_resolved"):
            unit._ancestors = unit_ancestors(unit)
            unit._resolved = unit_resolved_settings(unit, unit._ancestors)
        return unit._resolved

    @extend_schema(responses=UnitRefSerializer(many=True))
    def get_ancestors(self, unit: Unit) -> list[dict]:
        self._resolved(unit)
        return UnitRefSerializer(unit._ancestors, many=True).data

    @extend_schema(responses=UnitRefSerializer(many=True))
    def get_children(self, unit: Unit) -> list[dict]:
        return UnitRefSerializer(unit.children.order_by("name"), many=True).data

    def get_resolved_mail_domain(self, unit: Unit) -> str:
        return self._resolved(unit)[0]

    def get_resolved_naming_rule(self, unit: Unit) -> str:
        return self._resolved(unit)[1]


class UnitFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    as_of = serializers.DateField(required=False)

    def validate_as_of(self, day):
        if day > timezone.localdate():
            raise serializers.ValidationError(_("The tree can only be shown for today or a past date."))
        return day


class UnitWriteSerializer(StrictSerializer):
    code = serializers.CharField(max_length=35)
    name = serializers.CharField(max_length=255)
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    parent = serializers.CharField(max_length=35, required=False, allow_blank=True, allow_null=True)
    mail_domain = serializers.CharField(max_length=253, required=False, allow_blank=True)
    naming_rule = serializers.ChoiceField(choices=[("", "")] + list(NamingRule.choices), required=False)
    mailbox_policy = serializers.CharField(max_length=64, required=False, allow_blank=True)
    default_quota_mb = serializers.IntegerField(required=False, allow_null=True, min_value=10, max_value=1_000_000)
    category_quota_mb = serializers.DictField(child=serializers.IntegerField(min_value=10, max_value=1_000_000),
                                              required=False)
    effective = serializers.DateField(required=False, help_text="Today or a past date; today when left out.")

    def validate_category_quota_mb(self, value: dict) -> dict:
        unknown = sorted(k for k in value if k not in PersonCategory.values)
        if unknown:
            raise serializers.ValidationError(_("Unknown category: %(list)s.") % {"list": ", ".join(unknown)})
        return value


class UnitUpdateSerializer(UnitWriteSerializer):
    code = None  # the code never changes

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.required = False


def _unit_form(data: dict, unit: Unit | None) -> dict:
    """The unit form's rules over the API's values (the same checks as the page), or a 400."""
    current = UnitForm.initial_for(unit)
    values = {**current, **{k: v for k, v in data.items() if k not in ("category_quota_mb", "parent")}}
    if unit is not None:
        values["code"] = unit.code
        values["parent"] = unit.parent_id
    if "parent" in data:
        parent = Unit.objects.filter(code=data["parent"]).first() if data["parent"] else None
        if data["parent"] and parent is None:
            raise serializers.ValidationError({"parent": [_("No unit has this code.")]})
        values["parent"] = parent.pk if parent else None
    quotas = data.get("category_quota_mb", unit.category_quota_mb if unit else {})
    values["category_quotas"] = ", ".join(f"{k}={v}" for k, v in sorted(quotas.items()))
    values["list_local_part"] = ""  # distribution lists: /api/v1/lists/
    values = {k: ("" if v is None else v) for k, v in values.items()}
    parents = Unit.objects.order_by("path")
    form = UnitForm(values, parents=parents.exclude(path__startswith=unit.path) if unit else parents)
    if not form.is_valid():
        raise serializers.ValidationError(form_detail(form, {"category_quotas": "category_quota_mb"}))
    return form.cleaned_data


class UnitViewSet(viewsets.GenericViewSet):
    """Units: the tree as of a day (list), one unit with its place in the tree (detail); the superadmin
    creates units and changes them from an effective date."""

    permission_classes = [SuperadminWrites]
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9][A-Za-z0-9._-]{0,34}"
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(parameters=[UnitFilterSerializer], responses=UnitRowSerializer(many=True))
    def list(self, request):
        filters = UnitFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = units_as_of(filters.validated_data.get("as_of") or timezone.localdate(),
                           query=" ".join(filters.validated_data.get("q", "").split()))
        codes = dict(Unit.objects.values_list("pk", "code"))
        for r in rows:
            r["parent_code"] = codes.get(r["version"].parent_id)
        return self.get_paginated_response(UnitRowSerializer(self.paginate_queryset(rows), many=True).data)

    @extend_schema(responses=UnitSerializer)
    def retrieve(self, request, code: str):
        return Response(UnitSerializer(get_object_or_404(Unit.objects.select_related("parent"), code=code)).data)

    @extend_schema(request=UnitWriteSerializer, responses={201: UnitSerializer})
    def create(self, request):
        data = read_input(UnitWriteSerializer, request)
        d = _unit_form(data, None)
        with transaction.atomic():
            unit = unit_create(actor=request.user, code=d["code"], name=d["name"], kind=d["kind"], parent=d["parent"],
                               mail_domain=d["mail_domain"], naming_rule=d["naming_rule"], effective=d["effective"])
            unit = unit_update(actor=request.user, unit=unit, effective=d["effective"],
                               mailbox_policy=d["mailbox_policy"], default_quota_mb=d["default_quota_mb"],
                               category_quota_mb=d["category_quotas"])
        return Response(UnitSerializer(unit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UnitUpdateSerializer, responses=UnitSerializer)
    def partial_update(self, request, code: str):
        unit = get_object_or_404(Unit, code=code)
        data = read_input(UnitUpdateSerializer, request)
        d = _unit_form(data, unit)
        changes = {k: d[k] for k in ("name", "kind", "parent", "mail_domain", "naming_rule", "mailbox_policy",
                                     "default_quota_mb")} | {"category_quota_mb": d["category_quotas"]}
        unit = unit_update(actor=request.user, unit=unit, effective=d["effective"], **changes)
        return Response(UnitSerializer(unit).data)


def register(router) -> None:
    router.register("units", UnitViewSet, basename="unit")
