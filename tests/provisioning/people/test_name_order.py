"""A name is written the way its owner writes it: an Ê Đê name entered given-first (H'Linh Niê)
is never turned round into "Niê H'Linh", on the pages or in the directory."""

from __future__ import annotations

import pytest

from accounts.models import Role, RoleAssignment
from directory import gateway
from provisioning.common.naming import NameOrder
from provisioning.outbox.services import directory_changes_drain
from provisioning.people.models import Person
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client(client):
    p = factories.province()
    syt = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    hr = factories.person(syt, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=syt)
    assert client.post("/accounts/login/", {"username": hr.uid, "password": factories.PASSWORD}).status_code == 302
    client.unit = syt
    return client


def test_a_given_first_name_shows_given_first_on_pages_and_in_the_directory(hr_client):
    r = hr_client.post("/people/new/", {
        "employee_code": "QT-0042", "family_name": "Niê", "middle_name": "", "given_name": "H'Linh",
        "name_order": "given_first", "unit": hr_client.unit.pk, "category": "vien_chuc"})
    assert r.status_code == 302, r.content.decode()[:2000]
    person = Person.objects.get(employee_code="QT-0042")
    assert person.name_order == NameOrder.GIVEN_FIRST and person.full_name == "H'Linh Niê"
    assert person.uid == "hlinhn"  # the address rule still reads the parts, not the order
    directory_changes_drain()

    people = hr_client.get("/people/").content.decode()
    assert "H&#x27;Linh Niê</a>" in people and "Niê H&#x27;Linh" not in people
    detail = hr_client.get(f"/people/{person.pk}/").content.decode()
    assert "<h1>H&#x27;Linh Niê" in detail and "Niê H&#x27;Linh" not in detail

    attrs = gateway.read(gateway.person_dn(person.uid), ["displayName", "cn"])
    assert attrs["displayName"] == ["H'Linh Niê"] and attrs["cn"] == ["H'Linh Niê"]
    entry = gateway.person_get(person.uid)
    assert entry.given_first and entry.full_name == "H'Linh Niê"  # read back, it compares equal


def test_the_order_can_be_corrected_and_kinh_names_stay_family_first(hr_client):
    person = factories.person(hr_client.unit, "Niê", "", "H'Linh", password=None)
    assert person.full_name == "Niê H'Linh"  # entered the Kinh way by mistake
    r = hr_client.post(f"/people/{person.pk}/edit/", {
        "family_name": "Niê", "middle_name": "", "given_name": "H'Linh", "name_order": "given_first",
        "unit": hr_client.unit.pk, "category": "cong_chuc", "position": "Chuyên viên"})
    assert r.status_code == 302, r.content.decode()[:2000]
    directory_changes_drain()
    assert Person.objects.get(pk=person.pk).full_name == "H'Linh Niê"
    assert gateway.read(gateway.person_dn(person.uid), ["displayName"])["displayName"] == ["H'Linh Niê"]
    kinh = factories.person(hr_client.unit, "Nguyễn", "Tiến", "Hoàng", password=None)
    assert kinh.full_name == "Nguyễn Tiến Hoàng"
    assert gateway.person_get(kinh.uid).full_name == "Nguyễn Tiến Hoàng"


def test_a_given_first_person_sees_their_name_in_the_header(client):
    unit = factories.unit(factories.province(), "000.00.05.H45", "Sở Y tế")
    person = factories.person(unit, "Niê", "", "H'Linh", name_order=NameOrder.GIVEN_FIRST)
    assert client.post("/accounts/login/", {"username": person.uid, "password": factories.PASSWORD}).status_code == 302
    page = client.get("/me/").content.decode()
    assert 'class="who" title="H&#x27;Linh Niê">H&#x27;Linh Niê</span>' in page
