"""/api/v1/mailboxes/ (the IT lead's mailbox list with usage), /api/v1/functional-mailboxes/ (a unit's
shared mailboxes and their delegates, by the unit's HR officers) and /api/v1/lists/ (units'
distribution lists, set by the superadmin): the mailbox pages' selectors and services."""

from __future__ import annotations

from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from accounts.models import Role
from accounts.scopes import within
from provisioning.api.errors import renamed, validated
from provisioning.api.permissions import HrOfficer, ItLead, SuperadminWrites
from provisioning.api.serializers import StrictSerializer, read_input
from provisioning.mailboxes.forms import FunctionalMailboxForm
from provisioning.mailboxes.models import FunctionalMailbox
from provisioning.mailboxes.selectors import ACTIVITY, SORTS, latest_day, mailboxes_filtered, with_quota
from provisioning.mailboxes.services import functional_create, functional_set_delegates, unit_set_list
from provisioning.people.models import PersonStatus
from provisioning.units.models import Unit
from provisioning.units.selectors import units_for_hr


class MailboxSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="pk")
    uid = serializers.CharField()
    mail = serializers.CharField()
    full_name = serializers.CharField()
    unit = serializers.CharField(source="unit.code")
    status = serializers.ChoiceField(choices=PersonStatus.choices)
    mailbox_state = serializers.CharField(help_text="active, disabled or not issued, in the reader's language")
    quota_bytes = serializers.IntegerField()
    bytes_used = serializers.IntegerField(allow_null=True)
    used_percent = serializers.IntegerField(allow_null=True)
    messages = serializers.IntegerField(allow_null=True)
    last_login = serializers.DateTimeField(allow_null=True)


class MailboxFilterSerializer(serializers.Serializer):
    unit = serializers.CharField(required=False, allow_blank=True, max_length=35)
    status = serializers.ChoiceField(choices=PersonStatus.choices, required=False, allow_blank=True)
    activity = serializers.ChoiceField(choices=ACTIVITY, required=False, allow_blank=True)
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, allow_blank=True)


class MailboxViewSet(viewsets.GenericViewSet):
    """Every mailbox in the IT lead's units with the latest day's usage (filters unit, status, activity)."""

    permission_classes = [ItLead]
    serializer_class = MailboxSerializer

    @extend_schema(parameters=[MailboxFilterSerializer])
    def list(self, request):
        filters = MailboxFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = mailboxes_filtered(request.user, latest_day(), unit_code=f.get("unit", ""), status=f.get("status", ""),
                                activity=f.get("activity", ""), sort=f.get("sort") or "name")
        page = list(with_quota(self.paginate_queryset(qs)))
        return self.get_paginated_response(MailboxSerializer(page, many=True).data)


class FunctionalMailboxSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    delegates = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = FunctionalMailbox
        fields = ["id", "unit", "address", "name", "active", "quota_mb", "delegates", "created_at"]
        read_only_fields = fields


class FunctionalCreateSerializer(StrictSerializer):
    unit = serializers.CharField(max_length=35, help_text="The code of a unit you manage.")
    local_part = serializers.CharField(max_length=64, help_text="The address before the @ (the unit's domain).")
    name = serializers.CharField(max_length=255)
    delegates = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**53), required=False,
                                      max_length=100, help_text="Ids of active people of the unit or below it.")


class DelegatesSerializer(StrictSerializer):
    delegates = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**53), max_length=100)


def _delegates_form(unit: Unit, data: dict) -> dict:
    """The functional mailbox form's rules (delegates: active people of the unit's subtree), or a 400."""
    values = QueryDict(mutable=True)
    values.update({k: v for k, v in data.items() if k != "delegates"})
    values.setlist("delegates", [str(pk) for pk in data.get("delegates", [])])
    return validated(FunctionalMailboxForm(values, unit=unit))


class FunctionalMailboxViewSet(viewsets.GenericViewSet):
    """A unit's shared mailboxes (vanthu@…): created, and their delegates changed, by the unit's HR officers."""

    permission_classes = [HrOfficer]
    serializer_class = FunctionalMailboxSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d{1,18}"

    def get_queryset(self):
        return within(FunctionalMailbox.objects.select_related("unit").prefetch_related("delegates"),
                      self.request.user, Role.HR_ADMIN, "unit__path").order_by("address")

    def list(self, request):
        return self.get_paginated_response(FunctionalMailboxSerializer(self.paginate_queryset(self.get_queryset()),
                                                                       many=True).data)

    def retrieve(self, request, pk: str):
        return Response(FunctionalMailboxSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(request=FunctionalCreateSerializer, responses={201: FunctionalMailboxSerializer})
    def create(self, request):
        data = read_input(FunctionalCreateSerializer, request)
        unit = units_for_hr(request.user).filter(code=data["unit"]).first()
        if unit is None:
            raise serializers.ValidationError({"unit": [_("No unit you manage has this code.")]})
        d = _delegates_form(unit, data)
        fm = functional_create(actor=request.user, unit=unit, local_part=d["local_part"], name=d["name"],
                               delegates=d["delegates"])
        return Response(FunctionalMailboxSerializer(fm).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DelegatesSerializer)
    def partial_update(self, request, pk: str):
        mailbox = get_object_or_404(self.get_queryset(), pk=pk)
        d = _delegates_form(mailbox.unit, read_input(DelegatesSerializer, request))
        functional_set_delegates(actor=request.user, mailbox=mailbox, delegates=d["delegates"])
        return Response(FunctionalMailboxSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)


class ListSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="code", read_only=True)

    class Meta:
        model = Unit
        fields = ["unit", "name", "list_address"]
        read_only_fields = fields


class ListSetSerializer(StrictSerializer):
    unit = serializers.CharField(max_length=35)
    local_part = serializers.CharField(max_length=64, help_text="The list address before the @ (the unit's domain).")


class ListViewSet(viewsets.GenericViewSet):
    """Units' distribution lists (everyone with a mailbox in the unit and below): readable by anyone
    signed in, like the unit pages; set by the superadmin."""

    permission_classes = [SuperadminWrites]
    serializer_class = ListSerializer
    http_method_names = ["get", "post", "head", "options"]

    def list(self, request):
        qs = Unit.objects.exclude(list_address="").order_by("path")
        return self.get_paginated_response(ListSerializer(self.paginate_queryset(qs), many=True).data)

    @extend_schema(request=ListSetSerializer, responses={201: ListSerializer})
    def create(self, request):
        data = read_input(ListSetSerializer, request)
        unit = Unit.objects.filter(code=data["unit"]).first()
        if unit is None:
            raise serializers.ValidationError({"unit": [_("No unit you manage has this code.")]})
        with renamed({"list_address": "local_part"}):
            unit = unit_set_list(actor=request.user, unit=unit, local_part=data["local_part"])
        return Response(ListSerializer(unit).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("mailboxes", MailboxViewSet, basename="mailbox")
    router.register("functional-mailboxes", FunctionalMailboxViewSet, basename="functional-mailbox")
    router.register("lists", ListViewSet, basename="list")
