"""The superadmin plans a merger, reads its preview and applies it, in a real browser (issue 12)."""

from __future__ import annotations

import pytest

from accounts.models import User
from provisioning.people.models import Person
from provisioning.units.models import Unit
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_merger_from_plan_to_preview_to_apply(live_server, page):
    qt = factories.province()
    qb = factories.province("000.00.00.H44", domain="quangbinh.gov.vn")
    qb_syt = factories.unit(qb, "000.00.05.H44", "Sở Y tế Quảng Bình")
    lan = factories.person(qb_syt, "Phạm", "Thị", "Lan")
    User.objects.create_superuser("admin", password="mat khau quan tri rat dai", source=User.Source.LOCAL)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "mat khau quan tri rat dai")
    page.click("button.primary")
    page.goto(f"{live_server.url}/units/plans/")
    page.select_option("#id_sources", [str(qb.pk)])
    page.select_option("#id_target", str(qt.pk))
    page.fill("#id_note", "Nghị quyết 202/2025/QH15")
    page.click("button.primary")
    body = page.locator("main").inner_text()
    assert "lanpt@quangbinh.gov.vn" in body and "lanpt@quangtri.gov.vn" in body  # the preview
    assert Person.objects.get(pk=lan.pk).mail == "lanpt@quangbinh.gov.vn"  # nothing changed yet
    page.click("button[value=apply]")
    page.wait_for_load_state()
    assert Person.objects.get(pk=lan.pk).mail == "lanpt@quangtri.gov.vn"
    assert Unit.objects.get(pk=qb.pk).closed_on is not None
    assert Unit.objects.get(pk=qb_syt.pk).parent_id == qt.pk


def _login(page, live_server) -> None:
    User.objects.create_superuser("admin", password="mat khau quan tri rat dai", source=User.Source.LOCAL)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "mat khau quan tri rat dai")
    page.click("button.primary")


def test_a_split_from_plan_to_preview_to_apply(live_server, page):
    qt = factories.province()
    snv = factories.unit(qt, "000.00.10.H45", "Sở Nội vụ")
    archive = factories.unit(snv, "000.00.10.02.H45", "Chi cục Văn thư - Lưu trữ", kind="division")
    director = factories.person(snv, "Lê", "Văn", "Bình", code="NV001", position="Giám đốc")
    religion = factories.person(snv, "Hồ", "Văn", "Nam", code="NV003", position="Chuyên viên Ban Tôn giáo")
    _login(page, live_server)
    page.goto(f"{live_server.url}/units/plans/")
    page.select_option("#id_s-source", str(snv.pk))
    page.fill("#id_s-parts", "000.00.11.H45 | Sở Nội vụ | department | | | *\n"
                             "000.00.12.H45 | Ban Tôn giáo | department | tôn giáo | 000.00.10.02.H45")
    page.fill("#id_s-note", "Quyết định tách Ban Tôn giáo")
    page.locator("form[action$='/units/plans/split/'] button").click()
    page.wait_for_url("**/units/plans/*/")
    rows = {r.locator("code").inner_text(): r.inner_text() for r in page.locator("main tbody tr").all()
            if r.locator("code").count()}
    # the preview: who goes to which part
    assert "000.00.12.H45" in rows[religion.uid] and "000.00.11.H45" in rows[director.uid]
    assert Person.objects.get(pk=religion.pk).unit_id == snv.pk  # nothing changed yet
    page.click("button[value=apply]")
    page.wait_for_load_state()
    assert Person.objects.get(pk=religion.pk).unit.code == "000.00.12.H45"
    assert Person.objects.get(pk=director.pk).unit.code == "000.00.11.H45"
    assert Unit.objects.get(pk=archive.pk).parent.code == "000.00.12.H45"
    assert Unit.objects.get(pk=snv.pk).closed_on is not None
    assert "000.00.12.H45" in page.locator("main").inner_text()


def test_a_commune_moved_to_another_province_from_plan_to_preview_to_apply(live_server, page):
    qt = factories.province()
    qb = factories.province("000.00.00.H44", domain="quangbinh.gov.vn")
    commune = factories.unit(qb, "003.01.00.H44", "Xã Quảng Phú", kind="commune")
    chair = factories.person(commune, "Võ", "Văn", "Kiệt")
    _login(page, live_server)
    page.goto(f"{live_server.url}/units/plans/")
    page.select_option("#id_m-sources", [str(commune.pk)])
    page.select_option("#id_m-new_parent", str(qt.pk))
    page.locator("form[action$='/units/plans/move/'] button").click()
    page.wait_for_url("**/units/plans/*/")
    body = page.locator("main").inner_text()
    assert "kietvv@quangbinh.gov.vn" in body and "kietvv@quangtri.gov.vn" in body  # the preview
    page.click("button[value=apply]")
    page.wait_for_load_state()
    chair = Person.objects.get(pk=chair.pk)
    assert chair.unit_id == commune.pk and chair.mail == "kietvv@quangtri.gov.vn"
    assert Unit.objects.get(pk=commune.pk).parent_id == qt.pk
