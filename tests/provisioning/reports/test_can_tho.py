"""Issue 11's correctness test: a province shaped like Cần Thơ in 2015 (23 departments and 9 district
committees; 80 % of staff with a mailbox, 65 % regular users; Education and Health at 100 %), built
through the product's own paths — `import_units`, `import_staff`, a unit's mailbox policy, and
`import_mail_usage` — and the report must show exactly those figures."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Role, User
from accounts.roles.services import role_grant
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
    return "\n".join(lines) + "\n"


def _people() -> list[tuple[str, str, str]]:
    """(code, unit, category): 1,000 people. Education and Health: 60 each, all civil servants. The
    other 880: 680 civil servants (mailbox by policy) and 200 contract staff (no mailbox)."""
    rows, n = [], 0
    units = [f"000.00.{i:02d}.H18" for i in range(1, 24) if i not in (8, 9)] + [f"{i:03d}.00.00.H18"
                                                                                for i in range(1, 10)]
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


@pytest.fixture
def can_tho(tmp_path, slapd_config):
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
    return province


def test_the_report_shows_exactly_the_articles_figures(can_tho):
    [top] = figures(timezone.localdate(), can_tho)
    assert (top.staff, top.mailbox, top.regular) == (1000, 800, 650)
    assert (top.mailbox_pct, top.regular_pct) == (80.0, 65.0)
    assert len(top.children) == 32
    by_code = {f.unit.code: f for f in top.children}
    for code in (EDU, HEALTH):
        assert (by_code[code].mailbox_pct, by_code[code].regular_pct) == (100.0, 100.0)
        assert by_code[code].rank == 1  # tied first
    others = [f for c, f in by_code.items() if c not in (EDU, HEALTH)]
    assert all(f.regular_pct < 100 for f in others)


def test_the_command_the_api_and_the_page_say_the_same(can_tho, client):
    out = io.StringIO()
    call_command("adoption_report", "--unit", PROVINCE, stdout=out)
    from_command = json.loads(out.getvalue())["units"][0]
    assert (from_command["staff"], from_command["mailbox"], from_command["regular"]) == (1000, 800, 650)
    it_lead = Person.objects.filter(unit__code=PROVINCE).first() or Person.objects.first()
    role_grant(actor=None, person=it_lead, role=Role.IT_LEAD, unit=can_tho)
    client.force_login(User.objects.create_user(username=it_lead.uid), backend="accounts.backends.DirectoryBackend")
    api = client.get(f"/api/v1/reports/units/{PROVINCE}/").json()["units"][0]
    assert {k: api[k] for k in ("staff", "mailbox", "regular", "mailbox_pct", "regular_pct")} == \
        {k: from_command[k] for k in ("staff", "mailbox", "regular", "mailbox_pct", "regular_pct")}
    page = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "65.0% of the 1000 civil servants (CBCC) use the official mailbox regularly" in page
    assert "80.0% were issued a mailbox (800 addresses)" in page
    xlsx = client.get("/reports/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_percentages_round_down_and_never_show_100_unless_everyone_counts():
    assert percent(1999, 2000) == 99.9
    assert percent(2000, 2000) == 100.0
    assert percent(2, 3) == 66.6
    assert percent(0, 0) is None
