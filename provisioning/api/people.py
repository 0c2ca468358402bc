"""/api/v1/people/: the HR officer's people (their subtrees; 404 for anyone else), onboarded, changed
and moved through their lifecycle by the same services as the pages, with the lifecycle forms' rules."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from provisioning.api.errors import form_detail
from provisioning.api.permissions import HrOfficer
from provisioning.api.serializers import StrictSerializer, read_input
from provisioning.common.naming import NameOrder
from provisioning.people.forms import LeaveForm, RehireForm, ReinstateForm, SuspendForm, TransferForm
from provisioning.people.models import Person, PersonCategory, PersonStatus
from provisioning.people.selectors import filtered_people, person_for_hr
from provisioning.people.services import person_onboard, person_set_status, person_transfer, person_update
from provisioning.units.models import Unit
from provisioning.units.selectors import units_for_hr


class PersonSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Person
        fields = ["id", "uid", "employee_code", "full_name", "family_name", "middle_name", "given_name", "name_order",
                  "unit", "position", "category", "status", "mail", "personal_email", "phone", "mailbox_decision",
                  "quota_mb", "senior", "activated_at", "left_on", "mailbox_kept_until", "created_at", "updated_at"]
        read_only_fields = fields


class PersonFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100,
                              help_text="Words of the name, user name, employee code or address (no accents needed).")
    unit = serializers.CharField(required=False, allow_blank=True, max_length=35,
                                 help_text="A unit code: people of that unit and every unit below it.")
    status = serializers.ChoiceField(required=False, allow_blank=True, choices=PersonStatus.choices)
    sort = serializers.ChoiceField(required=False, allow_blank=True, choices=[
        "name", "-name", "uid", "-uid", "unit", "-unit", "status", "-status"])


class ScopedUnitField(serializers.SlugRelatedField):
    """A unit by its code, among the units the HR officer manages (any other is "does not exist")."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Unit.objects.none(), **kwargs)

    def get_queryset(self):
        return units_for_hr(self.context["request"].user)


class PersonFieldsMixin(serializers.Serializer):
    family_name = serializers.CharField(max_length=64)
    middle_name = serializers.CharField(max_length=128, required=False, allow_blank=True)
    given_name = serializers.CharField(max_length=64)
    name_order = serializers.ChoiceField(choices=NameOrder.choices, required=False)
    position = serializers.CharField(max_length=255, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=PersonCategory.choices, required=False)
    personal_email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    citizen_id = serializers.CharField(max_length=20, required=False, allow_blank=True, write_only=True,
                                       help_text="12 digits; stored encrypted, never returned.")
    mailbox_decision = serializers.ChoiceField(choices=Person.MailboxDecision.choices, required=False)


class OnboardSerializer(StrictSerializer, PersonFieldsMixin):
    unit = ScopedUnitField()
    employee_code = serializers.CharField(max_length=64)


class PersonUpdateSerializer(StrictSerializer, PersonFieldsMixin):
    unit = ScopedUnitField(required=False, help_text="Another unit you manage: the same as a transfer.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.required = False


class LifecycleSerializer(StrictSerializer):
    effective_on = serializers.DateField(required=False, help_text="Today (when left out) or up to 90 days back.")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                   help_text="Required to suspend and to leave; kept in the person's history.")


class TransferSerializer(LifecycleSerializer):
    unit = ScopedUnitField()
    position = serializers.CharField(max_length=255, required=False, allow_blank=True)
    keep_position = serializers.BooleanField(required=False, default=False)


# the lifecycle steps of the person page: the confirmation form whose rules apply, and the status it sets
STEPS = {"suspend": (SuspendForm, PersonStatus.SUSPENDED), "reinstate": (ReinstateForm, PersonStatus.ACTIVE),
         "leave": (LeaveForm, PersonStatus.LEFT), "rehire": (RehireForm, PersonStatus.ACTIVE)}


def _confirmed(form_class, person: Person, data: dict, **kwargs) -> dict:
    """The lifecycle form's rules (how far back, a reason where one is required), or a 400."""
    values = {k: (v.pk if isinstance(v, Unit) else v) for k, v in data.items()}
    values.setdefault("effective_on", timezone.localdate())
    form = form_class(values, person=person, **kwargs)
    if not form.is_valid():
        raise serializers.ValidationError(form_detail(form))
    return form.cleaned_data


class PersonViewSet(viewsets.GenericViewSet):
    """People of the units the HR officer manages: list (filters q, unit, status, sort), one person,
    onboarding, changes, and the lifecycle steps (transfer, suspend, reinstate, leave, rehire)."""

    permission_classes = [HrOfficer]
    serializer_class = PersonSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d{1,18}"

    @extend_schema(parameters=[PersonFilterSerializer])
    def list(self, request):
        filters = PersonFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        _form, qs = filtered_people(request)  # the page's selector: its scope, word search and order
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PersonSerializer(page, many=True).data)

    def retrieve(self, request, pk: str):
        return Response(PersonSerializer(person_for_hr(request.user, int(pk))).data)

    @extend_schema(request=OnboardSerializer, responses={201: PersonSerializer})
    def create(self, request):
        d = read_input(OnboardSerializer, request)
        person = person_onboard(
            actor=request.user, unit=d["unit"], family=d["family_name"], middle=d.get("middle_name", ""),
            given=d["given_name"], name_order=d.get("name_order") or NameOrder.FAMILY_FIRST,
            employee_code=d["employee_code"], position=d.get("position", ""),
            category=d.get("category") or PersonCategory.CONG_CHUC, personal_email=d.get("personal_email", ""),
            phone=d.get("phone", ""), citizen_id=d.get("citizen_id", ""))
        if d.get("mailbox_decision"):
            person = person_update(actor=request.user, person=person, mailbox_decision=d["mailbox_decision"])
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PersonUpdateSerializer)
    def partial_update(self, request, pk: str):
        person = person_for_hr(request.user, int(pk))
        changes = read_input(PersonUpdateSerializer, request)
        if changes.get("citizen_id") == "":
            del changes["citizen_id"]  # as on the page: an empty box keeps the one on file
        person = person_update(actor=request.user, person=person, **changes)
        return Response(PersonSerializer(get_object_or_404(Person, pk=person.pk)).data)

    @extend_schema(request=TransferSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk: str):
        person = person_for_hr(request.user, int(pk))
        d = _confirmed(TransferForm, person, read_input(TransferSerializer, request),
                       units=units_for_hr(request.user).order_by("path"))
        person = person_transfer(actor=request.user, person=person, unit=d["unit"], position=d["position"],
                                 on=d["effective_on"], reason=d["reason"])
        return Response(PersonSerializer(person).data)

    def _step(self, request, pk: str, step: str) -> Response:
        person = person_for_hr(request.user, int(pk))
        form_class, new_status = STEPS[step]
        d = _confirmed(form_class, person, read_input(LifecycleSerializer, request))
        person = person_set_status(actor=request.user, person=person, status=new_status, on=d["effective_on"],
                                   reason=d["reason"])
        return Response(PersonSerializer(person).data)

    @extend_schema(request=LifecycleSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk: str):
        return self._step(request, pk, "suspend")

    @extend_schema(request=LifecycleSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk: str):
        return self._step(request, pk, "reinstate")

    @extend_schema(request=LifecycleSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk: str):
        return self._step(request, pk, "leave")

    @extend_schema(request=LifecycleSerializer)
    @action(detail=True, methods=["post"])
    def rehire(self, request, pk: str):
        return self._step(request, pk, "rehire")


def register(router) -> None:
    router.register("people", PersonViewSet, basename="person")
