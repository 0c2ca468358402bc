"""Issue 11's correctness test: a province shaped like Cần Thơ in 2015 (23 departments and 9 district
committees with 206 divisions and communes below them; 80 % of staff with a mailbox, 65 % regular
users; Education and Health at 100 %; 238 organisational and 687 personal certificates), built through
the product's own paths — `import_units`, `import_staff`, a unit's mailbox policy, `import_mail_usage`,
certificate requests decided by a unit head and IT, and `import_certificates` of what the CA issued —
and the report must show exactly those figures."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role, RoleAssignment, User
from accounts.roles.services import role_grant
from provisioning.certificates.ca.local import NEW_DAYS, LocalCA, subject_name
from provisioning.certificates.models import CertKind, RequestType
from provisioning.certificates.services import request_create, request_decide_head, request_decide_it
from provisioning.people.models import Person, PersonStatus
from provisioning.people.services import person_set_status
from provisioning.reports.selectors import figures, percent
from provisioning.units.models import Unit
from provisioning.units.services import unit_update

pytestmark = pytest.mark.django_db
PROVINCE = "000.00.00.H18"
EDU, HEALTH = "000.00.08.H18", "000.00.09.H18"


def _units_csv() -> str:
    lines = ["Mã đơn vị,Tên đơn vị,Mã đơn vị cấp trên,Loại,Tên miền thư",
             f"{PROVINCE},Ủy ban nhân dân thành phố Cần Thơ,,Tỉnh,cantho.gov.vn"]
    for i in range(1, 24):
        name = {8: "Sở Giáo dục và Đào tạo", 9: "Sở Y tế"}.get(i, f"Sở số {i}")
        lines.append(f"000.00.{i:02d}.H18,{name},{PROVINCE},Sở,")
    for i in range(1, 10):
        lines.append(f"{i:03d}.00.00.H18,Ủy ban nhân dân quận {i},{PROVINCE},Huyện,")
    for code, name, parent, kind in SUB_UNITS:
        lines.append(f"{code},{name},{parent},{kind},")
    return "\n".join(lines) + "\n"


DEPARTMENTS = [f"000.00.{i:02d}.H18" for i in range(1, 24) if i not in (8, 9)]
DISTRICTS = [f"{i:03d}.00.00.H18" for i in range(1, 10)]
# 85 communes and wards under the districts, 121 divisions under the departments (not Education, Health)
SUB_UNITS = [(f"{j % 9 + 1:03d}.{j // 9 + 1:02d}.00.H18", f"Ủy ban nhân dân phường {j + 1}", DISTRICTS[j % 9],
              "Phường") for j in range(85)] + \
            [(f"000.{j // 21 + 1:02d}.{j % 21 + 1:02d}.H18", f"Phòng số {j + 1}", DEPARTMENTS[j % 21], "Phòng")
             for j in range(121)]


def _people() -> list[tuple[str, str, str]]:
    """(code, unit, category): 1,000 people. Education and Health: 60 each, all civil servants. The
    other 880, spread over the other 236 units: 680 civil servants (mailbox by policy) and 200 contract
    staff (no mailbox)."""
    rows, n = [], 0
    units = DEPARTMENTS + DISTRICTS + [code for code, *_ in SUB_UNITS]
    for code in (EDU, HEALTH):
        for _ in range(60):
            n += 1
            rows.append((f"CT-{n:05d}", code, "cong_chuc"))
    for i in range(880):
        n += 1
        rows.append((f"CT-{n:05d}", units[i % len(units)], "cong_chuc" if i < 680 else "hop_dong"))
    return rows


FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng"]
MIDDLE = ["Văn", "Thị", "Minh", "Hoàng", "Ngọc"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Minh", "Nam", "Oanh", "Phúc", "Quân", "Sơn"]


PERSONAL_FORM = {"birth_date": "1985-03-02", "id_number": "092085001234", "id_issued_on": "2021-04-10",
                 "id_issued_at": "Cục Cảnh sát QLHC về TTXH", "contact_id_number": "092085001234",
                 "delivery_address": "Số 2 Hòa Bình, Ninh Kiều", "position": "Chuyên viên", "phone": "0912345678",
                 "contact_position": "Chuyên viên", "contact_phone": "0912345678"}
ORG_FORM = {"address": "Số 2 Hòa Bình, Ninh Kiều", "budget_code": "1012345", "contact_id_number": "092080004321",
            "contact_phone": "0912555666", "contact_position": "Văn thư", "legal_representative": "Trần Văn Hùng",
            "delivery_address": "Số 2 Hòa Bình, Ninh Kiều"}


def _certify(tmp_path, province: Unit) -> None:
    """687 personal and 238 organisational certificates (one per unit with staff), the way a province
    gets them: HR asks on the CA's forms, the unit head and IT approve, the CA (idm's local CA, playing
    the government CA) issues, and IT records the CA's file with `import_certificates`. One more
    request waits for the unit head."""
    people = list(Person.objects.select_related("unit").order_by("employee_code"))
    hr, head, it = people[:3]
    users = {}
    for who, role in ((hr, Role.HR_ADMIN), (head, Role.UNIT_HEAD), (it, Role.IT_LEAD)):
        role_grant(actor=None, person=who, role=role, unit=province)
        users[role] = User.objects.create_user(username=who.uid)
    others = people[3:]
    asked = [request_create(actor=users[Role.HR_ADMIN], kind=CertKind.PERSONAL, type_=RequestType.NEW, person=p,
                            form=PERSONAL_FORM) for p in [p for p in others if p.mail][:687]]
    custodians: dict[int, Person] = {}
    for p in others:
        custodians.setdefault(p.unit_id, p)
    for k, p in enumerate(custodians.values()):
        asked.append(request_create(actor=users[Role.HR_ADMIN], kind=CertKind.ORGANISATION, type_=RequestType.NEW,
                                    person=p, unit=p.unit, form=ORG_FORM | {"tax_code": f"18{k:08d}",
                                                                            "email": f"vanthu{k}@cantho.gov.vn"}))
    for req in asked:
        request_decide_head(actor=users[Role.UNIT_HEAD], request=req, approve=True)
        request_decide_it(actor=users[Role.IT_LEAD], request=req, approve=True)
    ca, pem = LocalCA(), []
    for req in asked:
        personal = req.kind == CertKind.PERSONAL
        subject = subject_name(province=req.form["province"], unit=req.unit.name,
                               common_name=req.form["full_name" if personal else "org_name"],
                               tax_code="" if personal else req.form["tax_code"])
        key = ec.generate_private_key(ec.SECP256R1())  # generated on the token; idm never sees it
        der = ca.issue_csr(public_key=key.public_key(), subject=subject, email=req.form["email"], days=NEW_DAYS)
        pem.append(x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM))
    files = []  # the CA answers in files of a few hundred certificates (the upload limit is 512 KiB)
    for k in range(0, len(pem), 200):
        files.append(tmp_path / f"issued-{k}.pem")
        files[-1].write_bytes(b"".join(pem[k:k + 200]))
    out = io.StringIO()
    call_command("import_certificates", *map(str, files), stdout=out)
    assert out.getvalue().rstrip().endswith("925 recorded, 0 refused")
    waiting = next(p for p in reversed(others) if p.mail)
    request_create(actor=users[Role.HR_ADMIN], kind=CertKind.PERSONAL, type_=RequestType.NEW, person=waiting,
                   form=PERSONAL_FORM)


@pytest.fixture
def can_tho(tmp_path, slapd_config, settings):
    (tmp_path / "units.csv").write_text(_units_csv(), encoding="utf-8")
    call_command("import_units", str(tmp_path / "units.csv"), "--no-directory", stdout=io.StringIO())
    province = Unit.objects.get(code=PROVINCE)
    # the province issues mailboxes to civil servants and public employees, not to contract staff
    unit_update(actor=None, unit=province, mailbox_policy="can_bo,cong_chuc,vien_chuc")
    staff = ["Mã cán bộ,Họ và tên,Đơn vị,Loại cán bộ"]
    for code, unit, category in _people():
        k = int(code[3:])
        name = f"{FAMILY[k % len(FAMILY)]} {MIDDLE[(k // 7) % len(MIDDLE)]} {GIVEN[(k // 3) % len(GIVEN)]}"
        staff.append(f"{code},{name},{unit},{category}")
    (tmp_path / "staff.csv").write_text("\n".join(staff) + "\n", encoding="utf-8")
    out = io.StringIO()
    try:
        call_command("import_staff", str(tmp_path / "staff.csv"), "--no-directory", stdout=out, stderr=out)
    except SystemExit:
        raise AssertionError(out.getvalue()[:2000]) from None
    for person in Person.objects.filter(status=PersonStatus.STAGED):
        person_set_status(actor=None, person=person, status=PersonStatus.ACTIVE)
    # 650 regular users: everyone in Education and Health, and 530 of the others with a mailbox
    today = timezone.localdate()
    with_box = Person.objects.exclude(category="hop_dong").order_by("employee_code")
    regular = [p for p in with_box if p.unit.code in (EDU, HEALTH)]
    regular += [p for p in with_box if p.unit.code not in (EDU, HEALTH)][:530]
    recent = (timezone.now() - dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    long_ago = (timezone.now() - dt.timedelta(days=60)).strftime("%Y-%m-%d %H:%M")
    rows = ["Địa chỉ,Lần đăng nhập cuối,Dung lượng đã dùng"]
    regular_ids = {p.pk for p in regular}
    for p in with_box:
        rows.append(f"{p.mail},{recent if p.pk in regular_ids else long_ago},1048576")
    (tmp_path / "usage.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    call_command("import_mail_usage", str(tmp_path / "usage.csv"), "--day", today.isoformat(),
                 stdout=io.StringIO(), stderr=io.StringIO())
    settings.IDM_CA_ADAPTER, settings.IDM_LOCAL_CA_DIR, settings.IDM_CA_BUNDLE = "local", str(tmp_path / "ca"), ""
    _certify(tmp_path, province)
    if connection.vendor == "postgresql":
        # every row above is this test's own open transaction, which autovacuum never sees: without
        # statistics the planner takes the report's grouped joins for empty tables (nested loops,
        # minutes on PostgreSQL). A province's database is analysed by autovacuum after its imports.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return province


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


@pytest.mark.timeout(1200)  # 925 requests through three decisions each and the CA's files: 2 min alone, more under load
def test_the_report_its_exports_the_pdf_the_command_and_the_api_show_exactly_the_articles_figures(
        can_tho, client, tmp_path):
    """One province, built once (it takes a while): every way out of the report says the same."""
    today = timezone.localdate()
    [top] = figures(today, can_tho)
    assert (top.staff, top.mailbox, top.regular) == (1000, 800, 650)
    assert (top.mailbox_pct, top.regular_pct) == (80.0, 65.0)
    assert (top.personal_cert, top.cert_pct, top.org_certs, top.org_cert_units, top.units) == \
        (687, 68.7, 238, 238, 239)
    assert top.pending == 1 and not top.org_cert  # the province's own office asked for none
    assert (top.never_logged_in, top.inactive_30, top.inactive_90) == (0, 150, 0)  # the others: 60 days ago
    assert len(top.children) == 32
    by_code = {f.unit.code: f for f in top.children}
    for code in (EDU, HEALTH):
        assert (by_code[code].mailbox_pct, by_code[code].regular_pct) == (100.0, 100.0)
        assert (by_code[code].org_certs, by_code[code].org_cert) == (1, True)
    # Health first; Education second only because its three role holders hold no personal certificate
    assert (by_code[HEALTH].rank, by_code[EDU].rank, by_code[EDU].personal_cert) == (1, 2, 57)
    others = [f for c, f in by_code.items() if c not in (EDU, HEALTH)]
    assert all(f.regular_pct < 100 for f in others)

    out = io.StringIO()
    call_command("adoption_report", "--unit", PROVINCE, stdout=out)
    from_command = json.loads(out.getvalue())["units"][0]
    keys = ("staff", "mailbox", "regular", "personal_cert", "org_certs", "org_cert_units", "pending", "mailbox_pct",
            "regular_pct", "cert_pct")
    assert [from_command[k] for k in keys] == [1000, 800, 650, 687, 238, 238, 1, 80.0, 65.0, 68.7]
    lead = RoleAssignment.objects.get(role=Role.IT_LEAD).person
    client.force_login(User.objects.get(username=lead.uid), backend="accounts.backends.DirectoryBackend")
    api = client.get(f"/api/v1/reports/units/{PROVINCE}/").json()["units"][0]
    assert {k: api[k] for k in keys} == {k: from_command[k] for k in keys}
    page = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "65.0% of the 1000 civil servants (CBCC) use the official mailbox regularly" in page
    assert "80.0% were issued a mailbox (800 addresses)" in page
    assert "687 staff hold a valid personal certificate (68.7%)" in page
    assert "238 valid organisational certificates, held by 238 of 239 units" in page

    xlsx = client.get("/reports/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.streaming and b"".join(xlsx.streaming_content)[:2] == b"PK"
    exported = client.get("/reports/?format=csv", HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 33 and rows[0]["Unit code"] == PROVINCE
    assert [rows[0][h] for h in ("Staff", "Mailbox issued", "Regular users", "Personal certificates",
                                 "Organisational certificates", "Units with an organisational certificate")] == \
        ["1000", "800", "650", "687", "238", "238"]

    pdf = client.get(f"/reports/?format=pdf&as_of={today.isoformat()}")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    for words in ("BÁO CÁO TÌNH HÌNH SỬ DỤNG THƯ ĐIỆN TỬ CÔNG VỤ VÀ CHỮ KÝ SỐ",
                  f"Số liệu tính đến hết ngày {today:%d/%m/%Y}", "Ủy ban nhân dân thành phố Cần Thơ",
                  "65,0% cán bộ, công chức, viên chức (650/1.000 người) sử dụng thư điện tử công vụ thường xuyên",
                  "80,0% đã được cấp hộp thư công vụ (800 địa chỉ)",
                  "687 chứng thư số cá nhân còn hiệu lực (68,7% cán bộ); 238 chứng thư số của cơ quan, tổ chức, "
                  "do 238/239 đơn vị nắm giữ", "Sở Giáo dục và Đào tạo"):
        assert words in text, words
    call_command("adoption_report", "--format", "pdf", "--output", str(tmp_path / "report.pdf"), stdout=io.StringIO())
    assert "80,0% đã được cấp hộp thư công vụ (800 địa chỉ)" in _pdf_text((tmp_path / "report.pdf").read_bytes())


def test_percentages_round_down_and_never_show_100_unless_everyone_counts():
    assert percent(1999, 2000) == 99.9
    assert percent(2000, 2000) == 100.0
    assert percent(2, 3) == 66.6
    assert percent(0, 0) is None
