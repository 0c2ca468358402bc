"""python manage.py reconcile [--repair] [--delete-extra] [--actor USERNAME]: compare SQL and the directory.

Exit status 0 when there is no drift (after repairing, if asked), 1 otherwise."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from directory.errors import DirectoryError
from provisioning.management.actors import SOURCE, add_actor_argument, command_actor
from provisioning.reconcile import services as reconcile


class Command(BaseCommand):
    help = "Compare SQL and the directory both ways; report, or repair, the differences."

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="make the directory match SQL")
        parser.add_argument("--delete-extra", action="store_true",
                            help="with --repair, also delete directory entries SQL does not know")
        add_actor_argument(parser)

    def handle(self, *args, repair, delete_extra, actor, **options):
        actor = command_actor(actor)
        try:
            drift = reconcile.compare()
            self._report(drift)
            if repair and drift.total:
                reconcile.repair(drift, actor=actor, source=SOURCE, delete_extra=delete_extra)
                drift = reconcile.compare()
                self.stdout.write("after repair:")
                self._report(drift)
        except DirectoryError as exc:
            raise CommandError(f"the directory is not reachable: {exc}") from None
        self.stdout.write(f"reconcile: drift {drift.total}")
        if drift.total:
            sys.exit(1)

    def _report(self, d: reconcile.Drift) -> None:
        for label, items in (("people missing from the directory", d.missing_people),
                             ("people in the directory but not in SQL", d.extra_people),
                             ("units missing from the directory", d.missing_units),
                             ("units in the directory but not in SQL", d.extra_units),
                             ("mailboxes the directory has whose store the mail server has not created",
                              d.unprepared_mailboxes)):
            if items:
                self.stdout.write(f"{label}: {len(items)}: {', '.join(items[:20])}{' ...' if len(items) > 20 else ''}")
        for label, items in (("people with differing attributes", d.differing_people),
                             ("units with differing attributes", d.differing_units)):
            if items:
                sample = "; ".join(f"{k} ({', '.join(v)})" for k, v in list(items.items())[:20])
                self.stdout.write(f"{label}: {len(items)}: {sample}")
