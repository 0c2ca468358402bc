"""Every form page is submitted at least once in a real browser (Chromium sends Origin and the
CSRF token the way users' browsers do), in Vietnamese, and the answer is checked on the page
and in the database. Import upload and commit: test_import_flow.py; activation:
test_activation_browser.py; the login page's own story: test_login_page.py."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role, RoleAssignment, User
from provisioning.approvals.models import QuotaRequest
from provisioning.mailboxes.models import FunctionalMailbox, MailboxUsage
from provisioning.people.models import Person, PersonStatus
from provisioning.units.models import Unit
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SUPERADMIN_PASSWORD = "mot mat khau rieng cua quan tri"


def login(page, base_url, username, password=factories.PASSWORD):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button.primary")
    page.wait_for_url(f"{base_url}/")


def drop_csrf_cookie(page) -> None:
    # after the favicon request: its 404 page re-sends the cookie (Django renews it on every page with a form)
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies(name="csrftoken")


def back_to_the_form(page) -> None:
    """The refusal page's link back: a new GET of the page (its URL may equal the refused post's)."""
    page.wait_for_load_state("networkidle")
    with page.expect_navigation():
        page.click("main a:has-text('Quay lại trang')")
    page.wait_for_load_state()


def flash(page) -> str:
    return page.locator("ul.messages").inner_text()


@pytest.fixture
def finance():
    """Sở Tài chính with an HR officer, a unit head, a staff member and a newcomer."""
    province = factories.province()
    unit = factories.unit(province, "000.00.03.H45", "Sở Tài chính")
    other = factories.unit(province, "000.00.04.H45", "Sở Xây dựng")
    hr = factories.person(unit, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=province)
    head = factories.person(unit, "Phạm", "Văn", "Đồng", position="Giám đốc")
    RoleAssignment.objects.create(person=head, role=Role.UNIT_HEAD, unit=unit)
    staff = factories.person(unit)
    newcomer = factories.person(unit, "Trần", "Thị Minh", "Khai", password=None, status=PersonStatus.STAGED,
                                personal_email="khai.canhan@example.com")
    return {"province": province, "unit": unit, "other": other, "hr": hr, "head": head, "staff": staff,
            "newcomer": newcomer}


def test_a_form_without_its_cookie_gets_the_products_page_in_vietnamese(live_server, page, finance):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    drop_csrf_cookie(page)
    page.fill("#id_username", finance["hr"].uid)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button.primary")
    page.wait_for_selector("h1:has-text('Biểu mẫu không được chấp nhận')")
    text = page.locator("main").inner_text()
    assert "tải lại trang" in text and "CSRF" not in text and "Forbidden" not in text
    assert page.locator("html").get_attribute("lang") == "vi"

    back_to_the_form(page)  # with a fresh token: now it works
    assert page.url == f"{base}/accounts/login/"
    page.fill("#id_username", finance["hr"].uid)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")

    # the same for a signed-in officer: the action is refused and nothing changes
    staff = finance["staff"]
    page.goto(f"{base}/people/{staff.pk}/suspend/")
    page.fill("#id_reason", "Kiểm điểm")
    drop_csrf_cookie(page)
    page.click("button.primary")
    page.wait_for_selector("h1:has-text('Biểu mẫu không được chấp nhận')")
    assert Person.objects.get(pk=staff.pk).status == PersonStatus.ACTIVE
    back_to_the_form(page)
    assert page.url == f"{base}/people/{staff.pk}/suspend/"


def test_language_switch_and_logout(live_server, page, finance):
    login(page, live_server.url, finance["staff"].uid)
    page.click("button[value=en]")
    page.wait_for_selector("h1:has-text('Overview')")
    page.click("button:has-text('Log out')")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "Log in"
    page.goto(f"{live_server.url}/units/")
    page.wait_for_url(f"{live_server.url}/accounts/login/?next=/units/")


def test_hr_officer_adds_a_person_and_edits_them(live_server, page, finance):
    base = live_server.url
    login(page, base, finance["hr"].uid)
    page.goto(f"{base}/people/")
    page.click("text=Thêm cán bộ")
    page.fill("#id_employee_code", "QT-0042")
    page.fill("#id_family_name", "Lê")
    page.fill("#id_middle_name", "Văn")
    page.fill("#id_given_name", "Lương")
    page.select_option("#id_unit", str(finance["unit"].pk))
    page.select_option("#id_category", "cong_chuc")
    page.click("button.primary")
    page.wait_for_selector("ul.messages")
    person = Person.objects.get(employee_code="QT-0042")
    assert f"Đã thêm Lê Văn Lương với tên đăng nhập {person.uid}" in flash(page)
    assert page.url == f"{base}/people/{person.pk}/"

    page.click(".actions >> text=Chỉnh sửa")
    page.fill("#id_position", "Phó trưởng phòng")
    page.click("button.primary")
    page.wait_for_selector("ul.messages")
    assert "Đã lưu các thay đổi." in flash(page)
    assert Person.objects.get(pk=person.pk).position == "Phó trưởng phòng"


def test_hr_officer_runs_every_lifecycle_action(live_server, page, finance):
    """Each action opens its confirmation page (from when, why; for a transfer where to and as
    what); nothing changes until it is confirmed, and the history says what was confirmed."""
    base = live_server.url
    staff = finance["staff"]
    login(page, base, finance["hr"].uid)
    page.goto(f"{base}/people/{staff.pk}/")

    def open_action(label: str) -> None:
        page.click(f".action-row >> text={label}")
        page.wait_for_selector("button.primary:has-text('Xác nhận')")
        assert page.input_value("#id_effective_on") == timezone.localdate().isoformat()

    def act(label: str, reason: str, expected: str, status: str) -> None:
        open_action(label)
        if reason:
            page.fill("#id_reason", reason)
        page.click("button.primary")
        page.wait_for_selector(f"ul.messages:has-text('{expected}')")
        assert Person.objects.get(pk=staff.pk).status == status

    open_action("Tạm khóa")  # a suspension needs a reason: refused without one, nothing changes
    page.click("button.primary")
    page.wait_for_selector(".field-error:has-text('Hãy ghi lý do tạm khóa')")
    assert Person.objects.get(pk=staff.pk).status == PersonStatus.ACTIVE
    page.click("text=Hủy")
    act("Tạm khóa", "Tạm đình chỉ để kiểm điểm", "Đã tạm khóa", PersonStatus.SUSPENDED)
    act("Mở khóa", "", "đã hoạt động trở lại", PersonStatus.ACTIVE)

    open_action("Điều chuyển")
    page.select_option("#id_unit", str(finance["other"].pk))
    page.click("button.primary")  # no position given: asked for one
    page.wait_for_selector(".field-error:has-text('chức vụ tại đơn vị mới')")
    assert Person.objects.get(pk=staff.pk).unit == finance["unit"]
    page.fill("#id_position", "Phó trưởng phòng")
    page.fill("#id_reason", "Quyết định 15/QĐ-UBND")
    page.click("button.primary")
    page.wait_for_selector("ul.messages:has-text('đã được điều chuyển sang Sở Xây dựng')")
    moved = Person.objects.get(pk=staff.pk)
    assert (moved.unit, moved.position) == (finance["other"], "Phó trưởng phòng")
    history = page.locator("table").inner_text()
    assert "điều chuyển từ Sở Tài chính sang Sở Xây dựng" in history
    assert "chức vụ: Chuyên viên → Phó trưởng phòng" in history and "lý do: Quyết định 15/QĐ-UBND" in history

    act("Đánh dấu đã nghỉ việc", "Nghỉ hưu", "đã nghỉ việc", PersonStatus.LEFT)
    act("Tuyển dụng lại", "", "đã được tuyển dụng lại", PersonStatus.ACTIVE)
    assert "lý do: Nghỉ hưu" in page.locator("table").inner_text()


def test_hr_officer_sends_and_prints_activation_codes(live_server, page, finance):
    base = live_server.url
    newcomer = finance["newcomer"]
    login(page, base, finance["hr"].uid)
    page.goto(f"{base}/people/{newcomer.pk}/")
    page.click("button[value=activation_email]")  # queued for the worker (the broker is the test Redis)
    page.wait_for_selector("ul.messages:has-text('Mã kích hoạt đang được gửi')")

    page.goto(f"{base}/people/?status=staged")
    page.check(f"input[name=person][value='{newcomer.pk}']")
    with page.expect_download() as download:
        page.click("text=In thư kích hoạt cho các cán bộ đã chọn")
    pdf = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    assert len(pdf.pages) == 1 and newcomer.uid in pdf.pages[0].extract_text()


def test_superadmin_adds_a_unit_and_edits_it(live_server, page, finance):
    base = live_server.url
    User.objects.create_superuser("superadmin", password=SUPERADMIN_PASSWORD, source=User.Source.LOCAL)
    login(page, base, "superadmin", SUPERADMIN_PASSWORD)
    page.goto(f"{base}/units/new/")
    page.fill("#id_code", "000.00.09.H45")
    page.fill("#id_name", "Sở Nội vụ")
    page.select_option("#id_kind", "department")
    page.select_option("#id_parent", str(finance["province"].pk))
    page.click("button.primary")
    page.wait_for_url(f"{base}/units/000.00.09.H45/")
    assert "Đã lưu đơn vị." in flash(page)

    page.click(".actions >> text=Chỉnh sửa")
    page.fill("#id_name", "Sở Nội vụ tỉnh Quảng Trị")
    page.fill("#id_default_quota_mb", "2048")
    page.click("button.primary")
    page.wait_for_url(f"{base}/units/000.00.09.H45/")
    assert "Đã lưu đơn vị." in flash(page)
    unit = Unit.objects.get(code="000.00.09.H45")
    assert unit.name == "Sở Nội vụ tỉnh Quảng Trị" and unit.default_quota_mb == 2048


def test_hr_officer_creates_a_functional_mailbox_and_changes_its_delegates(live_server, page, finance):
    base = live_server.url
    unit, staff, head = finance["unit"], finance["staff"], finance["head"]
    login(page, base, finance["hr"].uid)
    page.goto(f"{base}/units/{unit.code}/")
    page.fill("input[name=local_part]", "vanthu")
    page.fill("form.card input[name=name]", "Văn thư")
    page.select_option("form.card select[name=delegates]", [str(staff.pk)])
    page.click("text=Tạo hộp thư chức năng")
    page.wait_for_selector("ul.messages:has-text('Đã tạo hộp thư chức năng.')")
    mailbox = FunctionalMailbox.objects.get(address="vanthu@quangtri.gov.vn")
    assert list(mailbox.delegates.all()) == [staff]

    page.select_option("div.card select[name=delegates]", [str(staff.pk), str(head.pk)])
    page.click("div.card button:has-text('Lưu')")
    page.wait_for_selector("ul.messages:has-text('Đã lưu danh sách người được ủy quyền.')")
    assert set(mailbox.delegates.all()) == {staff, head}


def test_staff_asks_for_more_quota_and_the_unit_head_approves(live_server, page, finance):
    base = live_server.url
    login(page, base, finance["staff"].uid)
    page.goto(f"{base}/me/")
    page.fill("input[name=requested_mb]", "3072")
    page.fill("input[name=reason]", "Lưu hồ sơ scan")
    page.click("text=Gửi thủ trưởng đơn vị")
    page.wait_for_selector("ul.messages:has-text('Yêu cầu của bạn đã được gửi tới thủ trưởng đơn vị.')")
    page.click("button:has-text('Đăng xuất')")
    page.wait_for_url(f"{base}/accounts/login/")

    login(page, base, finance["head"].uid)
    page.goto(f"{base}/quota-requests/")
    assert "Lưu hồ sơ scan" in page.locator("tbody").inner_text()
    page.click("button[value=approve]")
    page.wait_for_selector("ul.messages:has-text('Đã ghi nhận quyết định.')")
    assert QuotaRequest.objects.get().status == QuotaRequest.Status.APPROVED


def test_province_it_lead_loads_usage_from_another_mail_system(live_server, page, finance, tmp_path):
    lead = finance["hr"]
    RoleAssignment.objects.create(person=lead, role=Role.IT_LEAD, unit=finance["province"])
    path = tmp_path / "su-dung.csv"
    path.write_text("Địa chỉ,Lần đăng nhập cuối,Dung lượng đã dùng\n"
                    f"{finance['staff'].mail},2026-01-05 08:30,1.5 MB\n"
                    "nobody@quangtri.gov.vn,,10\n", encoding="utf-8")
    login(page, live_server.url, lead.uid)
    page.goto(f"{live_server.url}/mailboxes/usage-import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('Nạp')")
    page.wait_for_selector("text=hộp thư đã nạp")
    assert "nobody@quangtri.gov.vn" in page.locator("table").inner_text()  # the rejected row, with its reason
    assert MailboxUsage.objects.get(address=finance["staff"].mail, source="import").bytes_used == 1572864


def test_hr_officer_grants_a_role_and_revokes_it(live_server, page, finance):
    base = live_server.url
    staff, unit = finance["staff"], finance["unit"]
    login(page, base, finance["hr"].uid)
    page.goto(f"{base}/accounts/roles/?who={staff.uid}")
    page.select_option("#id_person", str(staff.pk))
    page.select_option("#id_role", Role.UNIT_HEAD)
    page.select_option("#id_unit", str(unit.pk))
    assert page.locator(f"#id_unit option[value='{unit.pk}']").inner_text() == "Sở Tài chính"
    page.fill("#id_reason", "Quyết định 12/QĐ-STC")
    page.click("form[action*='grant'] button.primary")
    page.wait_for_selector("ul.messages")
    assignment = RoleAssignment.objects.get(person=staff, role=Role.UNIT_HEAD, unit=unit)

    page.goto(f"{base}/accounts/roles/?q={staff.uid}")
    page.click(f"a[href$='/roles/{assignment.pk}/revoke/']")
    page.fill("#id_reason", "Hết nhiệm kỳ")
    page.click("button.primary")
    page.wait_for_selector("ul.messages")
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()

