"""The unit pages: the tree today or as of a date, search, pagination, CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from accounts.models import User
from provisioning.units.services import unit_update
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = User.objects.create_superuser("superadmin", password="a local password", source=User.Source.LOCAL)
    client.force_login(user, backend="accounts.backends.LocalSuperadminBackend")
    return client


@pytest.fixture
def tree():
    p = factories.province()
    units = [factories.unit(p, f"000.00.{i:02d}.H45", f"Sở số {i}") for i in range(1, 40)]
    factories.unit(units[0], "000.01.01.H45", "=HYPERLINK(\"http://evil\")", kind="division")
    factories.unit(units[0], "000.01.02.H45", "<script>alert(1)</script>", kind="division")
    return p


def test_pages_need_a_login(client):
    r = client.get("/units/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_the_tree_is_listed_with_a_bounded_number_of_queries(staff_client, tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        r = staff_client.get("/units/", HTTP_ACCEPT_LANGUAGE="en")
    page = r.content.decode()
    assert r.status_code == 200 and "Sở số 1" in page and "42 units" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_search_by_name_or_code(staff_client, tree):
    page = staff_client.get("/units/", {"q": "000.00.07"}).content.decode()
    assert "Sở số 7" in page and "Sở số 8" not in page
    page = staff_client.get("/units/", {"q": "không có đơn vị này"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No unit matches this search" in page


def test_the_tree_as_of_a_past_date_shows_the_old_name(staff_client, tree):
    from provisioning.units.models import Unit

    unit_update(actor=None, unit=Unit.objects.get(code="000.00.05.H45"), name="Sở mới",
                effective=dt.date.today() - dt.timedelta(days=10))
    old = (dt.date.today() - dt.timedelta(days=20)).isoformat()
    page = staff_client.get("/units/", {"as_of": old, "q": "000.00.05"}).content.decode()
    assert "Sở số 5" in page and "Sở mới" not in page
    page = staff_client.get("/units/", {"q": "000.00.05"}).content.decode()
    assert "Sở mới" in page


@pytest.mark.parametrize("value", ["yesterday", "2025-13-40", "9999-01-01"])
def test_a_bad_date_is_explained_not_a_500(staff_client, tree, value):
    r = staff_client.get("/units/", {"as_of": value}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    assert "date" in r.content.decode()


def test_csv_export_has_every_row_and_neutralises_formulas(staff_client, tree):
    r = staff_client.get("/units/", {"export": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 42
    names = [row[1] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in names


def test_pagination_splits_long_lists(staff_client):
    p = factories.province()
    for i in range(1, 120):
        factories.unit(p, f"X{i:03d}", f"UBND xã số {i:03d}", kind="commune")
    first = staff_client.get("/units/").content.decode()
    second = staff_client.get("/units/", {"page": 2}).content.decode()
    assert "UBND xã số 050" in first and "UBND xã số 119" in second and "UBND xã số 119" not in first


def test_unit_detail_shows_history_inherited_domain_and_staff(staff_client, tree):
    from provisioning.units.models import Unit

    unit = Unit.objects.get(code="000.00.03.H45")
    factories.person(unit, "Trần", "Thị Minh", "Khai", password=None)
    r = staff_client.get(f"/units/{unit.code}/", HTTP_ACCEPT_LANGUAGE="en")
    page = r.content.decode()
    assert r.status_code == 200 and "quangtri.gov.vn" in page and "inherited" in page and "khaittm" in page
    assert staff_client.get("/units/NOPE/").status_code == 404


def test_overview_counts(staff_client, tree):
    r = staff_client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and r.context["counts"]["units"] == 42


def test_superadmin_changes_a_units_rule_and_domain_from_a_date(staff_client, tree):
    from provisioning.units.models import Unit
    from provisioning.units.selectors import unit_resolved_settings

    unit = Unit.objects.get(code="000.00.04.H45")
    r = staff_client.post(f"/units/{unit.code}/edit/", {
        "name": "Sở số 4 (mới)", "kind": "department", "parent": tree.pk, "mail_domain": "so4.quangtri.gov.vn",
        "naming_rule": "initials_given", "effective": dt.date.today().isoformat()})
    assert r.status_code == 302
    unit.refresh_from_db()
    assert unit_resolved_settings(unit) == ("so4.quangtri.gov.vn", "initials_given")
    assert unit.versions.count() == 2


def test_unit_form_errors_are_explained(staff_client, tree):
    r = staff_client.post("/units/new/", {"code": "bad code", "name": "", "kind": "department", "parent": tree.pk,
                                          "effective": "2999-01-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and 'class="field-error"' in r.content.decode()


@pytest.mark.parametrize("ch", ["\u202e", "\u200b", "\u2066", "\x1b"])
def test_a_unit_name_with_a_bidi_control_or_zero_width_character_is_refused_in_the_form(staff_client, tree, ch):
    from provisioning.units.models import Unit

    r = staff_client.post("/units/new/", {"code": "000.00.77.H45", "name": f"Sở Y{ch} tế", "kind": "department",
                                          "parent": tree.pk, "effective": dt.date.today().isoformat()},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and f"U+{ord(ch):04X}" in r.content.decode()
    assert not Unit.objects.filter(code="000.00.77.H45").exists()


def test_hr_and_staff_cannot_edit_units(client, tree):
    from accounts.models import User

    user = User.objects.create_user("someone", source=User.Source.DIRECTORY)
    client.force_login(user, backend="accounts.backends.DirectoryBackend")
    assert client.get("/units/new/").status_code in (302, 403)


def test_superadmin_gives_a_unit_a_distribution_list(staff_client, tree):
    from provisioning.units.models import Unit

    unit = Unit.objects.get(code="000.00.06.H45")
    data = {"name": unit.name, "kind": "department", "parent": tree.pk, "list_local_part": "so6",
            "effective": dt.date.today().isoformat()}
    assert staff_client.post(f"/units/{unit.code}/edit/", data).status_code == 302
    assert Unit.objects.get(pk=unit.pk).list_address == "so6@quangtri.gov.vn"
    r = staff_client.post("/units/000.00.07.H45/edit/", data | {"name": "Sở số 7"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and "already used" in r.content.decode()


def test_a_refused_list_address_leaves_the_unit_unchanged(staff_client, tree):
    from provisioning.mailboxes.services import unit_set_list
    from provisioning.units.models import Unit

    unit_set_list(actor=None, unit=Unit.objects.get(code="000.00.06.H45"), local_part="taken")
    unit = Unit.objects.get(code="000.00.07.H45")
    r = staff_client.post(f"/units/{unit.code}/edit/", {
        "name": "Tên mới", "kind": "department", "parent": tree.pk, "list_local_part": "taken",
        "effective": dt.date.today().isoformat()})
    assert r.status_code == 400
    assert Unit.objects.get(pk=unit.pk).name == "Sở số 7" and unit.versions.count() == 1


def test_unit_staff_are_listed_in_vietnamese_name_order(staff_client, tree):
    from provisioning.units.models import Unit

    unit = Unit.objects.get(code="000.00.03.H45")
    for family, middle, given in (("Vũ", "Thị", "Hà"), ("Đặng", "Văn", "Ánh"), ("Hồ", "Minh", "An"),
                                  ("Huỳnh", "Văn", "Hoàng")):
        factories.person(unit, family, middle, given, password=None)
    page = staff_client.get(f"/units/{unit.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.index("Hồ Minh An") < page.index("Đặng Văn Ánh") < page.index("Vũ Thị Hà") \
        < page.index("Huỳnh Văn Hoàng")


@pytest.fixture
def hr_cast(client):
    """An HR officer of Sở Tài chính, a colleague below it, an outsider in Sở Y tế."""
    from accounts.models import Role, RoleAssignment

    p = factories.province()
    stc = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    ns = factories.unit(stc, "000.03.01.H45", "Phòng Ngân sách", kind="division")
    syt = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    hr = factories.person(stc, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=stc)
    factories.person(ns, "Nguyễn", "Tiến", "Hoàng", password=None)
    factories.person(syt, "Đặng", "Văn", "Đức", position="Kế toán trưởng")
    return {"hr": hr, "stc": stc, "ns": ns, "syt": syt}


def _login(client, uid):
    assert client.post("/accounts/login/", {"username": uid, "password": factories.PASSWORD}).status_code == 302


def test_hr_officer_sees_the_staff_of_units_in_their_subtree(client, hr_cast):
    _login(client, hr_cast["hr"].uid)
    page = client.get("/units/000.03.01.H45/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "hoangnt" in page and "Nguyễn Tiến Hoàng" in page


def test_hr_officer_sees_only_the_public_facts_of_another_unit(client, hr_cast):
    _login(client, hr_cast["hr"].uid)
    r = client.get("/units/000.00.05.H45/", HTTP_ACCEPT_LANGUAGE="en")
    page = r.content.decode()
    assert r.status_code == 200 and "Sở Y tế" in page and "quangtri.gov.vn" in page
    assert "ducdv" not in page and "Đặng Văn Đức" not in page and "Kế toán trưởng" not in page
    assert "<th>Status</th>" not in page


def test_staff_without_a_role_see_no_unit_staff_list(client, hr_cast):
    _login(client, "ducdv")
    page = client.get("/units/000.03.01.H45/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # (the address rule's label shows an example uid, "hoangnt", so look for the person's own marks)
    assert "Phòng Ngân sách" in page and "Nguyễn Tiến Hoàng" not in page and "<code>hoangnt</code>" not in page
    assert "hoangnt@" not in page
