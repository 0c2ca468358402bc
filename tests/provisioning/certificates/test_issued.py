"""Certificates come back from the CA as files: matched to their request, checked, stored in the
directory; anything wrong is refused with its reason and changes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from django.core.management import call_command

from directory import gateway
from provisioning.certificates import services
from provisioning.certificates.ca import adapter
from provisioning.certificates.issued import certificate_revoke, certificates_expire, certificates_import
from provisioning.certificates.models import Certificate, CertificateBatch, CertificateRequest, Stage
from provisioning.outbox.services import directory_changes_drain
from tests.provisioning.certificates import pki
from tests.provisioning.certificates.conftest import PERSONAL_NEW, batched

pytestmark = pytest.mark.django_db

HOANG, HOANG_MAIL = "Nguyễn Tiến Hoàng", "hoangnt@quangtri.gov.vn"


def _refusal(data: bytes) -> str:
    report = certificates_import(actor=None, data=data)
    assert not report.recorded and Certificate.objects.count() == 0
    return " ".join(why for _what, why in report.refused)


def test_the_whole_way_with_the_local_ca(cast, local_ca, tmp_path):
    req = batched(cast)
    org = batched(cast, kind="organisation", person=cast.clerk)
    batch = services.batch_send(actor=cast.u(cast.it), batch=CertificateBatch.objects.get())
    issued = adapter().issue_batch(list(batch.requests.select_related("unit")))
    files = []
    for n, der in enumerate(issued):
        files.append(tmp_path / f"cert{n}.pem")
        files[-1].write_bytes(pki.pem(x509.load_der_x509_certificate(der)))
    call_command("import_certificates", *map(str, files), stdout=io.StringIO())
    directory_changes_drain()
    mine = Certificate.objects.get(person=cast.staff)
    assert gateway.person_certificates("hoangnt") == [bytes(mine.der)]
    assert mine.email == HOANG_MAIL and "CN=Nguyễn Tiến Hoàng" in mine.subject
    unit_cert = Certificate.objects.get(kind="organisation")
    assert gateway.unit_certificates(["000.00.00.H45", "000.00.03.H45"]) == [bytes(unit_cert.der)]
    assert {r.stage for r in CertificateRequest.objects.filter(pk__in=[req.pk, org.pk])} == {Stage.DONE}
    batch.refresh_from_db()
    assert batch.status == CertificateBatch.Status.CLOSED


def test_a_province_ca_certificate_loads_as_pem_der_or_pkcs7(cast, government_ca):
    batched(cast)
    cert = pki.issue(government_ca, cn=HOANG, email=HOANG_MAIL)
    bundle = pkcs7.serialize_certificates([cert, government_ca[1]], serialization.Encoding.DER)
    report = certificates_import(actor=None, data=bundle, token_serial="54 0A 11")
    assert report.ok and report.recorded[0].token_serial == "54 0A 11"
    assert Certificate.objects.get().serial == format(cert.serial_number, "X")


def test_a_der_file_is_read(cast, government_ca):
    batched(cast)
    assert certificates_import(actor=None, data=pki.der(pki.issue(government_ca, cn=HOANG, email=HOANG_MAIL))).ok


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"hello, this is not a certificate", "not a certificate file"),
    (b"\x30\x82\x05\x00\x01\x02", "damaged or truncated"),
    (b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "damaged or truncated"),
    (b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "not a certificate"),
    (b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "not valid base64"),
    (b"x" * (600 * 1024), "larger than"),
])
def test_garbage_truncated_oversized_and_wrong_type_files_are_refused(cast, government_ca, data, reason):
    batched(cast)
    with_english = _refusal_en(data)
    assert reason in with_english


def _refusal_en(data: bytes) -> str:
    from django.utils import translation

    with translation.override("en"):
        return _refusal(data)


def test_pem_with_trailing_data_is_refused(cast, government_ca):
    batched(cast)
    good = pki.pem(pki.issue(government_ca, cn=HOANG, email=HOANG_MAIL))
    assert "outside its PEM blocks" in _refusal_en(good + b"trailing")
    assert "damaged or truncated" in _refusal_en(pki.der(pki.issue(government_ca, cn=HOANG, email=HOANG_MAIL))
                                                 + b"\x00")


def test_a_certificate_from_a_ca_the_province_does_not_trust_is_refused(cast, government_ca):
    batched(cast)
    stranger = pki.make_ca("Somebody else's CA")
    assert "trusts" in _refusal_en(pki.pem(pki.issue(stranger, cn=HOANG, email=HOANG_MAIL)))


def test_an_expired_certificate_is_refused(cast, government_ca):
    batched(cast)
    old = pki.issue(government_ca, cn=HOANG, email=HOANG_MAIL,
                    start=dt.datetime.now(dt.UTC) - dt.timedelta(days=800), days=365)
    assert "expired" in _refusal_en(pki.pem(old))


def test_a_certificate_for_someone_else_is_refused(cast, government_ca):
    batched(cast)
    assert "someone else" in _refusal_en(pki.pem(pki.issue(government_ca, cn="Võ Thị Sáu", email=HOANG_MAIL)))


def test_a_certificate_that_matches_no_request_is_reported_not_stored(cast, government_ca):
    assert "matches no request" in _refusal_en(pki.pem(pki.issue(government_ca, cn=HOANG, email=HOANG_MAIL)))


def test_the_same_certificate_twice_is_refused(cast, government_ca):
    batched(cast)
    data = pki.pem(pki.issue(government_ca, cn=HOANG, email=HOANG_MAIL))
    assert certificates_import(actor=None, data=data).ok
    from django.utils import translation

    with translation.override("en"):
        report = certificates_import(actor=None, data=data)
    assert "already recorded" in report.refused[0][1] and Certificate.objects.count() == 1


def test_a_key_already_bound_to_another_person_is_refused(cast, government_ca):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    batched(cast, person=cast.clerk, form=PERSONAL_NEW | {"phone": "0912555666", "contact_phone": "0912555666"})
    assert certificates_import(actor=None, data=pki.pem(pki.issue(government_ca, cn="Võ Thị Sáu",
                                                                  email="sauvt@quangtri.gov.vn", key=key))).ok
    batched(cast)
    assert "bound to someone else" in _refusal_en_keep(pki.pem(pki.issue(government_ca, cn=HOANG,
                                                                         email=HOANG_MAIL, key=key)))


def _refusal_en_keep(data: bytes) -> str:
    from django.utils import translation

    with translation.override("en"):
        report = certificates_import(actor=None, data=data)
    assert not report.recorded
    return " ".join(why for _w, why in report.refused)


def test_a_revoked_certificate_leaves_the_directory(cast, government_ca):
    batched(cast)
    certificates_import(actor=None, data=pki.pem(pki.issue(government_ca, cn=HOANG, email=HOANG_MAIL)))
    directory_changes_drain()
    assert len(gateway.person_certificates("hoangnt")) == 1
    certificate_revoke(actor=None, certificate=Certificate.objects.get(), reason="lost")
    directory_changes_drain()
    assert gateway.person_certificates("hoangnt") == []


def test_an_expired_certificate_leaves_the_directory(cast, government_ca):
    batched(cast)
    certificates_import(actor=None, data=pki.pem(pki.issue(government_ca, cn=HOANG, email=HOANG_MAIL, days=30)))
    directory_changes_drain()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=31), tick=False):
        assert certificates_expire() == 1
        directory_changes_drain()
    assert gateway.person_certificates("hoangnt") == []
    assert Certificate.objects.get().status == Certificate.Status.EXPIRED


def test_the_command_reports_refusals_and_revokes_by_serial(cast, government_ca, tmp_path, capsys):
    batched(cast)
    good = tmp_path / "good.pem"
    good.write_bytes(pki.pem(pki.issue(government_ca, cn=HOANG, email=HOANG_MAIL)))
    bad = tmp_path / "bad.pem"
    bad.write_bytes(b"garbage")
    with pytest.raises(SystemExit):
        call_command("import_certificates", str(good), str(bad), stdout=io.StringIO())
    assert Certificate.objects.count() == 1 and "bad.pem" in capsys.readouterr().err
    call_command("import_certificates", "--revoked", f"{Certificate.objects.get().serial}:retirement",
                 stdout=io.StringIO())
    assert Certificate.objects.get().status == Certificate.Status.REVOKED
