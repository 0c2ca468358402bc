"""The cast: a department with its head, HR officer, clerk and a staff member; another department
with its own head; the provincial IT lead."""

from __future__ import annotations

import pytest

from accounts.models import Role, RoleAssignment, User
from tests import factories


class Cast(dict):
    __getattr__ = dict.__getitem__


@pytest.fixture
def cast(db):
    top = factories.province()
    finance = factories.unit(top, "000.00.03.H45", "Sở Tài chính")
    health = factories.unit(top, "000.00.04.H45", "Sở Y tế")
    head = factories.person(finance, "Phạm", "Văn", "Đồng", position="Giám đốc")
    hr = factories.person(finance, "Lê", "Thị", "Hoa", position="Trưởng phòng Tổ chức")
    clerk = factories.person(finance, "Võ", "Thị", "Sáu", position="Văn thư")
    staff = factories.person(finance, phone="+84912345678")
    other_head = factories.person(health, "Trần", "Quốc", "Toản", position="Giám đốc")
    it = factories.person(top, "Đỗ", "Minh", "Tuấn", position="Chuyên viên CNTT")
    for who, role, unit in ((head, Role.UNIT_HEAD, finance), (hr, Role.HR_ADMIN, finance),
                            (other_head, Role.UNIT_HEAD, health), (it, Role.IT_LEAD, top)):
        RoleAssignment.objects.create(person=who, role=role, unit=unit)
    users = {p.uid: User.objects.create_user(p.uid) for p in (head, hr, clerk, staff, other_head, it)}
    return Cast(top=top, finance=finance, health=health, head=head, hr=hr, clerk=clerk, staff=staff,
                other_head=other_head, it=it, u=lambda p: users[p.uid])


PERSONAL_NEW = {"birth_date": "1990-05-17", "id_number": "038090001234", "id_issued_on": "2021-04-10",
                "id_issued_at": "Cục Cảnh sát QLHC về TTXH", "contact_id_number": "038090001234",
                "delivery_address": "Số 1 Hùng Vương, Đông Hà"}
ORG_NEW = {"address": "Số 2 Hùng Vương, Đông Hà", "tax_code": "3200123456", "budget_code": "1012345",
           "contact_id_number": "038085004321", "contact_phone": "0912555666",
           "delivery_address": "Số 2 Hùng Vương, Đông Hà"}


@pytest.fixture
def government_ca(settings, tmp_path):
    """A CA the province trusts through IDM_CA_BUNDLE, as a province's real CA would be."""
    from tests.provisioning.certificates import pki

    ca = pki.make_ca()
    bundle = tmp_path / "trusted-cas.pem"
    bundle.write_bytes(pki.pem(ca[1]))
    settings.IDM_CA_BUNDLE = str(bundle)
    settings.IDM_CA_ADAPTER = "external"
    return ca


@pytest.fixture
def local_ca(settings, tmp_path):
    """The built-in CA for batches and CSRs, as `make run` has it."""
    settings.IDM_CA_ADAPTER = "local"
    settings.IDM_INTERNAL_CA_ADAPTER = "local"
    settings.IDM_LOCAL_CA_DIR = str(tmp_path / "local-ca")
    settings.IDM_CA_BUNDLE = ""


def batched(cast, *, kind="personal", type_="new", person=None, certificate=None, form=None):
    """A request through the unit head and IT, in the draft batch."""
    from provisioning.certificates import services

    person = person or cast.staff
    form = form if form is not None else (PERSONAL_NEW if kind == "personal" else ORG_NEW)
    req = services.request_create(actor=cast.u(cast.hr), kind=kind, type_=type_, person=person,
                                  unit=person.unit, certificate=certificate, form=form)
    services.request_decide_head(actor=cast.u(cast.head), request=req, approve=True)
    return services.request_decide_it(actor=cast.u(cast.it), request=req, approve=True)
