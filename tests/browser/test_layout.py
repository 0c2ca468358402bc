"""Every signed-in page fits a phone (390 px wide) without sideways scrolling, and the header of
a wide screen (1366 px) stays on one line, for the people who actually use them: the superadmin,
an HR officer and an IT lead with a long name."""

from __future__ import annotations

import os

import pytest

from accounts.models import Role, RoleAssignment, User
from provisioning.approvals.models import QuotaRequest
from provisioning.imports.models import ImportBatch, ImportRow
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("IDM_SCREENSHOTS", "/tmp/idm-shots")


@pytest.fixture
def province_cast():
    p = factories.province()
    syt = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    vp = factories.unit(syt, "000.05.01.H45", "Văn phòng Sở", kind="division")
    stc = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    factories.unit(stc, "000.03.01.H45", "Văn phòng Sở", kind="division")
    long_unit = factories.unit(syt, "000.05.02.H45", "Trung tâm Kiểm soát bệnh tật và Phòng chống dịch bệnh tỉnh",
                               kind="agency")
    hr = factories.person(syt, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=syt)
    lead = factories.person(p, "Tôn Nữ", "Thị Phương", "Thảo", position="Trưởng phòng Công nghệ thông tin")
    RoleAssignment.objects.create(person=lead, role=Role.IT_LEAD, unit=p)
    RoleAssignment.objects.create(person=lead, role=Role.UNIT_HEAD, unit=p)
    staff = factories.person(vp, "Nguyễn", "Tiến", "Hoàng", position="Chuyên viên chính phụ trách tổng hợp")
    factories.person(long_unit, "Niê", "", "H'Linh", position="Bác sĩ")
    admin = User.objects.create_superuser("superadmin", password="a local password here", source=User.Source.LOCAL)
    QuotaRequest.objects.create(person=staff, requested_by=admin, requested_mb=4096,
                                reason="Cần lưu hồ sơ bệnh án và văn bản đính kèm dung lượng lớn")
    batch = ImportBatch.objects.create(filename="danh-sach-can-bo-so-y-te-thang-7-2025.xlsx", stored_name="x.xlsx",
                                       status=ImportBatch.Status.PREVIEW, total=2, to_create=1, rejected=1)
    ImportRow.objects.create(batch=batch, row_number=2, action=ImportRow.Action.CREATE, employee_code="QT-0001",
                             data={"full_name": "Nguyễn Văn An"}, proposed_mail="annv@quangtri.gov.vn")
    ImportRow.objects.create(batch=batch, row_number=3, action=ImportRow.Action.REJECT, employee_code="QT-0002",
                             data={"full_name": "Trần Thị Bình"},
                             errors={"unit": ["Không tìm thấy đơn vị “Sở Không Có” trong cây đơn vị của tỉnh."]})
    return {"hr": hr, "lead": lead, "staff": staff, "syt": syt, "batch": batch}


def _login(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button.primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _pages(who: str, c: dict) -> list[str]:
    common = ["/", "/units/", f"/units/{c['syt'].code}/", "/me/"]
    if who == "superadmin":
        return common + ["/units/new/", f"/units/{c['syt'].code}/edit/", "/people/", f"/people/{c['staff'].pk}/",
                         "/people/new/", f"/people/{c['staff'].pk}/edit/", "/imports/", f"/imports/{c['batch'].pk}/",
                         "/mailboxes/", "/mailboxes/usage-import/", "/accounts/roles/"]
    if who == "hr":
        return common + ["/people/", f"/people/{c['staff'].pk}/", "/people/new/", f"/people/{c['staff'].pk}/edit/",
                         "/imports/", "/accounts/roles/"]
    return common + ["/mailboxes/", "/mailboxes/usage-import/", "/quota-requests/"]


@pytest.mark.parametrize("who", ["superadmin", "hr", "lead"])
def test_every_signed_in_page_fits_a_phone_and_a_wide_header_is_one_line(live_server, browser, province_cast, who):
    os.makedirs(SHOTS, exist_ok=True)
    username, password = ("superadmin", "a local password here") if who == "superadmin" else \
        (province_cast[who].uid, factories.PASSWORD)
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    _login(page, live_server.url, username, password)
    too_wide = {}
    for path in _pages(who, province_cast):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width
        name = path.strip("/").replace("/", "-") or "home"
        page.screenshot(path=f"{SHOTS}/{who}-390-{name}.png", full_page=True)
    assert too_wide == {}

    # on a phone the menu is folded away behind one button, and opens when asked
    page.goto(live_server.url + "/units/")
    nav = page.locator(".topbar nav")
    assert not nav.is_visible()
    page.click(".topbar summary")
    assert nav.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=f"{SHOTS}/{who}-390-menu-open.png")

    page.set_viewport_size({"width": 1366, "height": 768})
    for path in _pages(who, province_cast)[:2]:
        page.goto(live_server.url + path)
        tops = page.evaluate("""() => [...document.querySelectorAll(
            '.topbar .brand, .topbar nav a, .topbar .tools button, .topbar .who')]
            .filter(e => e.offsetParent !== null).map(e => Math.round(e.getBoundingClientRect().top
                + e.getBoundingClientRect().height / 2))""")
        assert len(tops) >= 4
        assert max(tops) - min(tops) <= 4, tops  # one line: every item's middle at the same height
        page.screenshot(path=f"{SHOTS}/{who}-1366-{path.strip('/') or 'home'}.png")
    context.close()
