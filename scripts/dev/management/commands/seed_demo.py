"""Load the demo province: its unit tree, a few staff per unit with a known password, all
through the normal services and the outbox, then apply the outbox here. Idempotent."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from directory import gateway
from directory.connection import credentials_valid
from directory.errors import DirectoryError
from directory.passwords import hash_password
from provisioning.outbox.services import directory_changes_drain
from provisioning.people.models import Person, PersonStatus
from scripts.dev import demo, demo_data


class Command(BaseCommand):
    help = "Load the demo province (units, staff, directory entries). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--no-passwords", action="store_true", help="do not set the demo password")

    def handle(self, *args, **options):
        started = time.monotonic()
        units = demo.load_units(demo_data.PROVINCE, demo_data.UNITS)
        staff = demo.load_staff(demo_data.STAFF)
        try:
            applied = directory_changes_drain()
        except DirectoryError as exc:
            raise CommandError(f"The directory is not reachable ({exc}). SQL is loaded; the changes stay queued "
                               "and are applied when the directory is back (or run seed_demo again).") from None
        if applied.failed:
            raise CommandError("Some directory changes failed: " + "; ".join(applied.errors[:5]))
        passwords = 0
        if not options["no_passwords"]:
            for person in Person.objects.filter(employee_code__startswith="DEMO-", status=PersonStatus.ACTIVE):
                if not credentials_valid(gateway.person_dn(person.uid), demo_data.DEMO_PASSWORD):
                    gateway.person_set_password_hash(person.uid, hash_password(demo_data.DEMO_PASSWORD))
                    passwords += 1
        roles = demo.grant_demo_roles(demo_data.PROVINCE_CODE, "000.00.02.H45")
        it_lead = demo.grant_demo_it_lead(demo_data.PROVINCE_CODE, "000.00.07.H45")
        province_hr = next((r for r in roles if r[2] == demo_data.PROVINCE["name"]), None)
        if province_hr:
            self.stdout.write(f"HR officer for the whole province: {province_hr[0]} ({province_hr[1]}); "
                              f"{len(roles) - 1} more, one per department")
            logins = Path(settings.VAR_DIR) / "demo-logins.json"
            logins.parent.mkdir(parents=True, exist_ok=True)
            logins.write_text(json.dumps({"hr_officer": province_hr[0], "it_lead": it_lead, "department_hr_officers": [
                r[0] for r in roles if r is not province_hr]}, ensure_ascii=False))
            self.stdout.write(f"IT lead for the whole province: {it_lead}")
        self.stdout.write(
            f"demo province: units {units.units_created} created, {units.units_updated} updated; "
            f"people {staff.people_created} created, {staff.people_updated} updated; "
            f"directory changes applied {applied.applied}; passwords set {passwords}; "
            f"{time.monotonic() - started:.1f} s"
        )
