"""The adoption figures from a script — the same numbers as the report pages and the JSON API.

    python manage.py adoption_report [--unit CODE] [--as-of YYYY-MM-DD] [--format json|csv|xlsx|pdf] [--output FILE]
    python manage.py adoption_report --ranking [KIND] [--as-of YYYY-MM-DD] [--format json|csv|xlsx] [--output FILE]

For each unit and its children: the raw numerators and denominators (staff, mailbox issued, regular
users, valid personal certificates, organisational certificate held, pending requests) and the
percentages (rounded down to one decimal). ``pdf`` is the yearly report, in Vietnamese, as the
Reports page prints it. ``--ranking`` prints instead every unit of one kind (department by default) ranked
across its province, with the change of rank since the period before, as the Ranking page shows it."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from provisioning.common import spreadsheets
from provisioning.reports.printing import report_pdf
from provisioning.reports.selectors import COLUMNS, RANKING_COLUMNS, figures, province_ranking
from provisioning.units.models import Unit, UnitKind


class Command(BaseCommand):
    help = "Print the adoption figures of a unit (or the whole province) as of a date."

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="the unit's code (default: every top-level unit)")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=("json", "csv", "xlsx", "pdf"), default="json")
        parser.add_argument("--ranking", nargs="?", const=UnitKind.DEPARTMENT, choices=UnitKind.values,
                            metavar="KIND", help="rank every unit of this kind across its province (department)")
        parser.add_argument("--output", help="write to this file instead of standard output (needed for xlsx and pdf)")

    def handle(self, *args, unit, as_of, format, output, ranking, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of {as_of!r}: use YYYY-MM-DD") from None
        if ranking:
            if unit or format == "pdf":
                raise CommandError("--ranking takes neither --unit nor --format pdf")
            self._out(self._ranking(day, ranking, format, output), output)
            return
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
        self._out(data, output)

    def _ranking(self, day, kind: str, format: str, output: str | None) -> bytes:
        found = province_ranking(day, kind)
        if format == "json":
            return json.dumps({"as_of": day.isoformat(), "kind": kind, "units": [f.ranking_dict() for f in found]},
                              ensure_ascii=False, indent=2).encode()
        if format == "xlsx" and not output:
            raise CommandError("--format xlsx needs --output FILE")
        return spreadsheets.write_report([f.ranking_dict() for f in found], RANKING_COLUMNS, format)

    def _out(self, data: bytes, output: str | None) -> None:
        if output:
            with open(output, "wb") as f:
                f.write(data)
        else:
            self.stdout.write(data.decode("utf-8-sig").rstrip("\n"))
