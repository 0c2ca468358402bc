"""Load a mail usage export from another mail server (XLSX or CSV, Vietnamese or English headers).

    python manage.py import_mail_usage FILE [--day YYYY-MM-DD] [--report OUT.xlsx|OUT.csv] [--actor USERNAME]

Every rejected row is printed on stderr (row, field, problem) and, with --report, listed in that file.
Exit status 0 when every row was loaded, 1 when some were rejected, 2 when the file could not be read
(nothing is written then). The last line is a one-line summary."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from provisioning.common import spreadsheets
from provisioning.mailboxes.usage_import import UsageImportResult, field_labels, import_usage
from provisioning.management.actors import SOURCE, add_actor_argument, command_actor


class Command(BaseCommand):
    help = "Import mailbox usage (address, last login, storage, messages sent/received) from an XLSX or CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--day", help="the day the figures are for (YYYY-MM-DD; default today); a Day column "
                                          "in the file overrides it row by row")
        parser.add_argument("--report", help="write the rejected rows and reasons to this .xlsx or .csv file")
        add_actor_argument(parser)

    def handle(self, *args, file, day, report, actor, **options):
        actor = command_actor(actor)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        for_day = None
        if day:
            try:
                for_day = dt.date.fromisoformat(day)
            except ValueError:
                raise CommandError(f"--day {day!r}: use YYYY-MM-DD") from None
            if for_day > timezone.localdate():
                raise CommandError(f"--day {day}: that day has not come yet")
        with open(path, "rb") as f:
            result = import_usage(f, path.name, actor=actor, day=for_day, source=SOURCE)
        if result.file_error:
            self.stderr.write(f"{path.name}: {result.file_error}")
            self.stdout.write(f"import_mail_usage {path.name}: file rejected")
            sys.exit(2)
        names = _field_names(result)
        for row, name, message in result.rejected:
            self.stderr.write(f"row {row}, {names.get(name, name)}: {message}")
        if report:
            fmt = "xlsx" if report.lower().endswith(".xlsx") else "csv"
            lines = ({"row": row, "field": names.get(name, name), "problem": message}
                     for row, name, message in result.rejected)
            columns = [("row", _("Row")), ("field", _("Field")), ("problem", _("Problem"))]
            Path(report).write_bytes(spreadsheets.write_report(lines, columns, fmt))
        self.stdout.write(f"import_mail_usage {path.name}: {result.loaded} loaded, {result.rejected_rows} rejected")
        if result.rejected:
            sys.exit(1)


def _field_names(result: UsageImportResult) -> dict[str, str]:
    """A field as the user's file heads it; the translated label for a column the file lacks."""
    return field_labels() | result.columns
