"""Record the certificates a CA issued, from PEM, DER or PKCS#7 files (and revocations by serial).

    python manage.py import_certificates FILE... [--token-serial SERIAL] [--actor USERNAME]
    python manage.py import_certificates --revoked SERIAL[:REASON]... [--actor USERNAME]

Each certificate is matched to its request, checked (chain to a CA in IDM_CA_BUNDLE, not expired,
subject and email of the person or unit) and published in the directory. Anything refused is
printed on stderr with its reason and stored nowhere. Exit status 0 when everything was recorded,
1 when something was refused."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from provisioning.certificates.issued import certificate_revoke, certificates_import
from provisioning.certificates.models import Certificate, RevocationReason
from provisioning.certificates.x509files import CertificateFileError
from provisioning.management.actors import add_actor_argument, command_actor


class Command(BaseCommand):
    help = "Record issued certificates (PEM, DER, PKCS#7) or revocations, and publish them in the directory."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*")
        parser.add_argument("--token-serial", default="", help="the token's serial, for a file with one certificate")
        parser.add_argument("--revoked", action="append", default=[], metavar="SERIAL[:REASON]",
                            help=f"record a revocation; reasons: {', '.join(RevocationReason.values)}")
        add_actor_argument(parser)

    def handle(self, *args, files, token_serial, revoked, actor, **options):
        actor = command_actor(actor)
        if not files and not revoked:
            raise CommandError("name at least one FILE or --revoked SERIAL")
        refused = recorded = 0
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            report = certificates_import(actor=actor, data=path.read_bytes(), token_serial=token_serial)
            for cert in report.recorded:
                self.stdout.write(f"{name}: recorded {cert.serial} for {cert.person or cert.unit}")
            for what, why in report.refused:
                sys.stderr.write(f"{name}: {what}: {why}\n")
            recorded, refused = recorded + len(report.recorded), refused + len(report.refused)
        for item in revoked:
            serial, _sep, reason = item.partition(":")
            certs = list(Certificate.objects.filter(serial=serial.upper().replace(":", "")))
            if len(certs) != 1:
                sys.stderr.write(f"{serial}: {'no' if not certs else 'more than one'} recorded certificate\n")
                refused += 1
                continue
            try:
                certificate_revoke(actor=actor, certificate=certs[0], reason=reason)
            except CertificateFileError as exc:
                sys.stderr.write(f"{serial}: {exc}\n")
                refused += 1
            else:
                self.stdout.write(f"revoked {serial}")
                recorded += 1
        self.stdout.write(f"{recorded} recorded, {refused} refused")
        if refused:
            sys.exit(1)
