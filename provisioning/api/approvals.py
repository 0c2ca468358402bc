"""/api/v1/quota-requests/: a larger mailbox quota asked for a person (by their HR officer, or by the
person), decided by a unit head over the person's unit: the requests pages' services and rules."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Role
from accounts.scopes import has_role
from provisioning.api.errors import validated
from provisioning.api.serializers import StrictSerializer, read_input
from provisioning.approvals.forms import DecisionForm, QuotaRequestForm
from provisioning.approvals.models import QuotaRequest
from provisioning.approvals.selectors import pending_quota_requests, quota_requests_for
from provisioning.approvals.services import quota_request_create, quota_request_decide
from provisioning.people.models import Person
from provisioning.people.selectors import person_for_hr


class QuotaRequestSerializer(serializers.ModelSerializer):
    person_uid = serializers.CharField(source="person.uid", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = QuotaRequest
        fields = ["id", "person", "person_uid", "requested_mb", "reason", "status", "requested_by", "created_at",
                  "decided_by", "decided_at", "decision_note"]
        read_only_fields = fields


class QuotaRequestCreateSerializer(StrictSerializer):
    person = serializers.IntegerField(min_value=1, max_value=2**53, required=False,
                                      help_text="A person of your units; yourself when left out.")
    requested_mb = serializers.IntegerField(min_value=1, max_value=10_000_000)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class DecisionSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=["approve", "refuse"])
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


def _person_asked_for(user, pk: int | None) -> Person:
    """The HR officer's person (404 outside their units), or the caller themself."""
    if pk is not None and has_role(user, Role.HR_ADMIN):
        return person_for_hr(user, pk)
    me = Person.objects.select_related("unit").filter(uid=user.get_username()).first()
    if me is None or (pk is not None and pk != me.pk):
        raise PermissionDenied
    return me


class QuotaRequestViewSet(viewsets.GenericViewSet):
    """Quota requests: the ones you may follow (your units' as HR officer or unit head, your own), a new
    one, and a unit head's decision."""

    serializer_class = QuotaRequestSerializer
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = r"\d{1,18}"

    def get_queryset(self):
        return quota_requests_for(self.request.user)

    def list(self, request):
        return self.get_paginated_response(QuotaRequestSerializer(self.paginate_queryset(self.get_queryset()),
                                                                  many=True).data)

    def retrieve(self, request, pk: str):
        return Response(QuotaRequestSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(request=QuotaRequestCreateSerializer, responses={201: QuotaRequestSerializer})
    def create(self, request):
        data = read_input(QuotaRequestCreateSerializer, request)
        person = _person_asked_for(request.user, data.get("person"))
        d = validated(QuotaRequestForm({"requested_mb": data["requested_mb"], "reason": data.get("reason", "")}))
        req = quota_request_create(actor=request.user, person=person, requested_mb=d["requested_mb"],
                                   reason=d["reason"])
        return Response(QuotaRequestSerializer(req).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionSerializer, responses=QuotaRequestSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk: str):
        """Approve or refuse a pending request of your units (never your own, nor one about you)."""
        req = get_object_or_404(pending_quota_requests(request.user), pk=pk)
        data = read_input(DecisionSerializer, request)
        d = validated(DecisionForm({"request": req.pk, **data}))
        req = quota_request_decide(actor=request.user, request=req, approve=d["decision"] == "approve",
                                   note=d["note"])
        return Response(QuotaRequestSerializer(req).data)


def register(router) -> None:
    router.register("quota-requests", QuotaRequestViewSet, basename="quota-request")
