"""The add-person form says everything wrong with a submission at once (missing, malformed and
already taken), and names who holds a taken value only when the officer may see that person."""

from __future__ import annotations

import html

import pytest

from accounts.models import Role, RoleAssignment
from provisioning.people.models import Person
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(client):
    """An HR officer of Sở Y tế; Nguyễn Văn An in its Văn phòng Sở (QT-0001); Trần Thị Bích in
    Sở Tài chính (QT-0002), outside the officer's units."""
    p = factories.province()
    syt = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    vp = factories.unit(syt, "000.05.01.H45", "Văn phòng Sở", kind="division")
    stc = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    hr = factories.person(syt, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=syt)
    an = factories.person(vp, "Nguyễn", "Văn", "An", code="QT-0001", password=None, citizen_id="001190000001")
    bich = factories.person(stc, "Trần", "Thị", "Bích", code="QT-0002", password=None, citizen_id="001190000002")
    assert client.post("/accounts/login/", {"username": hr.uid, "password": factories.PASSWORD}).status_code == 302
    return {"hr": hr, "an": an, "bich": bich, "syt": syt, "vp": vp}


def _submit(client, cast, **changes):
    data = {"employee_code": "QT-0100", "family_name": "Lê", "middle_name": "Thị", "given_name": "Hoa",
            "unit": cast["vp"].pk, "position": "Chuyên viên", "category": "cong_chuc", "personal_email": "",
            "phone": "", "citizen_id": ""} | changes
    r = client.post("/people/new/", data)
    return r, html.unescape(r.content.decode())


def test_one_submission_shows_the_missing_name_the_bad_phone_and_the_taken_code_at_once(client, cast):
    r, page = _submit(client, cast, given_name="", phone="12345", employee_code="QT-0001")
    assert r.status_code == 400
    assert "Trường thông tin này là bắt buộc." in page
    assert "“12345” không phải là số điện thoại di động Việt Nam" in page
    assert "Mã cán bộ QT-0001 đã thuộc về" in page
    assert page.count('class="field-error"') >= 3
    assert not Person.objects.filter(family_name="Lê", middle_name="Thị").exists()


def test_a_taken_code_names_its_holder_with_a_link_when_the_officer_may_see_them(client, cast):
    r, page = _submit(client, cast, employee_code="QT-0001")
    an = cast["an"]
    assert f'<a href="/people/{an.pk}/">' in r.content.decode()  # a link, not its escaped text
    assert (f'Mã cán bộ QT-0001 đã thuộc về <a href="/people/{an.pk}/">Nguyễn Văn An (annv)</a>, '
            f"Sở Y tế › Văn phòng Sở") in page


def test_a_taken_code_outside_the_officers_units_only_says_it_is_taken(client, cast):
    r, page = _submit(client, cast, employee_code="QT-0002")
    assert r.status_code == 400 and "Mã cán bộ QT-0002 đã được dùng" in page
    bich = cast["bich"]
    assert "Trần Thị Bích" not in page and bich.uid not in page and "Sở Tài chính" not in page
    assert f"/people/{bich.pk}/" not in page


def test_a_taken_citizen_id_is_reported_with_the_other_errors(client, cast):
    r, page = _submit(client, cast, citizen_id="001190000001", personal_email="not-an-address")
    assert r.status_code == 400
    assert "Số CCCD này đã thuộc về" in page and "Nguyễn Văn An (annv)" in page
    assert "không phải là địa chỉ thư điện tử hợp lệ" in page
    _r, page = _submit(client, cast, citizen_id="001190000002")
    assert "Số CCCD này đã được dùng" in page and "Trần Thị Bích" not in page


def test_editing_a_person_does_not_call_their_own_code_and_citizen_id_taken(client, cast):
    an = cast["an"]
    r = client.post(f"/people/{an.pk}/edit/", {
        "family_name": "Nguyễn", "middle_name": "Văn", "given_name": "An", "unit": cast["vp"].pk,
        "position": "Chánh văn phòng", "category": "cong_chuc", "citizen_id": "001190000001"})
    assert r.status_code == 302
    assert Person.objects.get(pk=an.pk).position == "Chánh văn phòng"
