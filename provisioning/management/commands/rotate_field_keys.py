"""python manage.py rotate_field_keys: re-encrypt stored citizen IDs with the current field key.

To rotate: put the new key first in IDM_FIELD_KEYS (keep the old one after it), run this, then
remove the old key. Also moves values written before IDM_FIELD_KEYS existed, and recomputes the
look-up digests with IDM_DIGEST_KEY."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from provisioning.people.services import citizen_ids_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt stored citizen IDs with the first key of IDM_FIELD_KEYS and refresh their digests."

    def handle(self, *args, **options):
        n = citizen_ids_reencrypt()
        self.stdout.write(f"rotate_field_keys: {n} citizen IDs re-encrypted with the current key")
