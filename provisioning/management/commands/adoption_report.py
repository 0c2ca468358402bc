"""The adoption figures from a script — the same numbers as the report pages and the JSON API.

    python manage.py adoption_report [--unit CODE] [--as-of YYYY-MM-DD] [--format json|csv|xlsx|pdf] [--output FILE]

For each unit and its children: the raw numerators and denominators (staff, mailbox issued, regular
users, valid personal certificates, organisational certificate held, pending requests) and the
percentages (rounded down to one decimal). ``pdf`` is the yearly report, in Vietnamese, as the
Reports page prints it."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from provisioning.common import spreadsheets
from provisioning.reports.printing import report_pdf
from provisioning.reports.selectors import COLUMNS, figures
from provisioning.units.models import Unit


class Command(BaseCommand):
    help = "Print the adoption figures of a unit (or the whole province) as of a date."

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="the unit's code (default: every top-level unit)")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=("json", "csv", "xlsx", "pdf"), default="json")
        parser.add_argument("--output", help="write to this file instead of standard output (needed for xlsx and pdf)")

    def handle(self, *args, unit, as_of, format, output, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of {as_of!r}: use YYYY-MM-DD") from None
        root = None
        if unit:
            root = Unit.objects.filter(code=unit).first()
            if root is None:
                raise CommandError(f"unknown unit code {unit!r}")
        found = figures(day, root)
        if format == "json":
            data = json.dumps({"as_of": day.isoformat(), "units": [f.as_dict() for f in found]}, ensure_ascii=False,
                              indent=2).encode()
        elif format in ("xlsx", "pdf") and not output:
            raise CommandError(f"--format {format} needs --output FILE")
        elif format == "pdf":
            data = report_pdf(found, day)
        else:
            rows = [f.as_dict(children=False) for top in found for f in [top, *top.children]]
            data = spreadsheets.write_report(rows, COLUMNS, format)
        if output:
            with open(output, "wb") as f:
                f.write(data)
        else:
            self.stdout.write(data.decode("utf-8-sig").rstrip("\n"))
