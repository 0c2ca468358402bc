"""Create or reset the local bootstrap superadmin (development and first installation)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User


class Command(BaseCommand):
    help = "Create the local superadmin if missing, or set its password."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="superadmin")
        parser.add_argument("--password-file", required=True, help="file holding the password (never on argv)")

    def handle(self, *args, username, password_file, **options):
        try:
            with open(password_file, encoding="utf-8") as f:
                password = f.read().strip()
        except OSError as exc:
            raise CommandError(f"cannot read the password file: {exc.strerror}") from None
        if len(password) < 15:
            raise CommandError("the superadmin password must have at least 15 characters")
        user, created = User.objects.get_or_create(
            username=username, defaults={"source": User.Source.LOCAL, "is_superuser": True, "is_staff": True})
        if not created and user.source != User.Source.LOCAL:
            raise CommandError(f"{username!r} is a directory user; choose another name for the local superadmin")
        if created or not user.check_password(password):
            user.set_password(password)
            user.is_superuser = user.is_staff = True
            user.save()
        self.stdout.write(f"superadmin {username!r} {'created' if created else 'ready'}")
