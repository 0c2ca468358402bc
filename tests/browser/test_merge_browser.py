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
