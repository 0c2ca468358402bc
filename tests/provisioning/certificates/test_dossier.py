"""A batch exports as the CA dossier: the forms as PDF (Vietnamese, ready to sign), the bulk
spreadsheet and a manifest, and each file opens and lists the right people."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pytest
from pypdf import PdfReader

from idm.pdf import NoFetching, html_to_pdf
from provisioning.certificates import dossier, services
from provisioning.certificates.models import CertificateBatch, CertKind, RequestType
from tests.provisioning.certificates.conftest import ORG_NEW, PERSONAL_NEW

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(cast) -> CertificateBatch:
    personal = services.request_create(actor=cast.u(cast.staff), kind=CertKind.PERSONAL, type_=RequestType.NEW,
                                       person=cast.staff, form=PERSONAL_NEW)
    org = services.request_create(actor=cast.u(cast.hr), kind=CertKind.ORGANISATION, type_=RequestType.NEW,
                                  person=cast.clerk, unit=cast.finance, form=ORG_NEW)
    for req in (personal, org):
        services.request_decide_head(actor=cast.u(cast.head), request=req, approve=True)
        services.request_decide_it(actor=cast.u(cast.it), request=req, approve=True)
    return CertificateBatch.objects.get()


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_forms_are_vietnamese_pdfs_naming_the_right_people(batch):
    pdfs = dossier.batch_pdfs(batch)
    assert sorted(pdfs) == ["01", "02"]
    personal, org = _text(pdfs["01"]), _text(pdfs["02"])
    assert "ĐỀ NGHỊ CẤP CHỨNG THƯ SỐ CÁ NHÂN" in personal and "Nguyễn Tiến Hoàng" in personal
    assert "hoangnt@quangtri.gov.vn" in personal and "038090001234" in personal
    assert "Sở Tài chính" in org and "3200123456" in org and "Võ Thị Sáu" in org
    assert "Võ Thị Sáu" not in personal


def test_the_spreadsheet_and_the_manifest_list_every_request(batch):
    files = zipfile.ZipFile(io.BytesIO(dossier.batch_zip(batch)))
    assert sorted(files.namelist()) == ["danh-sach.xlsx", "manifest.json", "mau-01.pdf", "mau-02.pdf"]
    sheet = openpyxl.load_workbook(io.BytesIO(files.read("danh-sach.xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3 and {"hoangnt", "sauvt"} <= {c for r in rows for c in r}
    manifest = json.loads(files.read("manifest.json"))
    subjects = {r["uid"]: r["subject"] for r in manifest["requests"]}
    assert subjects["hoangnt"] == {"C": "VN", "O": "Ủy ban nhân dân tỉnh Quảng Trị", "OU": "Sở Tài chính",
                                   "L": "Ủy ban nhân dân tỉnh Quảng Trị", "CN": "Nguyễn Tiến Hoàng",
                                   "email": "hoangnt@quangtri.gov.vn"}
    assert subjects["sauvt"]["UID"] == "MST:3200123456"


def test_a_formula_in_a_form_value_is_neutralised_in_the_spreadsheet(cast, batch):
    req = batch.requests.get(kind=CertKind.PERSONAL)
    req.form["id_issued_at"] = "=HYPERLINK(\"http://x\")"
    req.save(update_fields=["form"])
    sheet = openpyxl.load_workbook(io.BytesIO(dossier.batch_xlsx(batch))).active
    assert "'=HYPERLINK(\"http://x\")" in {c for r in sheet.iter_rows(values_only=True) for c in r}


def test_a_pdf_template_cannot_reach_the_network_or_files():
    pdf = html_to_pdf('<p>ok <img src="http://192.0.2.1/x.png"><img src="file:///etc/passwd"></p>')
    assert _text(pdf).strip() == "ok"
    assert NoFetching  # the fetcher refuses; WeasyPrint logs it and draws nothing
