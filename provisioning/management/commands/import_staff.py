"""Import a staff spreadsheet from a script: the same checks and preview as the web upload.

    python manage.py import_staff FILE [--dry-run] [--report OUT] [--unit CODE] [--actor USERNAME]

Exit status 0 when every row was accepted, 1 when some were rejected or failed, 2 when the file
could not be read. The last line is a one-line summary."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from directory.errors import DirectoryError
from provisioning.imports import services as imports
from provisioning.imports.models import ImportBatch
from provisioning.management.actors import SOURCE, add_actor_argument, command_actor
from provisioning.outbox.services import directory_changes_drain
from provisioning.units.models import Unit

SHOWN = 10  # rejected rows printed when no --report is asked for


class Command(BaseCommand):
    help = "Import staff from an XLSX or CSV file (Vietnamese or English headers)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check and preview only; change nothing")
        parser.add_argument("--report", help="write the rejected rows and reasons to this .xlsx or .csv file")
        parser.add_argument("--unit", help="only allow people of this unit's subtree (its code)")
        parser.add_argument("--no-directory", action="store_true",
                            help="leave the directory changes to the workers instead of applying them now")
        add_actor_argument(parser)

    def handle(self, *args, file, dry_run, report, unit, no_directory, actor, **options):
        actor = command_actor(actor)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        scope = None
        if unit:
            scope = Unit.objects.filter(code=unit).first()
            if scope is None:
                raise CommandError(f"unknown unit code {unit!r}")
        with open(path, "rb") as f:
            batch = imports.import_create(actor=actor, fileobj=f, filename=path.name, scope=scope, source=SOURCE)
        batch = imports.import_validate(batch.pk)
        if batch.status == ImportBatch.Status.FAILED:
            self.stderr.write(f"{path.name}: {batch.file_error}")
            self.stdout.write(f"import {path.name}: file rejected")
            sys.exit(2)
        for w in imports.batch_warnings(batch):
            self.stderr.write(f"warning: {w}")
        if not dry_run:
            batch = imports.import_commit(batch.pk, actor=actor)
            if not no_directory:
                try:
                    directory_changes_drain()
                except DirectoryError as exc:
                    self.stderr.write(f"directory not reachable ({exc}); the changes stay queued for the workers")
        if report:
            fmt = "xlsx" if report.lower().endswith(".xlsx") else "csv"
            Path(report).write_bytes(imports.error_report(batch, fmt))
        if not report:
            self._show_problems(batch)
        if dry_run:
            summary = (f"import {path.name} (dry run): {batch.total} rows; would create {batch.to_create}, "
                       f"update {batch.to_update}; {batch.unchanged} unchanged; {batch.already} already imported; "
                       f"{batch.rejected} rejected")
        else:
            summary = (f"import {path.name}: {batch.total} rows; created {batch.created}, updated {batch.updated}; "
                       f"{batch.unchanged} unchanged; {batch.already} already imported; {batch.rejected} rejected; "
                       f"{batch.failed} failed")
        self.stdout.write(summary)
        if batch.rejected or batch.failed:
            sys.exit(1)

    def _show_problems(self, batch: ImportBatch) -> None:
        """The first rejected or failed rows and why, on stderr (all of them: --report)."""
        shown = 0
        for row in imports.rejected_rows(batch)[:SHOWN + 1]:
            if shown == SHOWN:
                self.stderr.write("... (every row and its problems: --report OUT.xlsx)")
                break
            for label, message in imports.row_problems(row):
                self.stderr.write(f"row {row.row_number}: {label + ': ' if label else ''}{message}")
            shown += 1
