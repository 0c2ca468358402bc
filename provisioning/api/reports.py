"""/api/v1/reports/units/: the adoption figures of the reports pages (provisioning.reports.selectors),
for the IT leads' and HR officers' scopes: the roots of their scopes (list) or one unit within them
(detail, 404 outside), each with its children ranked, as of a day.

Besides a Bearer token this endpoint takes the pages' session cookie, as it did before the REST API
existed (`curl -b cookies`); it only reads, so there is no cross-site write to guard against."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from provisioning.api.authentication import BearerTokenAuthentication
from provisioning.api.pagination import Pages
from provisioning.reports.selectors import figures, may_read_reports, province_ranking, report_tops, report_unit
from provisioning.units.models import UnitKind


class ReportReader(BasePermission):
    def has_permission(self, request, view) -> bool:
        return may_read_reports(request.user)


class AsOfSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text="Today or a past date; today when left out.")

    def validate_as_of(self, day):
        if day > timezone.localdate():
            raise serializers.ValidationError(_("Figures exist only for today or a past date."))
        return day


class _FigureFields(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    staff = serializers.IntegerField(help_text="Active staff in the subtree.")
    mailbox = serializers.IntegerField(help_text="Of them, with a mailbox issued.")
    regular = serializers.IntegerField(help_text="Of them, logged in to the mailbox within IDM_REGULAR_USE_DAYS.")
    personal_cert = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Requests waiting for a decision.")
    units = serializers.IntegerField()
    org_cert = serializers.BooleanField()
    org_cert_units = serializers.IntegerField()
    mailbox_pct = serializers.FloatField(allow_null=True, help_text="Rounded down; null without staff.")
    regular_pct = serializers.FloatField(allow_null=True)
    cert_pct = serializers.FloatField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True, help_text="Among its siblings by score (1, 2, 2, 4).")
    rank_change = serializers.IntegerField(allow_null=True, help_text="Positive: moved up since the period before.")


class UnitFiguresSerializer(_FigureFields):
    children = _FigureFields(many=True)


class ReportSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    units = UnitFiguresSerializer(many=True)


class ReportViewSet(viewsets.GenericViewSet):
    """Adoption figures (mailboxes issued, regular users, certificates, pending requests) summed along
    the tree as it stood on `as_of`."""

    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [ReportReader]
    pagination_class = None
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9][A-Za-z0-9._-]{0,34}"
    http_method_names = ["get", "head", "options"]

    def _day(self, request):
        q = AsOfSerializer(data=request.query_params)
        q.is_valid(raise_exception=True)
        return q.validated_data.get("as_of") or timezone.localdate()

    def _answer(self, day, units) -> Response:
        found = [f for unit in units for f in figures(day, unit)]
        return Response({"as_of": day.isoformat(), "units": [f.as_dict() for f in found]})

    @extend_schema(parameters=[AsOfSerializer], responses=ReportSerializer)
    def list(self, request):
        """The roots of your report scopes (every top-level unit for the superadmin)."""
        return self._answer(self._day(request), report_tops(request.user))

    @extend_schema(parameters=[AsOfSerializer], responses=ReportSerializer)
    def retrieve(self, request, code: str):
        """One unit of your scopes and its children."""
        day = self._day(request)
        unit = report_unit(request.user, code)
        if unit is None:
            raise Http404
        return self._answer(day, [unit])


class RankingQuerySerializer(AsOfSerializer):
    kind = serializers.ChoiceField(choices=UnitKind.choices, required=False, default=UnitKind.DEPARTMENT,
                                   help_text="The kind of unit ranked (department by default).")


class RankedSerializer(_FigureFields):
    province = serializers.CharField(help_text="The code of the top-level unit the unit is ranked under.")
    province_rank = serializers.IntegerField(help_text="Among the units of this kind in the province (1, 2, 2, 4).")
    province_rank_change = serializers.IntegerField(
        allow_null=True, help_text="Positive: moved up since IDM_REGULAR_USE_DAYS earlier; null: not ranked then.")
    ranked = serializers.IntegerField(help_text="How many units of this kind were ranked in the province.")


class RankingViewSet(viewsets.GenericViewSet):
    """Every unit of one kind with staff, ranked by adoption score across its province as the tree stood
    on `as_of`; the units within your report scopes are listed (their ranks count every unit)."""

    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [ReportReader]
    pagination_class = Pages
    http_method_names = ["get", "head", "options"]

    @extend_schema(parameters=[RankingQuerySerializer], responses=RankedSerializer(many=True))
    def list(self, request):
        q = RankingQuerySerializer(data=request.query_params)
        q.is_valid(raise_exception=True)
        day = q.validated_data.get("as_of") or timezone.localdate()
        found = province_ranking(day, q.validated_data["kind"], report_tops(request.user))
        page = self.paginate_queryset(found)
        return self.get_paginated_response([f.ranking_dict() for f in page])


def register(router) -> None:
    router.register("reports/units", ReportViewSet, basename="report")
    router.register("reports/ranking", RankingViewSet, basename="report-ranking")
