"""An IT lead opens the adoption overview, drills into a unit and downloads an export and the yearly PDF,
in Vietnamese."""

from __future__ import annotations

import pytest

from accounts.models import Role, RoleAssignment
from provisioning.mailboxes.usage import collect_from_dovecot
from tests import factories
from tests.mail.test_dovecot import imap_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lead_reads_the_overview_drills_down_and_exports(live_server, page, dovecot):
    province = factories.province()
    stc = factories.unit(province, "000.00.03.H45", "Sở Tài chính")
    division = factories.unit(stc, "000.03.01.H45", "Phòng Ngân sách", kind="division")
    syt = factories.unit(province, "000.00.05.H45", "Sở Y tế")
    lead = factories.person(stc, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=lead, role=Role.IT_LEAD, unit=province)
    user = factories.person(division, "Nguyễn", "Tiến", "Hoàng")
    factories.person(syt, "Trần", "Thị Minh", "Khai")
    imap_login(dovecot, user.mail, factories.PASSWORD).logout()
    collect_from_dovecot()

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", lead.uid)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button.primary")
    page.click("text=Báo cáo")
    headline = page.locator("p.headline").inner_text()
    assert "33,3% trong số 3 CBCC sử dụng thư điện tử công vụ thường xuyên" in headline
    page.click("text=Sở Tài chính")
    assert "Phòng Ngân sách" in page.locator("tbody").first.inner_text()
    with page.expect_download() as download:
        page.click("text=Xuất XLSX")
    assert download.value.suggested_filename.endswith(".xlsx")
    with page.expect_download() as download:
        page.click("text=Báo cáo năm (PDF)")
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
