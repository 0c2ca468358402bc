"""An HR officer imports a spreadsheet in a real browser: upload -> preview -> commit ->
progress -> result, with a real Celery worker applying the directory changes."""

from __future__ import annotations

import openpyxl
import pytest
from celery.contrib.testing.worker import start_worker

from accounts.models import Role, RoleAssignment
from directory import gateway
from idm.celery import app
from provisioning.people.models import Person
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_officer_imports_staff_through_the_pages(live_server, page, tmp_path, redis_server):
    p = factories.province()
    stc = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    hr = factories.person(stc, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=stc)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã cán bộ", "Họ và tên", "Đơn vị", "Chức vụ", "Số điện thoại"])
    for i in range(1, 121):
        ws.append([f"QT-{i:04d}", f"Nguyễn Văn An {chr(0x41 + i % 26)}".replace(" A", " Anh"), "Sở Tài chính",
                   "Chuyên viên", "0912345678"])
    ws.append(["QT-9999", "", "Sở Không Có", "", "123"])
    path = tmp_path / "danh-sach.xlsx"
    wb.save(path)

    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", hr.uid)
        page.fill("#id_password", factories.PASSWORD)
        page.click("button.primary")
        page.goto(f"{live_server.url}/imports/")
        page.set_input_files("input[type=file]", str(path))
        page.click("text=Tải lên và kiểm tra")
        page.wait_for_selector("text=Nhập dữ liệu: tạo mới 120", timeout=30000)  # the preview
        assert Person.objects.filter(employee_code__startswith="QT-").count() == 0
        assert "Sở Không Có" in page.content()  # the rejected row and its reason
        page.click("text=Nhập dữ liệu: tạo mới 120")
        # the progress bar, then the result
        page.wait_for_selector("text=Xem các cán bộ mới và in thư kích hoạt", timeout=60000)
        page.reload()  # the result survives a reload
        assert "120" in page.locator(".tiles").inner_text()
        page.screenshot(path=str(tmp_path / "import-result.png"), full_page=True)
    assert Person.objects.filter(employee_code__startswith="QT-").count() == 120
    assert len(gateway.people_uids()) == 121  # the officer and the 120 newcomers
