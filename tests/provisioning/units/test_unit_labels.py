"""A unit is shown by its path ("Sở Y tế › Văn phòng Sở"), in every picker and every list, so
the six "Văn phòng Sở" of a province can be told apart; the paths of many units cost one query."""

from __future__ import annotations

import pytest

from accounts.models import Role, RoleAssignment, User
from provisioning.units.models import Unit
from provisioning.units.selectors import unit_choices, unit_paths
from tests import factories

pytestmark = pytest.mark.django_db

DEPARTMENTS = ["Sở Y tế", "Sở Tài chính", "Sở Nội vụ", "Sở Tư pháp", "Sở Xây dựng", "Sở Công Thương"]


@pytest.fixture
def province():
    p = factories.province()
    for i, name in enumerate(DEPARTMENTS, start=1):
        d = factories.unit(p, f"000.00.{i:02d}.H45", name)
        vp = factories.unit(d, f"000.{i:02d}.01.H45", "Văn phòng Sở", kind="division")
        factories.unit(vp, f"000.{i:02d}.11.H45", "Tổ Văn thư", kind="division")
        factories.unit(d, f"000.{i:02d}.02.H45", "Thanh tra Sở", kind="division")
    return p


def test_a_label_is_the_path_below_the_province(province):
    vp = Unit.objects.get(code="000.01.01.H45")
    team = Unit.objects.get(code="000.01.11.H45")
    labels = unit_paths([province, vp, team, Unit.objects.get(code="000.00.01.H45")])
    assert labels[vp.pk] == "Sở Y tế › Văn phòng Sở"
    assert labels[team.pk] == "Sở Y tế › Văn phòng Sở › Tổ Văn thư"
    assert labels[province.pk] == "Ủy ban nhân dân tỉnh Quảng Trị"


def test_a_picker_has_no_two_identical_labels_and_lists_children_under_their_parent(province):
    syt = Unit.objects.get(code="000.00.01.H45")
    factories.unit(syt, "000.01.09.H45", "Thanh tra Sở", kind="division")  # a real duplicate: told by its code
    labels = [label for _u, label in unit_choices(Unit.objects.all())]
    assert len(labels) == len(set(labels)) == Unit.objects.count()
    assert "Sở Y tế › Văn phòng Sở" in labels and "Sở Tài chính › Văn phòng Sở" in labels
    assert "Sở Y tế › Thanh tra Sở (000.01.09.H45)" in labels
    i = labels.index("Sở Y tế")
    assert labels[i + 1].startswith("Sở Y tế › ")


def test_paths_of_many_units_cost_one_query(province, django_assert_max_num_queries):
    units = list(Unit.objects.filter(kind="division"))
    assert len(units) == 18
    with django_assert_max_num_queries(1):
        labels = unit_paths(units)
    assert len(labels) == 18
    syt = Unit.objects.get(code="000.00.01.H45")
    with django_assert_max_num_queries(2):  # the units, then their ancestors that are not among them
        unit_choices(Unit.objects.filter(path__startswith=syt.path))


def test_hr_pages_show_and_offer_units_by_path(client, province, django_assert_max_num_queries):
    syt = Unit.objects.get(code="000.00.01.H45")
    hr = factories.person(syt, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=syt)
    for i, given in enumerate(["An", "Bình", "Chi", "Dũng", "Giang", "Hà"]):  # many units, one query for paths
        factories.person(Unit.objects.get(code=f"000.01.{i % 2 + 1:02d}.H45"), "Nguyễn", "Văn", given, password=None)
    staff = factories.person(Unit.objects.get(code="000.01.11.H45"), "Lê", "Thị", "Cúc", password=None)
    assert client.post("/accounts/login/", {"username": hr.uid, "password": factories.PASSWORD}).status_code == 302
    with django_assert_max_num_queries(10):  # as many as before paths were shown
        page = client.get("/people/").content.decode()
    assert page.count("<td data-label=\"Đơn vị\">Sở Y tế › Văn phòng Sở</td>") >= 3
    assert ">Sở Y tế › Văn phòng Sở › Tổ Văn thư</option>" in page
    assert "Sở Tài chính" not in page  # outside the officer's units
    page = client.get(f"/people/{staff.pk}/").content.decode()
    assert ">Sở Y tế › Văn phòng Sở › Tổ Văn thư</a>" in page
    page = client.get("/people/new/").content.decode()
    assert ">Sở Y tế › Thanh tra Sở</option>" in page and "data-unit-picker" in page


def test_the_unit_form_offers_parents_by_path(client, province):
    admin = User.objects.create_superuser("superadmin", password="a local password", source=User.Source.LOCAL)
    client.force_login(admin, backend="accounts.backends.LocalSuperadminBackend")
    page = client.get("/units/new/").content.decode()
    assert page.count(">Sở Y tế › Văn phòng Sở</option>") == 1
    assert page.count("› Văn phòng Sở</option>") == len(DEPARTMENTS)


def test_the_unit_page_shows_the_address_rule_by_its_label_not_its_code(client, province):
    admin = User.objects.create_superuser("superadmin", password="a local password", source=User.Source.LOCAL)
    client.force_login(admin, backend="accounts.backends.LocalSuperadminBackend")
    page = client.get("/units/000.00.01.H45/").content.decode()
    assert "given_initials" not in page
    assert "tên + chữ cái đầu của họ và tên đệm (hoangnt)" in page or "given name + initials (hoangnt)" in page
    page = client.get("/units/000.00.01.H45/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "given name + initials (hoangnt)" in page and "given_initials" not in page
