"""Reorganisation plans and certificates: a renamed unit, a merger into a new unit, a split — the
valid personal certificates get a change of information (Mẫu 04), the new or renamed unit a new
organisational certificate request (Mẫu 02); raising twice is harmless."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from provisioning.certificates import reorg as certificate_reorg
from provisioning.certificates.issued import certificates_import
from provisioning.certificates.models import Certificate, CertificateRequest, CertKind, Origin, RequestType
from provisioning.reorg.services import (
    plan_apply,
    plan_merge_create,
    plan_preview,
    plan_rename_create,
    plan_split_create,
)
from tests.provisioning.certificates import pki
from tests.provisioning.certificates.conftest import batched

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(cast, government_ca):
    batched(cast)
    report = certificates_import(actor=None, data=pki.pem(pki.issue(
        government_ca, cn="Nguyễn Tiến Hoàng", email="hoangnt@quangtri.gov.vn", days=90,
        start=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))))
    assert report.ok
    return Certificate.objects.get()


def test_a_renamed_unit_raises_a_change_for_each_valid_certificate_and_a_new_organisational_request(cast, holder):
    plan = plan_rename_create(actor=None, unit=cast.finance, new_name="Sở Tài chính và Kế hoạch",
                              effective=timezone.localdate())
    assert [c.pk for c in plan_preview(plan).certificates] == [holder.pk]
    plan_apply(actor=None, plan=plan)
    change = CertificateRequest.objects.get(type=RequestType.CHANGE)
    assert change.certificate == holder and change.origin == Origin.AUTOMATIC and change.form_number == "04"
    assert change.form["change_field"] == "agency" and change.form["new_value"] == "Sở Tài chính và Kế hoạch"
    org = CertificateRequest.objects.get(kind=CertKind.ORGANISATION, type=RequestType.NEW)
    assert org.unit == cast.finance and org.person == cast.head  # the unit head keeps the token
    assert org.form["org_name"] == "Sở Tài chính và Kế hoạch" and org.form_number == "02"
    # run again (an interrupted apply, the hourly task): nothing is raised twice
    assert certificate_reorg.people_changed_agency(person_ids=[cast.staff.pk]) == 0
    assert certificate_reorg.unit_needs_certificate(unit=cast.finance) is None
    assert CertificateRequest.objects.filter(type=RequestType.CHANGE).count() == 1


def test_a_merger_into_a_new_unit_asks_for_its_organisational_certificate(cast, holder):
    plan = plan_merge_create(actor=None, sources=[cast.finance, cast.health], new_code="000.00.34.H45",
                             new_name="Sở Tài chính - Y tế", new_kind="department", new_parent=cast.top,
                             effective=timezone.localdate())
    plan_apply(actor=None, plan=plan)
    change = CertificateRequest.objects.get(type=RequestType.CHANGE, certificate=holder)
    assert change.form["new_value"] == "Sở Tài chính - Y tế"
    org = CertificateRequest.objects.get(kind=CertKind.ORGANISATION, type=RequestType.NEW)
    assert org.unit.code == "000.00.34.H45" and org.person.unit_id == org.unit_id


def test_a_split_asks_for_each_new_parts_certificate_and_changes_the_moved_holders(cast, holder):
    plan = plan_split_create(actor=None, source=cast.finance, effective=timezone.localdate(), parts=[
        {"code": "000.00.31.H45", "name": "Sở Tài chính", "kind": "department", "default": True},
        {"code": "000.00.32.H45", "name": "Sở Kế hoạch", "kind": "department", "positions": ["Văn thư"]}])
    plan_apply(actor=None, plan=plan)
    assert CertificateRequest.objects.get(type=RequestType.CHANGE).certificate == holder
    assert sorted(CertificateRequest.objects.filter(kind=CertKind.ORGANISATION).values_list("unit__code", flat=True)) \
        == ["000.00.31.H45", "000.00.32.H45"]
