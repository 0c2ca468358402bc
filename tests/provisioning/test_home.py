"""The home page: each user's own account, and figures only for the units their role covers."""

from __future__ import annotations

import pytest

from accounts.models import Role, RoleAssignment, User
from provisioning.people.models import PersonStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    """Sở Tài chính (with Phòng Ngân sách) and Sở Y tế; an HR officer of Sở Tài chính, a plain staff
    member of Sở Y tế, an IT lead of the whole province."""
    p = factories.province()
    stc = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    ns = factories.unit(stc, "000.03.01.H45", "Phòng Ngân sách", kind="division")
    syt = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    hr = factories.person(stc, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=stc)
    factories.person(ns, "Nguyễn", "Tiến", "Hoàng", password=None, status=PersonStatus.STAGED)
    staff = factories.person(syt, "Đặng", "Văn", "Đức")
    factories.person(syt, "Võ", "Thị", "Sáu", password=None)
    it = factories.person(p, "Lê", "Minh", "Trí")
    RoleAssignment.objects.create(person=it, role=Role.IT_LEAD, unit=p)
    return {"hr": hr, "staff": staff, "it": it}


def _home(client, person):
    client.post("/accounts/login/", {"username": person.uid, "password": factories.PASSWORD})
    return client.get("/", HTTP_ACCEPT_LANGUAGE="en")


def test_plain_staff_see_their_own_account_and_no_province_counters(client, cast):
    r = _home(client, cast["staff"])
    page = r.content.decode()
    assert r.status_code == 200 and r.context["counts"] is None
    assert "ducdv@quangtri.gov.vn" in page and "Sở Y tế" in page and 'href="/me/"' in page
    for counter in ("active accounts", "changes waiting for the directory", "directory changes failed"):
        assert counter not in page


def test_an_hr_officer_counts_only_their_subtree(client, cast):
    r = _home(client, cast["hr"])
    assert r.context["counts"] == {"units": 2, "people": 2, "active": 1}  # Sở Tài chính and Phòng Ngân sách
    assert "changes waiting for the directory" not in r.content.decode()


def test_the_province_it_lead_and_the_superadmin_see_the_province_and_its_directory_queue(client, cast):
    counts = _home(client, cast["it"]).context["counts"]
    assert counts["units"] == 4 and counts["people"] == 5 and {"pending", "failed"} <= set(counts)
    client.logout()
    admin = User.objects.create_superuser("superadmin", password="a local password", source=User.Source.LOCAL)
    client.force_login(admin, backend="accounts.backends.LocalSuperadminBackend")
    r = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.context["counts"]["people"] == 5 and "pending" in r.context["counts"] and r.context["person"] is None
