"""The pages: a person asks, the unit head approves, IT batches, downloads the dossier and
uploads what the CA issued; the certificate shows on the person's account."""

from __future__ import annotations

import io
import zipfile

import pytest
from cryptography import x509
from django.core.files.uploadedfile import SimpleUploadedFile

from provisioning.certificates.ca import adapter
from provisioning.certificates.models import Certificate, CertificateBatch, CertificateRequest, Stage
from tests import factories
from tests.provisioning.certificates import pki

pytestmark = pytest.mark.django_db


def login(client, person):
    client.logout()
    assert client.post("/accounts/login/", {"username": person.uid, "password": factories.PASSWORD}).status_code == 302


def test_a_request_walks_through_the_pages_to_a_certificate_on_my_account(client, cast, local_ca):
    login(client, cast.staff)
    page = client.get("/me/certificate/").content.decode()
    assert "hoangnt@quangtri.gov.vn" in page and "Sở Tài chính" in page
    client.post("/me/certificate/", {"birth_date": "1990-05-17", "id_number": "038090001234",
                                     "id_issued_on": "2021-04-10", "id_issued_at": "Cục Cảnh sát QLHC",
                                     "device_type": "token", "delivery_address": "Số 1 Hùng Vương"})
    req = CertificateRequest.objects.get()
    assert req.stage == Stage.HEAD
    assert client.get("/certificates/it/").status_code == 403
    login(client, cast.head)
    assert "Nguyễn Tiến Hoàng" in client.get("/certificates/").content.decode()
    client.post("/certificates/", {"request": req.pk, "decision": "approve"})
    login(client, cast.it)
    client.post("/certificates/it/", {"request": req.pk, "decision": "approve"})
    batch = CertificateBatch.objects.get()
    files = zipfile.ZipFile(io.BytesIO(client.get(f"/certificates/batches/{batch.pk}/dossier.zip").content))
    assert "mau-01.pdf" in files.namelist()
    client.post("/certificates/it/send/", {"batch": batch.pk})
    (der,) = adapter().issue_batch(list(batch.requests.select_related("unit")))
    upload = SimpleUploadedFile("issued.pem", pki.pem(x509.load_der_x509_certificate(der)))
    client.post("/certificates/it/upload/", {"file": upload, "token_serial": "A1B2"})
    cert = Certificate.objects.get()
    login(client, cast.staff)
    assert cert.serial in client.get("/me/").content.decode()


def test_the_unit_head_refuses_with_a_reason_on_the_page(client, cast):
    from provisioning.certificates import services
    from tests.provisioning.certificates.conftest import PERSONAL_NEW

    req = services.request_create(actor=cast.u(cast.staff), kind="personal", type_="new", person=cast.staff,
                                  form=PERSONAL_NEW)
    login(client, cast.head)
    client.post("/certificates/", {"request": req.pk, "decision": "refuse"})
    assert CertificateRequest.objects.get().stage == Stage.HEAD  # no reason: nothing changes
    client.post("/certificates/", {"request": req.pk, "decision": "refuse", "note": "Chưa cần"})
    assert CertificateRequest.objects.get().stage == Stage.REFUSED


def test_a_head_of_another_unit_cannot_see_or_decide(client, cast):
    from provisioning.certificates import services
    from tests.provisioning.certificates.conftest import PERSONAL_NEW

    req = services.request_create(actor=cast.u(cast.staff), kind="personal", type_="new", person=cast.staff,
                                  form=PERSONAL_NEW)
    login(client, cast.other_head)
    assert "Nguyễn Tiến Hoàng" not in client.get("/certificates/").content.decode()
    assert client.post("/certificates/", {"request": req.pk, "decision": "approve"}).status_code == 404
    assert CertificateRequest.objects.get().stage == Stage.HEAD


def test_staff_cannot_download_a_dossier(client, cast):
    CertificateBatch.objects.create()
    login(client, cast.staff)
    assert client.get(f"/certificates/batches/{CertificateBatch.objects.get().pk}/dossier.zip").status_code == 404


def test_the_unit_page_costs_a_bounded_number_of_queries(client, cast, django_assert_max_num_queries):
    from provisioning.certificates import services
    from tests.provisioning.certificates.conftest import PERSONAL_NEW

    for p in (cast.staff, cast.clerk, cast.hr):
        services.request_create(actor=cast.u(cast.hr), kind="personal", type_="new", person=p,
                                form=PERSONAL_NEW | {"phone": "0912000111", "contact_phone": "0912000111"})
    login(client, cast.head)
    with django_assert_max_num_queries(20):
        assert client.get("/certificates/").status_code == 200
