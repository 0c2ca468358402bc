"""/api/v1/certificate-requests/: certificate requests on the CA's forms (provisioning.certificates), the ones
the caller may follow on the pages (their units' as HR officer, unit head or IT lead, and their own), and
new ones raised through the same service (request_create: prefilled from the record, the form's checks,
the head's approval next, audited)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from provisioning.api.approvals import _person_asked_for
from provisioning.api.errors import validation_detail
from provisioning.api.serializers import StrictSerializer, read_input
from provisioning.certificates.fields import LABELS
from provisioning.certificates.models import Certificate, CertificateRequest, CertKind, RequestType, Stage
from provisioning.certificates.selectors import requests_for, units_of
from provisioning.certificates.services import request_create


class CertificateRequestSerializer(serializers.ModelSerializer):
    person_uid = serializers.CharField(source="person.uid", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    form_number = serializers.CharField(read_only=True, help_text="The CA's form (Mẫu 01..06) it is printed on.")
    form = serializers.DictField(child=serializers.CharField(), read_only=True,
                                 help_text="The form's fields as they will be printed.")

    class Meta:
        model = CertificateRequest
        fields = ["id", "kind", "type", "stage", "origin", "form_number", "person", "person_uid", "unit", "form",
                  "certificate", "batch", "requested_by", "created_at", "decided_by", "decided_at",
                  "decision_note", "it_decided_at"]
        read_only_fields = fields


class CertificateRequestFilterSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(required=False, allow_blank=True, choices=Stage.choices)
    kind = serializers.ChoiceField(required=False, allow_blank=True, choices=CertKind.choices)
    type = serializers.ChoiceField(required=False, allow_blank=True, choices=RequestType.choices)
    unit = serializers.CharField(required=False, allow_blank=True, max_length=35,
                                 help_text="A unit code: requests of that unit and every unit below it.")
    person = serializers.IntegerField(required=False, min_value=1, max_value=2**53)


class CertificateRequestCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=CertKind.choices)
    type = serializers.ChoiceField(choices=RequestType.choices)
    person = serializers.IntegerField(min_value=1, max_value=2**53, required=False,
                                      help_text="The holder (personal) or the token's custodian (organisational): "
                                                "a person of your units as HR officer; yourself when left out.")
    unit = serializers.CharField(max_length=35, required=False,
                                 help_text="Organisational requests: the unit (the person's unit when left out).")
    certificate = serializers.IntegerField(min_value=1, max_value=2**53, required=False,
                                           help_text="The certificate concerned (every type but a new one).")
    form = serializers.DictField(child=serializers.CharField(max_length=255, allow_blank=True), required=False,
                                 help_text="What the record does not know (date of birth, ID card, device...): "
                                           "field names as in the form; the rest is prefilled.")

    def validate_form(self, value: dict) -> dict:
        unknown = sorted(k for k in value if k not in LABELS)
        if unknown:
            raise serializers.ValidationError({k: [StrictSerializer.refused_message] for k in unknown})
        return value


def _create_errors(exc: DjangoValidationError) -> dict:
    """The service names the form's fields and its own ("certificate"): the form's go under "form"."""
    detail = validation_detail(exc)
    form = {k: v for k, v in detail.items() if k in LABELS}
    out = {k: v for k, v in detail.items() if k not in LABELS}
    if form:
        out["form"] = form
    return out


class CertificateRequestViewSet(viewsets.GenericViewSet):
    """Certificate requests you may follow; a new one goes to the unit head, then to IT."""

    serializer_class = CertificateRequestSerializer
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = r"\d{1,18}"

    def get_queryset(self):
        return requests_for(self.request.user).select_related("decided_by")

    @extend_schema(parameters=[CertificateRequestFilterSerializer], responses=CertificateRequestSerializer(many=True))
    def list(self, request):
        f = CertificateRequestFilterSerializer(data=request.query_params)
        f.is_valid(raise_exception=True)
        rows = self.get_queryset()
        for name in ("stage", "kind", "type"):
            if f.validated_data.get(name):
                rows = rows.filter(**{name: f.validated_data[name]})
        if f.validated_data.get("person"):
            rows = rows.filter(person_id=f.validated_data["person"])
        if f.validated_data.get("unit"):
            unit = units_of(request.user).filter(code=f.validated_data["unit"]).first()
            rows = rows.filter(unit__path__startswith=unit.path) if unit else rows.none()
        return self.get_paginated_response(CertificateRequestSerializer(self.paginate_queryset(rows), many=True).data)

    def retrieve(self, request, pk: str):
        return Response(CertificateRequestSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(request=CertificateRequestCreateSerializer, responses={201: CertificateRequestSerializer})
    def create(self, request):
        data = read_input(CertificateRequestCreateSerializer, request)
        person = _person_asked_for(request.user, data.get("person"))
        unit = person.unit
        if data.get("unit"):
            unit = units_of(request.user).filter(code=data["unit"]).first()
            if unit is None:
                raise serializers.ValidationError({"unit": [_("No unit of yours has this code.")]})
        certificate = None
        if data.get("certificate"):
            certificate = Certificate.objects.filter(pk=data["certificate"]).first()
            if certificate is None:
                raise serializers.ValidationError({"certificate": [_("No certificate has this number.")]})
        try:
            req = request_create(actor=request.user, kind=data["kind"], type_=data["type"], person=person, unit=unit,
                                 certificate=certificate, form=data.get("form") or {})
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_create_errors(exc)) from exc
        return Response(CertificateRequestSerializer(req).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("certificate-requests", CertificateRequestViewSet, basename="certificate-request")
