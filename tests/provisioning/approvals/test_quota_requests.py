"""A larger quota needs the unit head's approval, and nobody approves their own request."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role, RoleAssignment, User
from directory import gateway
from provisioning.approvals.services import quota_request_create, quota_request_decide
from provisioning.outbox.services import directory_changes_drain
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    unit = factories.unit(factories.province(), "000.00.03.H45", "Sở Tài chính")
    head = factories.person(unit, "Phạm", "Văn", "Đồng", position="Giám đốc")
    RoleAssignment.objects.create(person=head, role=Role.UNIT_HEAD, unit=unit)
    staff = factories.person(unit)
    return {"head": User.objects.create_user(head.uid), "staff_user": User.objects.create_user(staff.uid),
            "staff": staff, "head_person": head}


def test_the_unit_head_approves_and_the_quota_reaches_the_directory(cast):
    req = quota_request_create(actor=cast["staff_user"], person=cast["staff"], requested_mb=4096,
                               reason="Hồ sơ dự án lớn")
    quota_request_decide(actor=cast["head"], request=req, approve=True)
    directory_changes_drain()
    assert gateway.person_get("hoangnt").mail_quota_kib == 4096 * 1024


def test_nobody_approves_their_own_request(cast):
    req = quota_request_create(actor=cast["head"], person=cast["head_person"], requested_mb=4096, reason="Cần thêm")
    with pytest.raises(PermissionDenied):
        quota_request_decide(actor=cast["head"], request=req, approve=True)


def test_staff_cannot_approve(cast):
    req = quota_request_create(actor=cast["head"], person=cast["staff"], requested_mb=4096, reason="Cần thêm")
    with pytest.raises(PermissionDenied):
        quota_request_decide(actor=cast["staff_user"], request=req, approve=True)


def test_a_request_must_ask_for_more_and_say_why(cast):
    with pytest.raises(ValidationError):
        quota_request_create(actor=cast["staff_user"], person=cast["staff"], requested_mb=512, reason="x")
    with pytest.raises(ValidationError):
        quota_request_create(actor=cast["staff_user"], person=cast["staff"], requested_mb=4096, reason="  ")


def test_a_refusal_changes_nothing(cast):
    req = quota_request_create(actor=cast["staff_user"], person=cast["staff"], requested_mb=4096, reason="Cần")
    quota_request_decide(actor=cast["head"], request=req, approve=False, note="Chưa cần")
    directory_changes_drain()
    assert gateway.person_get("hoangnt").mail_quota_kib == 1024 * 1024
    with pytest.raises(ValidationError):
        quota_request_decide(actor=cast["head"], request=req, approve=True)


def test_request_and_approval_through_the_pages(client, cast):
    client.post("/accounts/login/", {"username": "hoangnt", "password": factories.PASSWORD})
    client.post("/me/quota/", {"requested_mb": "3072", "reason": "Lưu hồ sơ scan"})
    assert client.get("/quota-requests/").status_code == 403  # staff are not unit heads
    client.logout()
    client.post("/accounts/login/", {"username": cast["head_person"].uid, "password": factories.PASSWORD})
    page = client.get("/quota-requests/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Lưu hồ sơ scan" in page and "1024 → 3072" in page
    from provisioning.approvals.models import QuotaRequest

    client.post("/quota-requests/", {"request": QuotaRequest.objects.get().pk, "decision": "approve"})
    directory_changes_drain()
    assert gateway.person_get("hoangnt").mail_quota_kib == 3072 * 1024


def test_the_requests_page_costs_a_bounded_number_of_queries(client, cast, django_assert_max_num_queries):
    from provisioning.approvals.models import QuotaRequest

    unit = cast["staff"].unit
    for i in range(12):  # people in units at several depths, each with a request
        unit = factories.unit(unit, f"000.03.{i:02d}.H45", f"Phòng {i}", kind="division")
        person = factories.person(unit, "Lê", "Văn", "Tám", password=None)
        quota_request_create(actor=cast["staff_user"], person=person, requested_mb=2048, reason="Hồ sơ")
    client.post("/accounts/login/", {"username": cast["head_person"].uid, "password": factories.PASSWORD})
    with django_assert_max_num_queries(8):
        page = client.get("/quota-requests/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("1024 → 2048") == QuotaRequest.objects.count() == 12
