"""Requests on the CA's forms: prefilled from the record, approved by the unit head (never the
requester, never outside their unit), then put in a batch by the provincial IT department."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from provisioning.audit.models import AuditEntry
from provisioning.certificates import services
from provisioning.certificates.models import CertificateBatch, CertKind, RequestType, Stage
from provisioning.certificates.notifications import request_notify
from tests.provisioning.certificates.conftest import ORG_NEW, PERSONAL_NEW

pytestmark = pytest.mark.django_db


def _personal(cast, actor=None, **form):
    return services.request_create(actor=actor or cast.u(cast.staff), kind=CertKind.PERSONAL,
                                   type_=RequestType.NEW, person=cast.staff, form=PERSONAL_NEW | form)


def test_a_personal_request_is_prefilled_from_the_record(cast):
    req = _personal(cast)
    assert req.form["full_name"] == "Nguyễn Tiến Hoàng"
    assert req.form["email"] == cast.staff.mail == "hoangnt@quangtri.gov.vn"
    assert req.form["agency"] == "Sở Tài chính"
    assert req.form["province"] == "Ủy ban nhân dân tỉnh Quảng Trị"
    assert req.form["position"] == "Chuyên viên" and req.form["phone"] == "+84912345678"
    assert req.form_number == "01" and req.stage == Stage.HEAD
    assert AuditEntry.objects.filter(action="certificate.requested").count() == 1


def test_a_personal_request_without_the_form_fields_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        services.request_create(actor=cast.u(cast.staff), kind=CertKind.PERSONAL, type_=RequestType.NEW,
                                person=cast.staff, form={})
    assert "birth_date" in exc.value.message_dict and "id_number" in exc.value.message_dict


def test_the_email_must_be_the_official_mailbox(cast):
    with pytest.raises(ValidationError) as exc:
        _personal(cast, email="hoang@gmail.com")
    assert "email" in exc.value.message_dict


def test_bad_values_are_refused_with_their_reason(cast):
    with pytest.raises(ValidationError) as exc:
        _personal(cast, id_number="12ab", phone="12345", birth_date="17/05/1990", device_type="floppy")
    assert set(exc.value.message_dict) >= {"id_number", "phone", "birth_date", "device_type"}


def test_hr_raises_for_staff_but_an_outsider_cannot(cast):
    assert _personal(cast, actor=cast.u(cast.hr)).origin == "hr"
    with pytest.raises(PermissionDenied):
        services.request_create(actor=cast.u(cast.other_head), kind=CertKind.PERSONAL, type_=RequestType.NEW,
                                person=cast.clerk, form=PERSONAL_NEW)


def test_an_organisational_request_names_the_legal_representative_and_the_custodian(cast):
    req = services.request_create(actor=cast.u(cast.hr), kind=CertKind.ORGANISATION, type_=RequestType.NEW,
                                  person=cast.clerk, unit=cast.finance, form=ORG_NEW)
    assert req.form["org_name"] == "Sở Tài chính" and req.form_number == "02"
    assert req.form["legal_representative"] == "Phạm Văn Đồng" and req.form["custodian"] == "Võ Thị Sáu"


def test_head_then_it_put_the_request_in_a_batch_and_the_requester_hears_each_step(cast):
    req = _personal(cast)
    services.request_decide_head(actor=cast.u(cast.head), request=req, approve=True)
    req.refresh_from_db()
    assert req.stage == Stage.IT and req.decided_by == cast.u(cast.head)
    services.request_decide_it(actor=cast.u(cast.it), request=req, approve=True)
    req.refresh_from_db()
    assert req.stage == Stage.BATCHED and req.batch.status == CertificateBatch.Status.DRAFT
    actions = list(AuditEntry.objects.filter(target_type="certificaterequest").values_list("action", flat=True))
    assert sorted(actions) == ["certificate.head_approved", "certificate.it_approved", "certificate.requested"]
    assert request_notify(request_id=req.pk, event="batched") == ["hoangnt@quangtri.gov.vn"]
    assert "chứng thư số" in mail.outbox[-1].subject or "certificate" in mail.outbox[-1].subject


def test_approval_by_the_requester_is_refused(cast):
    req = services.request_create(actor=cast.u(cast.head), kind=CertKind.PERSONAL, type_=RequestType.NEW,
                                  person=cast.head,
                                  form=PERSONAL_NEW | {"phone": "0912000111", "contact_phone": "0912000111"})
    with pytest.raises(PermissionDenied):
        services.request_decide_head(actor=cast.u(cast.head), request=req, approve=True)


def test_approval_outside_ones_unit_is_refused(cast):
    req = _personal(cast)
    with pytest.raises(PermissionDenied):
        services.request_decide_head(actor=cast.u(cast.other_head), request=req, approve=True)


def test_a_refusal_needs_a_reason_and_ends_the_request(cast):
    req = _personal(cast)
    with pytest.raises(ValidationError):
        services.request_decide_head(actor=cast.u(cast.head), request=req, approve=False)
    services.request_decide_head(actor=cast.u(cast.head), request=req, approve=False, note="Chưa cần")
    req.refresh_from_db()
    assert req.stage == Stage.REFUSED and req.decision_note == "Chưa cần"
    with pytest.raises(ValidationError):
        services.request_decide_it(actor=cast.u(cast.it), request=req, approve=True)


def test_it_cannot_batch_before_the_unit_head_approved(cast):
    req = _personal(cast)
    with pytest.raises(ValidationError):
        services.request_decide_it(actor=cast.u(cast.it), request=req, approve=True)


def test_the_same_request_twice_is_refused(cast):
    _personal(cast)
    with pytest.raises(ValidationError):
        _personal(cast)
