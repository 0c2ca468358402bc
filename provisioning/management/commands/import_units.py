"""Load a province's unit tree from a script: the same checks as the superadmin's page.

    python manage.py import_units FILE [--dry-run] [--actor USERNAME]

Columns (Vietnamese or English headers): unit code, name, parent code, kind, mail domain. Exit status
0 when every row was loaded (or would be, with --dry-run), 1 when some rows were refused (the good ones
are kept), 2 when the file could not be read. The last line is a one-line summary."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from directory.errors import DirectoryError
from provisioning.management.actors import add_actor_argument, command_actor
from provisioning.outbox.services import directory_changes_drain
from provisioning.units.loading import Action, tree_apply, tree_plan


class Command(BaseCommand):
    help = "Load or update the unit tree from an XLSX or CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check and show what would change; change nothing")
        parser.add_argument("--no-directory", action="store_true",
                            help="leave the directory changes to the workers instead of applying them now")
        add_actor_argument(parser)

    def handle(self, *args, file, dry_run, no_directory, actor, **options):
        actor = command_actor(actor)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        with open(path, "rb") as f:
            plan = tree_plan(f, path.name)
        if plan.file_error:
            self.stderr.write(f"{path.name}: {plan.file_error}")
            self.stdout.write(f"import_units {path.name}: file rejected")
            sys.exit(2)
        if not dry_run:
            plan = tree_apply(plan, actor=actor)
            if not no_directory:
                try:
                    directory_changes_drain()
                except DirectoryError as exc:
                    self.stderr.write(f"directory not reachable ({exc}); the changes stay queued for the workers")
        for row in plan.rows:
            if row.action == Action.ERROR:
                self.stderr.write(f"row {row.number} ({row.code or '-'}): " + " ".join(str(e) for e in row.errors))
            elif row.action == Action.UPDATE:
                changed = ", ".join(f"{k}: {a or '-'} → {b or '-'}" for k, (a, b) in row.changes.items())
                verb = "would update" if dry_run else "updated"
                self.stdout.write(f"row {row.number} ({row.code}): {verb} {changed}")
        note = " (dry run: nothing was changed)" if dry_run else ""
        self.stdout.write(f"import_units {path.name}: {plan.count(Action.CREATE)} new, {plan.count(Action.UPDATE)} "
                          f"updated, {plan.count(Action.UNCHANGED)} unchanged, {len(plan.errors)} refused{note}")
        if plan.errors:
            sys.exit(1)
