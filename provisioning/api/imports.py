"""/api/v1/imports/: a staff spreadsheet uploaded, checked by a worker (the preview), committed, and
its progress: the same services, tasks and scope as the import pages."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from provisioning.api.permissions import HrOfficer
from provisioning.api.serializers import StrictSerializer, read_input
from provisioning.imports import services as imports
from provisioning.imports import tasks
from provisioning.imports.models import ImportBatch, ImportRow
from provisioning.imports.selectors import batches_for, upload_scope
from provisioning.people import validation


class ImportSerializer(serializers.ModelSerializer):
    scope = serializers.SlugRelatedField(slug_field="code", read_only=True)
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ImportBatch
        fields = ["id", "filename", "status", "file_error", "scope", "uploaded_by", "total", "processed", "to_create",
                  "to_update", "unchanged", "already", "rejected", "created", "updated", "failed", "created_at",
                  "finished_at"]
        read_only_fields = fields


class ImportDetailSerializer(ImportSerializer):
    warnings = serializers.SerializerMethodField()

    class Meta(ImportSerializer.Meta):
        fields = [*ImportSerializer.Meta.fields, "warnings"]
        read_only_fields = fields

    def get_warnings(self, batch: ImportBatch) -> list[str]:
        return imports.batch_warnings(batch)


class ProblemSerializer(serializers.Serializer):
    field = serializers.CharField()
    message = serializers.CharField()


class ImportRowSerializer(serializers.ModelSerializer):
    problems = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = ImportRow
        fields = ["row_number", "action", "employee_code", "proposed_uid", "proposed_mail", "person", "done",
                  "problems", "warnings"]
        read_only_fields = fields

    @extend_schema(responses=ProblemSerializer(many=True))
    def get_problems(self, row: ImportRow) -> list[dict]:
        """In the reader's language (stored as codes)."""
        return [{"field": label, "message": message} for label, message in imports.row_problems(row)]

    def get_warnings(self, row: ImportRow) -> list[str]:
        return [str(validation.render(w)) for w in row.warnings]


class UploadSerializer(StrictSerializer):
    file = serializers.FileField(help_text="The staff spreadsheet (XLSX or CSV), as on the import page.")


class RowFilterSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ImportRow.Action.choices, required=False, allow_blank=True)


class ImportViewSet(viewsets.GenericViewSet):
    """Imports: upload (checked in the background into a preview), progress, the rows and their
    problems, and the commit once the preview is right."""

    permission_classes = [HrOfficer]
    serializer_class = ImportSerializer
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = r"\d{1,18}"

    def get_queryset(self):
        return batches_for(self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ImportSerializer(page, many=True).data)

    @extend_schema(responses=ImportDetailSerializer)
    def retrieve(self, request, pk: str):
        return Response(ImportDetailSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: ImportDetailSerializer})
    def create(self, request):
        upload = read_input(UploadSerializer, request)["file"]
        batch = imports.import_create(actor=request.user, fileobj=upload, filename=upload.name,
                                      scope=upload_scope(request.user), source="api")
        if batch.status == ImportBatch.Status.VALIDATING:
            transaction.on_commit(lambda: tasks.dispatch(tasks.import_validate_task, batch.pk))
        return Response(ImportDetailSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[RowFilterSerializer], responses=ImportRowSerializer(many=True))
    @action(detail=True, methods=["get"])
    def rows(self, request, pk: str):
        batch = get_object_or_404(self.get_queryset(), pk=pk)
        filters = RowFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = batch.rows.order_by("row_number")
        if filters.validated_data.get("action"):
            rows = rows.filter(action=filters.validated_data["action"])
        return self.get_paginated_response(ImportRowSerializer(self.paginate_queryset(rows), many=True).data)

    @extend_schema(request=None, responses={202: ImportDetailSerializer})
    @action(detail=True, methods=["post"])
    def commit(self, request, pk: str):
        """Import the good rows of a checked file (once: a second commit is refused)."""
        batch = get_object_or_404(self.get_queryset(), pk=pk)
        if batch.status != ImportBatch.Status.PREVIEW or not imports.import_commit_claim(batch):
            return Response({"detail": _("This import is not waiting for confirmation.")},
                            status=status.HTTP_409_CONFLICT)
        transaction.on_commit(lambda: tasks.dispatch(tasks.import_commit_task, batch.pk, request.user.pk))
        batch.refresh_from_db()
        return Response(ImportDetailSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


def register(router) -> None:
    router.register("imports", ImportViewSet, basename="import")
