from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from provisioning.people.models import Person
from provisioning.units.models import Unit


class ImportBatch(models.Model):
    """One uploaded staff spreadsheet: validated into a preview, then committed row by row."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("checking the file")
        PREVIEW = "preview", _("ready to review")
        COMMITTING = "committing", _("importing")
        DONE = "done", _("finished")
        FAILED = "failed", _("could not be read")

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    scope = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              help_text="the unit subtree the uploader may change; null: the whole province")
    filename = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=64)  # server-generated (IN-07)
    # the file's content: a re-upload of the same file (after a crash, C-16) is recognised
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALIDATING)
    file_error = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)  # [problem]: see ImportRow.errors
    headers = models.JSONField(default=list, blank=True)  # the file's header row, as it had it
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    to_create = models.PositiveIntegerField(default=0)
    to_update = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    already = models.PositiveIntegerField(default=0)  # rows an earlier import already brought in
    rejected = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class ImportRow(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        UNCHANGED = "unchanged", _("unchanged")
        ALREADY = "already", _("already imported")
        REJECT = "reject", _("reject")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    action = models.CharField(max_length=16, choices=Action.choices)
    employee_code = models.CharField(max_length=64, blank=True)
    # sha256 of the row's checked values: the same row in a later upload is recognised as already imported
    content_hash = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)  # the cleaned values (never the citizen ID in clear)
    # the row's cells under the batch's headers, for the error report; the citizen ID's cell is
    # null here and kept encrypted in data["citizen_id_encrypted"]
    cells = models.JSONField(default=list, blank=True)
    # field -> [problem]; a problem is {"code", "params"} (validation.MESSAGES), rendered in the
    # reader's language by validation.render; rows checked before codes hold plain strings
    errors = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)  # [problem]
    proposed_uid = models.CharField(max_length=32, blank=True)
    proposed_mail = models.CharField(max_length=254, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done = models.BooleanField(default=False)
    outcome_errors = models.JSONField(default=dict, blank=True)  # field ("" for the row) -> [problem]: commit

    class Meta:
        ordering = ["batch_id", "row_number"]
        indexes = [models.Index(fields=["batch", "action"]), models.Index(fields=["content_hash"])]
