"""An HR officer finds a unit by typing part of its path, in a real browser, and sees an Ê Đê
colleague's name the way she writes it."""

from __future__ import annotations

import pytest

from accounts.models import Role, RoleAssignment
from provisioning.common.naming import NameOrder
from provisioning.units.models import Unit
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_officer_types_part_of_a_path_and_picks_the_unit(live_server, page):
    p = factories.province()
    for i, name in enumerate(["Sở Tài chính", "Sở Y tế", "Sở Nội vụ", "Sở Tư pháp"], start=1):
        d = factories.unit(p, f"000.00.{i:02d}.H45", name)
        factories.unit(d, f"000.{i:02d}.01.H45", "Văn phòng Sở", kind="division")
        factories.unit(d, f"000.{i:02d}.02.H45", "Thanh tra Sở", kind="division")
    hr = factories.person(p, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=p)
    factories.person(Unit.objects.get(code="000.02.01.H45"), "Niê", "", "H'Linh", password=None,
                     name_order=NameOrder.GIVEN_FIRST)
    factories.person(Unit.objects.get(code="000.01.01.H45"), "Nguyễn", "Tiến", "Hoàng", password=None)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", hr.uid)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button.primary")
    page.goto(f"{live_server.url}/people/")
    labels = page.eval_on_selector_all("select[name=unit] option", "os => os.map(o => o.textContent)")
    assert labels.count("Sở Y tế › Văn phòng Sở") == 1 and len(labels) == len(set(labels))

    page.fill(".unit-search", "y tế văn")
    visible = page.eval_on_selector_all("select[name=unit] option", "os => os.filter(o => !o.hidden)"
                                        ".map(o => o.textContent)")
    assert visible == ["Sở Y tế › Văn phòng Sở"]
    assert page.eval_on_selector("select[name=unit]", "s => s.selectedOptions[0].textContent") == \
        "Sở Y tế › Văn phòng Sở"
    page.screenshot(path="/tmp/idm-shots/picker-typed.png")
    page.click("text=Xem")
    rows = page.locator("tbody").inner_text()
    assert "H'Linh Niê" in rows and "Niê H'Linh" not in rows and "Nguyễn Tiến Hoàng" not in rows
    assert "Sở Y tế › Văn phòng Sở" in rows
    page.screenshot(path="/tmp/idm-shots/picker-result.png", full_page=True)
