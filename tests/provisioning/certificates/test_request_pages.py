"""The request forms for every kind and type, as the person, their HR officer and IT use them: prefilled
from the directory record, refused with a reason in the reader's language, and the unit's page where its
HR officer and head follow them. IT records revocations and unlocks the CA made."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError

from directory import gateway
from provisioning.certificates import internal, services
from provisioning.certificates.issued import certificates_import
from provisioning.certificates.models import (
    Certificate,
    CertificateBatch,
    CertificateRequest,
    CertKind,
    Origin,
    RequestType,
    Stage,
)
from provisioning.outbox.models import DirectoryChange
from provisioning.outbox.services import directory_changes_drain
from tests.provisioning.certificates import pki
from tests.provisioning.certificates.conftest import ORG_NEW, PERSONAL_NEW, batched
from tests.provisioning.certificates.test_pages import login

pytestmark = pytest.mark.django_db

HOANG, HOANG_MAIL = "Nguyễn Tiến Hoàng", "hoangnt@quangtri.gov.vn"
FINANCE = "000.00.03.H45"


def holding(cast, ca) -> Certificate:
    """The staff member holds a valid certificate from the government CA, published in the directory."""
    batched(cast)
    services.batch_send(actor=cast.u(cast.it), batch=CertificateBatch.objects.get())
    report = certificates_import(actor=None, data=pki.pem(pki.issue(ca, cn=HOANG, email=HOANG_MAIL)),
                                 token_serial="7A7A01")
    assert report.ok
    directory_changes_drain()
    return report.recorded[0]


def test_a_person_raises_every_type_for_their_own_certificate_on_its_form(client, cast, government_ca):
    cert = holding(cast, government_ca)
    login(client, cast.staff)
    page = client.get(f"/me/certificate/?type=revocation&certificate={cert.pk}").content.decode()
    assert cert.serial in page and "7A7A01" in page  # serial and token serial from the certificate
    contact = {"delivery_address": "Số 1 Hùng Vương, Đông Hà", "id_number": "038090001234",
               "contact_id_number": "038090001234"}
    posts = {
        RequestType.RENEWAL: {},
        RequestType.CHANGE: {"change_field": "position", "new_value": "Phó Trưởng phòng"},
        RequestType.REVOCATION: {"reason": "lost"},
        RequestType.UNLOCK: {},
    }
    for type_, values in posts.items():
        r = client.post(f"/me/certificate/?type={type_}", {"certificate": cert.pk, **contact, **values})
        assert r.status_code == 302, (type_, r.context["form"].errors if r.context else r)
    numbers = {r.type: r.form_number for r in CertificateRequest.objects.filter(certificate=cert)}
    assert numbers == {"renewal": "04", "change": "04", "revocation": "05", "unlock": "06"}
    revocation = CertificateRequest.objects.get(type=RequestType.REVOCATION)
    assert revocation.origin == Origin.PERSON and revocation.stage == Stage.HEAD
    assert revocation.form["reason"] == "lost" and revocation.form["token_serial"] == "7A7A01"
    assert revocation.form["email"] == HOANG_MAIL and revocation.form["full_name"] == HOANG
    change = CertificateRequest.objects.get(type=RequestType.CHANGE)
    assert (change.form["change_field"], change.form["new_value"]) == ("position", "Phó Trưởng phòng")


def test_the_name_and_the_official_address_cannot_be_typed_over(client, cast):
    login(client, cast.staff)
    client.post("/me/certificate/", PERSONAL_NEW | {"device_type": "token", "email": "someone@gmail.com",
                                                     "full_name": "Someone Else"})
    req = CertificateRequest.objects.get()
    assert req.form["email"] == HOANG_MAIL and req.form["full_name"] == HOANG


@pytest.mark.parametrize("language, phone_error, id_error", [
    ("vi", "Nhập số di động Việt Nam", "Số định danh có 12 chữ số"),
    ("en", "Enter a Vietnamese mobile number", "An identification number has 12 digits"),
])
def test_bad_values_are_refused_with_their_reason_in_the_readers_language(client, cast, language, phone_error,
                                                                           id_error):
    login(client, cast.staff)
    r = client.post("/me/certificate/", PERSONAL_NEW | {"device_type": "token", "phone": "12345",
                                                       "id_number": "12AB"}, HTTP_ACCEPT_LANGUAGE=language)
    page = r.content.decode()
    assert r.status_code == 400 and phone_error in page and id_error in page
    assert not CertificateRequest.objects.exists()


def test_a_pki_sim_needs_its_carrier(client, cast):
    login(client, cast.staff)
    r = client.post("/me/certificate/", PERSONAL_NEW | {"device_type": "pki_sim"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and "Name the mobile carrier" in r.content.decode()
    assert not CertificateRequest.objects.exists()


def test_an_unknown_type_or_someone_elses_certificate_is_not_offered(client, cast, government_ca):
    cert = holding(cast, government_ca)
    login(client, cast.clerk)
    assert client.get("/me/certificate/?type=bogus").status_code == 404
    r = client.post("/me/certificate/?type=revocation", {"certificate": cert.pk, "reason": "lost",
                                                         "id_number": "038090001234", "delivery_address": "x"})
    assert r.status_code == 400
    assert not CertificateRequest.objects.filter(type=RequestType.REVOCATION).exists()


def test_the_hr_officer_raises_for_someone_of_their_unit_prefilled_but_not_outside_it(client, cast):
    login(client, cast.hr)
    page = client.get(f"/people/{cast.staff.pk}/certificate/").content.decode()
    assert HOANG_MAIL in page and "Sở Tài chính" in page and "Chuyên viên" in page
    r = client.post(f"/people/{cast.staff.pk}/certificate/", PERSONAL_NEW | {"device_type": "remote"})
    assert r.status_code == 302
    req = CertificateRequest.objects.get()
    assert req.origin == Origin.HR and req.requested_by.username == cast.hr.uid and req.person == cast.staff
    assert client.get(f"/people/{cast.other_head.pk}/certificate/").status_code == 404
    assert f"/people/{cast.staff.pk}/certificate/" in client.get(f"/people/{cast.staff.pk}/").content.decode()


def test_an_organisational_request_names_the_legal_representative_and_the_chosen_custodian(client, cast):
    login(client, cast.hr)
    url = f"/units/{FINANCE}/certificates/request/?kind=organisation"
    page = client.get(url).content.decode()
    assert "Phạm Văn Đồng" in page  # the unit head, as legal representative
    r = client.post(url, ORG_NEW | {"person": cast.clerk.pk, "org_name": "Sở Tài chính",
                                    "legal_representative": "Phạm Văn Đồng", "contact_name": "Võ Thị Sáu",
                                    "contact_position": "Văn thư", "contact_email": cast.clerk.mail})
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    req = CertificateRequest.objects.get()
    assert (req.kind, req.form_number, req.person) == (CertKind.ORGANISATION, "02", cast.clerk)
    assert req.form["custodian"] == "Võ Thị Sáu" and req.form["legal_representative"] == "Phạm Văn Đồng"
    assert req.form["province"] == "Ủy ban nhân dân tỉnh Quảng Trị"
    login(client, cast.staff)  # not the unit's HR officer
    assert client.get(url).status_code == 403


def test_a_custodian_from_another_unit_is_refused(client, cast):
    login(client, cast.hr)
    r = client.post(f"/units/{FINANCE}/certificates/request/?kind=organisation",
                    ORG_NEW | {"person": cast.other_head.pk, "org_name": "Sở Tài chính", "legal_representative": "X",
                               "contact_name": "X", "contact_position": "X", "contact_email": cast.clerk.mail})
    assert r.status_code == 400 and not CertificateRequest.objects.exists()


DEVICE = {"device_name": "Cổng dịch vụ công tỉnh", "device_identifier": "dichvucong.quangtri.gov.vn",
          "address": "Số 45 Hùng Vương, Đông Hà", "contact_name": "Võ Thị Sáu", "contact_id_number": "038085004321",
          "contact_position": "Văn thư", "contact_phone": "0912555666", "delivery_address": "Số 45 Hùng Vương"}


def test_a_device_request_goes_through_approval_into_the_dossier_as_form_03(client, cast, local_ca):
    login(client, cast.hr)
    url = f"/units/{FINANCE}/certificates/request/?kind=device"
    assert "Sở Tài chính" in client.get(url).content.decode()  # the managing unit, prefilled
    bad = client.post(url, DEVICE | {"person": cast.clerk.pk, "device_identifier": "bad name!",
                                     "contact_email": cast.clerk.mail}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "Enter a domain name" in bad.content.decode()
    r = client.post(url, DEVICE | {"person": cast.clerk.pk, "contact_email": cast.clerk.mail})
    assert r.status_code == 302
    req = CertificateRequest.objects.get()
    assert (req.kind, req.form_number, req.form["managing_unit"]) == (CertKind.DEVICE, "03", "Sở Tài chính")
    services.request_decide_head(actor=cast.u(cast.head), request=req, approve=True)
    internal.request_decide_it(actor=cast.u(cast.it), request=req, approve=True)
    batch = CertificateBatch.objects.get()
    login(client, cast.it)
    files = zipfile.ZipFile(io.BytesIO(client.get(f"/certificates/batches/{batch.pk}/dossier.zip").content))
    assert "mau-03.pdf" in files.namelist()
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(files.read("mau-03.pdf"))).pages)
    assert "THIẾT BỊ, DỊCH VỤ" in text and "dichvucong.quangtri.gov.vn" in text and "Võ Thị Sáu" in text
    subject = json.loads(files.read("manifest.json"))["requests"][0]["subject"]
    assert subject["CN"] == subject["dns"] == "dichvucong.quangtri.gov.vn"
    # with the local CA, marking the batch sent issues at once; a device has no directory entry to publish on
    changes = DirectoryChange.objects.count()
    client.post("/certificates/it/send/", {"batch": batch.pk})
    cert = Certificate.objects.get()
    assert (cert.kind, cert.person, cert.unit) == (CertKind.DEVICE, None, cast.finance)
    assert "dichvucong.quangtri.gov.vn" in cert.subject
    assert DirectoryChange.objects.count() == changes
    batch.refresh_from_db()
    assert batch.status == CertificateBatch.Status.CLOSED


def test_the_units_page_is_for_its_hr_officer_and_head_who_decides_there(client, cast):
    req = services.request_create(actor=cast.u(cast.staff), kind="personal", type_="new", person=cast.staff,
                                  form=PERSONAL_NEW)
    url = f"/units/{FINANCE}/certificates/"
    login(client, cast.hr)
    assert url in client.get(f"/units/{FINANCE}/").content.decode()  # reached from the unit's page
    page = client.get(url).content.decode()
    assert HOANG in page and "/certificates/request/?kind=organisation" in page
    assert client.post(url, {"request": req.pk, "decision": "approve"}).status_code == 404  # HR does not decide
    login(client, cast.head)
    assert client.get(url).status_code == 200
    client.post(url, {"request": req.pk, "decision": "approve"})
    assert CertificateRequest.objects.get().stage == Stage.IT
    for outsider in (cast.staff, cast.other_head):
        login(client, outsider)
        assert client.get(url).status_code == 403
        assert url not in client.get(f"/units/{FINANCE}/").content.decode()


def test_an_automatic_request_is_completed_on_its_page_before_it_batches_it(client, cast, government_ca):
    cert = holding(cast, government_ca)
    req = services.request_create(actor=None, automatic=True, kind="personal", type_="revocation",
                                  person=cast.staff, certificate=cert, form={"reason": "retirement"})
    login(client, cast.it)
    services.request_decide_head(actor=cast.u(cast.head), request=req, approve=True)
    with pytest.raises(ValidationError):
        internal.request_decide_it(actor=cast.u(cast.it), request=req, approve=True)
    login(client, cast.hr)
    url = f"/certificates/requests/{req.pk}/"
    assert "personal identification number" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    r = client.post(url, {"id_number": "038090001234", "delivery_address": "Số 1 Hùng Vương", "reason": "retirement"})
    assert r.status_code == 302
    internal.request_decide_it(actor=cast.u(cast.it), request=req, approve=True)
    assert CertificateRequest.objects.get(pk=req.pk).stage == Stage.BATCHED
    login(client, cast.other_head)
    assert client.get(url).status_code == 404


def test_it_records_a_revocation_on_its_page_and_the_certificate_leaves_the_directory(client, cast, government_ca):
    cert = holding(cast, government_ca)
    assert gateway.person_certificates("hoangnt") == [bytes(cert.der)]
    login(client, cast.staff)
    assert client.post("/certificates/it/revoke/", {"serial": cert.serial, "reason": "lost"}).status_code == 403
    login(client, cast.it)
    client.post("/certificates/it/revoke/", {"serial": "ABC", "reason": "lost"})
    client.post("/certificates/it/revoke/", {"serial": cert.serial})  # no reason: nothing recorded
    assert Certificate.objects.get().status == Certificate.Status.ACTIVE
    client.post("/certificates/it/revoke/", {"serial": cert.serial, "reason": "key_compromise"})
    cert.refresh_from_db()
    assert (cert.status, cert.revocation_reason) == (Certificate.Status.REVOKED, "key_compromise")
    assert DirectoryChange.objects.filter(kind=DirectoryChange.Kind.PERSON_CERTIFICATES).exists()
    directory_changes_drain()
    assert gateway.person_certificates("hoangnt") == []


def test_a_revocation_request_the_ca_confirmed_is_recorded_with_its_reason(client, cast, government_ca):
    cert = holding(cast, government_ca)
    req = services.request_create(actor=cast.u(cast.staff), kind="personal", type_="revocation", person=cast.staff,
                                  certificate=cert, form={"reason": "damaged", "id_number": "038090001234",
                                                          "delivery_address": "Số 1"})
    services.request_decide_head(actor=cast.u(cast.head), request=req, approve=True)
    internal.request_decide_it(actor=cast.u(cast.it), request=req, approve=True)
    login(client, cast.it)
    client.post("/certificates/it/revoke/", {"request": req.pk})
    assert Certificate.objects.get().status == Certificate.Status.ACTIVE  # the batch was not sent yet
    batch = CertificateRequest.objects.get(pk=req.pk).batch
    services.batch_send(actor=cast.u(cast.it), batch=batch)
    assert f'name="request" value="{req.pk}"' in client.get("/certificates/it/").content.decode()
    client.post("/certificates/it/revoke/", {"request": req.pk})
    cert.refresh_from_db()
    assert (cert.status, cert.revocation_reason) == (Certificate.Status.REVOKED, "damaged")
    assert CertificateRequest.objects.get(pk=req.pk).stage == Stage.DONE
    directory_changes_drain()
    assert gateway.person_certificates("hoangnt") == []


def test_it_records_a_token_unlock_as_done(client, cast, government_ca):
    cert = holding(cast, government_ca)
    req = services.request_create(actor=cast.u(cast.staff), kind="personal", type_="unlock", person=cast.staff,
                                  certificate=cert, form={"id_number": "038090001234", "delivery_address": "Số 1"})
    services.request_decide_head(actor=cast.u(cast.head), request=req, approve=True)
    internal.request_decide_it(actor=cast.u(cast.it), request=req, approve=True)
    services.batch_send(actor=cast.u(cast.it), batch=CertificateRequest.objects.get(pk=req.pk).batch)
    login(client, cast.it)
    client.post("/certificates/it/done/", {"request": req.pk})
    req.refresh_from_db()
    assert req.stage == Stage.DONE and req.batch.status == CertificateBatch.Status.CLOSED


def test_without_an_internal_ca_the_csr_path_is_closed(client, cast, settings):
    settings.IDM_INTERNAL_CA_ADAPTER = "external"
    login(client, cast.staff)
    assert "/me/certificate/csr/" not in client.get("/me/certificate/").content.decode()
    with pytest.raises(ValidationError) as refused:
        internal.csr_request_create(actor=cast.u(cast.staff), person=cast.staff, data=b"anything")
    assert "csr" in refused.value.message_dict
    assert not CertificateRequest.objects.exists()
