"""Requests nobody has to remember: leaving raises a revocation, a transfer a change of
information, and reminders go out 60, 30 and 7 days before expiry (on a frozen clock)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from provisioning.certificates.automatic import expiry_reminders
from provisioning.certificates.issued import certificates_import
from provisioning.certificates.models import Certificate, CertificateRequest, Origin, RequestType, Stage
from provisioning.people.services import person_set_status, person_transfer
from tests.provisioning.certificates import pki
from tests.provisioning.certificates.conftest import batched

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def holder(cast, government_ca):
    batched(cast)
    report = certificates_import(actor=None, data=pki.pem(pki.issue(
        government_ca, cn="Nguyễn Tiến Hoàng", email="hoangnt@quangtri.gov.vn", days=90,
        start=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))))
    assert report.ok
    return Certificate.objects.get()


def test_offboarding_raises_a_revocation_for_the_unit_head(cast, holder):
    person_set_status(actor=cast.u(cast.hr), person=cast.staff, status="left", reason="Nghỉ hưu theo chế độ")
    req = CertificateRequest.objects.get(type=RequestType.REVOCATION)
    assert req.origin == Origin.AUTOMATIC and req.stage == Stage.HEAD and req.certificate == holder
    assert req.form["reason"] == "retirement" and req.form["serial"] == holder.serial
    assert req.requested_by.username == "idm-system"


def test_someone_without_a_certificate_leaves_without_a_request(cast):
    person_set_status(actor=cast.u(cast.hr), person=cast.clerk, status="left")
    assert not CertificateRequest.objects.exists()


def test_a_transfer_raises_a_change_of_information(cast, holder):
    person_transfer(actor=cast.u(cast.hr), person=cast.staff, unit=cast.health, position="Chuyên viên chính")
    req = CertificateRequest.objects.get(type=RequestType.CHANGE)
    assert req.form["change_field"] == "agency" and req.form["new_value"] == "Sở Y tế"
    assert req.origin == Origin.AUTOMATIC


def test_reminders_fire_60_30_and_7_days_before_expiry_once_each(cast, holder):
    end = holder.not_after
    mail.outbox.clear()
    with time_machine.travel(end - dt.timedelta(days=70), tick=False):
        assert expiry_reminders() == 0
    with time_machine.travel(end - dt.timedelta(days=59), tick=False):
        assert expiry_reminders() == 1
        assert expiry_reminders() == 0  # once
    assert sorted(mail.outbox[-1].to) == ["hoalt@quangtri.gov.vn", "hoangnt@quangtri.gov.vn"]
    assert "60" in mail.outbox[-1].subject
    renewal = CertificateRequest.objects.get(type=RequestType.RENEWAL)
    assert renewal.origin == Origin.AUTOMATIC and renewal.certificate == holder
    with time_machine.travel(end - dt.timedelta(days=29), tick=False):
        assert expiry_reminders() == 1
    with time_machine.travel(end - dt.timedelta(days=6), tick=False):
        assert expiry_reminders() == 1
    holder.refresh_from_db()
    assert holder.reminders_sent == [60, 30, 7]
    assert CertificateRequest.objects.filter(type=RequestType.RENEWAL).count() == 1
