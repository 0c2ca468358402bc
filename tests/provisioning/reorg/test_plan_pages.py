"""The superadmin's plan pages for a split, a renaming and a move: create, upload the split's
spreadsheet (row errors shown, good rows kept), edit before applying; bad input is a clear 400."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from provisioning.reorg.models import UnitPlan
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("superadmin", password="a local password", source=User.Source.LOCAL)
    client.force_login(user, backend="accounts.backends.LocalSuperadminBackend")
    return client


@pytest.fixture
def snv():
    qt = factories.province()
    snv = factories.unit(qt, "000.00.10.H45", "Sở Nội vụ")
    factories.person(snv, "Lê", "Văn", "Bình", code="NV001", position="Giám đốc")
    factories.person(snv, "Hồ", "Văn", "Nam", code="NV003", position="Chuyên viên Ban Tôn giáo")
    return snv


def test_a_split_is_planned_assigned_by_spreadsheet_and_edited_from_the_pages(admin_client, snv):
    today = timezone.localdate().isoformat()
    r = admin_client.post("/units/plans/split/", {
        "s-source": snv.pk, "s-effective": today,
        "s-parts": "000.00.11.H45 | Sở Nội vụ | department | | | *\n"
                   "000.00.12.H45 | Ban Tôn giáo | department | tôn giáo"})
    plan = UnitPlan.objects.get(kind="split")
    assert r.status_code == 302 and r["Location"] == f"/units/plans/{plan.pk}/"
    page = admin_client.get(r["Location"]).content.decode()
    assert "000.00.12.H45" in page and "namhv@quangtri.gov.vn" in page
    upload = SimpleUploadedFile("phan-cong.csv", "Mã cán bộ,Mã đơn vị mới\nNV001,000.00.12.H45\nNV404,000.00.11.H45\n"
                                .encode(), content_type="text/csv")
    r = admin_client.post(f"/units/plans/{plan.pk}/assignments/", {"file": upload})
    assert r.status_code == 200 and "NV404" in r.content.decode()
    plan.refresh_from_db()
    assert plan.assignments == {"NV001": "000.00.12.H45"}
    r = admin_client.post(f"/units/plans/{plan.pk}/edit/", {"effective": today, "note": "QĐ 01", "alias_days": "30",
                                                            "parts": "000.00.11.H45 | Sở Nội vụ | department"})
    assert r.status_code == 400 and "000.00.12.H45" not in str(UnitPlan.objects.get().parts[:1])
    assert "at least two" in r.content.decode() or "ít nhất hai" in r.content.decode()
    r = admin_client.post(f"/units/plans/{plan.pk}/edit/", {"effective": today, "note": "QĐ 01", "alias_days": "30"})
    assert r.status_code == 302
    plan.refresh_from_db()
    assert (plan.note, plan.alias_days) == ("QĐ 01", 30)


def test_a_rename_and_a_move_are_planned_from_the_pages_and_bad_input_is_a_400(admin_client, snv):
    today = timezone.localdate().isoformat()
    r = admin_client.post("/units/plans/rename/", {"r-unit": snv.pk, "r-new_name": "Sở Nội vụ mới",
                                                   "r-effective": today})
    assert r.status_code == 302 and UnitPlan.objects.get(kind="rename").new_name == "Sở Nội vụ mới"
    r = admin_client.post("/units/plans/rename/", {"r-unit": snv.pk, "r-new_name": "Sở Nội vụ mới",
                                                   "r-effective": today})
    assert r.status_code == 400  # the unit already belongs to a plan
    r = admin_client.post("/units/plans/move/", {"m-sources": [snv.pk], "m-new_parent": snv.pk, "m-effective": today})
    assert r.status_code == 400
    assert UnitPlan.objects.count() == 1
