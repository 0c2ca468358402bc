"""The dossier a batch is sent to the CA as: one filled form per request type (PDF in
Vietnamese, ready to sign), the bulk spreadsheet listing every request (XLSX) and a
machine-readable manifest (JSON), in one ZIP."""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from idm.pdf import render_pdf
from provisioning.certificates import fields
from provisioning.certificates.models import CertificateBatch, CertificateRequest, CertKind
from provisioning.common.spreadsheets import write_report

# The forms are official documents in Vietnamese whatever the reader's language.
TITLES = {
    "01": "ĐỀ NGHỊ CẤP CHỨNG THƯ SỐ CÁ NHÂN",
    "02": "ĐỀ NGHỊ CẤP CHỨNG THƯ SỐ CHO CƠ QUAN, TỔ CHỨC",
    "03": "ĐỀ NGHỊ CẤP CHỨNG THƯ SỐ CHO THIẾT BỊ, DỊCH VỤ, PHẦN MỀM",
    "04": "ĐỀ NGHỊ GIA HẠN, THAY ĐỔI THÔNG TIN CHỨNG THƯ SỐ",
    "05": "ĐỀ NGHỊ THU HỒI CHỨNG THƯ SỐ",
    "06": "ĐỀ NGHỊ KHÔI PHỤC (MỞ KHÓA) THIẾT BỊ LƯU KHÓA BÍ MẬT",
}
MANIFEST_VERSION = 1


def _requests(batch: CertificateBatch) -> list[CertificateRequest]:
    return list(batch.requests.select_related("person", "unit").order_by("pk"))


def display_value(name: str, value: str) -> str:
    """A form value as printed: the label of a choice rather than its code."""
    return _value(name, value)


def _value(name: str, value: str) -> str:
    choices = {"device_type": fields.DeviceType, "reason": fields.RevocationReason}
    if name in choices and value in choices[name].values:
        return str(choices[name](value).label)
    if name == "change_field" and value in fields.LABELS:
        return str(fields.LABELS[value])
    return value


def _rows(req: CertificateRequest) -> list[tuple[str, str]]:
    names = list(fields.required(req.kind, req.type, req.form))
    names += [n for n in fields.LABELS if n in req.form and n not in names]
    return [(str(fields.LABELS[n]).capitalize(), _value(n, req.form.get(n, ""))) for n in names]


def batch_pdfs(batch: CertificateBatch) -> dict[str, bytes]:
    """form number -> one PDF with a page per request on that form."""
    by_form: dict[str, list[CertificateRequest]] = defaultdict(list)
    for req in _requests(batch):
        by_form[req.form_number].append(req)
    today = timezone.localdate()
    out = {}
    with translation.override("vi"):
        for number, reqs in sorted(by_form.items()):
            pages = [{"province": r.form.get("province", ""), "agency": r.unit.name, "rows": _rows(r),
                      "ref": r.pk, "contact": r.form.get("contact_name", ""),
                      "subtitle": f"{r.get_kind_display()} — {r.get_type_display()}"} for r in reqs]
            out[number] = render_pdf("provisioning/certificates/pdf/forms.html", {
                "number": number, "title": TITLES[number], "pages": pages,
                "place_and_date": f"Ngày {today.day:02d} tháng {today.month:02d} năm {today.year}"},
                title=f"Mẫu {number} — {batch}")
    return out


def _type_label(req: CertificateRequest) -> str:
    return f"{req.get_kind_display()} — {req.get_type_display()}"


def batch_xlsx(batch: CertificateBatch) -> bytes:
    """The bulk list: one row per request, every text cell neutralised (IN-04)."""
    columns = [("ref", _("request")), ("form", _("form")), ("what", _("type")), ("uid", _("user name")),
               ("unit", _("unit"))] + [(n, str(fields.LABELS[n])) for n in fields.LABELS]
    with translation.override("vi"):
        rows = [{"ref": r.pk, "form": f"Mẫu {r.form_number}", "what": _type_label(r), "uid": r.person.uid,
                 "unit": r.unit.code} | {n: _value(n, r.form.get(n, "")) for n in fields.LABELS}
                for r in _requests(batch)]
        columns = [(k, str(label)) for k, label in columns]
    return write_report(rows, columns, "xlsx")


def batch_manifest(batch: CertificateBatch) -> dict:
    """What a program at the CA (or our own import) reads: the requests with their form fields."""
    return {
        "version": MANIFEST_VERSION, "batch": batch.pk, "status": batch.status,
        "created_at": batch.created_at.isoformat(), "sent_at": batch.sent_at.isoformat() if batch.sent_at else None,
        "requests": [{"id": r.pk, "form": r.form_number, "kind": r.kind, "type": r.type, "uid": r.person.uid,
                      "unit": r.unit.code, "fields": r.form,
                      "subject": subject_for(r)} for r in _requests(batch)],
    }


def subject_for(req: CertificateRequest) -> dict:
    """The subject the CA is asked to issue (C=VN, O=<province>, OU=<unit>, L=<province>, CN=<name>;
    organisations may carry UID=MST:<tax code>; a device or service is CN=<domain name or identifier>),
    with the official email (or the device's domain name) for the SAN."""
    form = req.form
    cn = {CertKind.PERSONAL: form.get("full_name"), CertKind.ORGANISATION: form.get("org_name", req.unit.name),
          CertKind.DEVICE: form.get("device_identifier", "")}[req.kind]
    out = {"C": "VN", "O": form.get("province", ""), "OU": req.unit.name, "L": form.get("province", ""),
           "CN": cn, "email": form.get("email", "")}
    if req.kind == CertKind.DEVICE:  # a device or service is named by its domain name (or identifier) in the SAN
        out["dns"] = cn
    if req.kind == CertKind.ORGANISATION and form.get("tax_code"):
        out["UID"] = f"MST:{form['tax_code']}"
    return out


def batch_zip(batch: CertificateBatch) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for number, pdf in batch_pdfs(batch).items():
            z.writestr(f"mau-{number}.pdf", pdf)
        z.writestr("danh-sach.xlsx", batch_xlsx(batch))
        z.writestr("manifest.json", json.dumps(batch_manifest(batch), ensure_ascii=False, indent=2))
    return buffer.getvalue()
