"""Stories behind the access matrix (tests/test_access_matrix.py): scopes that grow with the tree, a
commune's officer, roles from directory groups (AC-04, AC-05), fields a role may not change (AC-03)."""

from __future__ import annotations

import io
import time

import pytest
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from accounts.roles.services import role_grant, role_revoke
from accounts.scopes import role_groups, role_units
from directory import gateway
from directory.entries import GroupEntry
from provisioning.approvals.models import QuotaRequest
from provisioning.imports import services as imports
from provisioning.people.models import Person
from tests import factories

pytestmark = pytest.mark.django_db


def login(client, user: User) -> None:
    backend = "accounts.backends.LocalSuperadminBackend" if user.is_superuser else "accounts.backends.DirectoryBackend"
    client.force_login(user, backend=backend)


@pytest.fixture
def tree():
    """Departments A and B with a division each; communes X and Y; someone in each."""
    p = factories.province()
    a = factories.unit(p, "000.00.01.H45", "Sở Tài chính")
    a1 = factories.unit(a, "000.01.01.H45", "Phòng Ngân sách", kind="division")
    b = factories.unit(p, "000.00.02.H45", "Sở Y tế")
    b1 = factories.unit(b, "000.02.01.H45", "Phòng Nghiệp vụ Y", kind="division")
    x = factories.unit(p, "H45.XA.001", "UBND xã Gio Linh", kind="commune")
    y = factories.unit(p, "H45.XA.002", "UBND xã Cam Lộ", kind="commune")
    return {"p": p, "a": a, "a1": a1, "b": b, "b1": b1, "x": x, "y": y,
            "in_a": factories.person(a1, "Trần", "Thị", "Mai"),
            "in_b": factories.person(b1, "Lê", "Văn", "Bình"),
            "in_x": factories.person(x, "Hồ", "Thị", "Xuân"),
            "in_y": factories.person(y, "Võ", "Văn", "Yên"),
            "at_top": factories.person(p, "Đinh", "Văn", "Tỉnh")}


def officer(unit, given: str = "Lan", role: str = Role.HR_ADMIN) -> tuple[Person, User]:
    person = factories.person(unit, "Phạm", "Thị", given)
    role_grant(actor=None, person=person, role=role, unit=unit)
    return person, User.objects.create_user(username=person.uid)


# ------------------------------------------------------------------ a scope is a subtree, today's


def test_a_scope_on_a_unit_covers_units_added_below_it_later(client, tree):
    _hr, user = officer(tree["a"])
    login(client, user)
    new = factories.unit(tree["a1"], "000.01.09.H45", "Tổ Kiểm toán mới", kind="division",
                         effective=timezone.localdate())
    newcomer = factories.person(new, "Nguyễn", "Văn", "Mới")
    assert client.get(f"/people/{newcomer.pk}/").status_code == 200
    assert "Nguyễn Văn Mới" in client.get("/people/").content.decode()
    assert "Nguyễn Văn Mới" in client.get(f"/units/{new.code}/").content.decode()  # its staff are shown
    r = client.post(f"/units/{new.code}/mailboxes/", {"local_part": "totkt", "name": "Tổ Kiểm toán"})
    assert r.status_code == 302 and new.functional_mailboxes.filter(address__startswith="totkt@").exists()


def test_a_communes_officer_manages_only_that_commune(client, tree):
    _hr, user = officer(tree["x"])
    login(client, user)
    listed = client.get("/people/").content.decode()
    assert "Hồ Thị Xuân" in listed
    assert not any(n in listed for n in ("Võ Văn Yên", "Đinh Văn Tỉnh", "Trần Thị Mai"))
    assert client.get(f"/people/{tree['in_x'].pk}/edit/").status_code == 200
    for other in ("in_y", "at_top"):
        assert client.get(f"/people/{tree[other].pk}/").status_code == 404
        assert client.get(f"/people/{tree[other].pk}/suspend/").status_code == 404
    assert "Võ Văn Yên" not in client.get(f"/people/?unit={tree['y'].code}").content.decode()
    assert "Võ Văn Yên" not in client.get("/people/?export=csv").content.decode("utf-8-sig")


# ------------------------------------------------------------------ roles from directory groups


def in_group(name: str, *people: Person) -> None:
    gateway.group_put(GroupEntry(name=name, description="", member_uids=[p.uid for p in people]))


def directory_user(person: Person) -> User:
    return User.objects.create_user(username=person.uid)


def test_group_names_map_to_roles():
    assert role_groups(["idm-hr-000.00.01.H45", "idm-head-H45.XA.001", "idm-it-leads", "idm-it-000.00.02.H45",
                        "idm-hr-", "staff", "delegates-vanthu@x"]) == {
        Role.HR_ADMIN: {"000.00.01.H45"}, Role.UNIT_HEAD: {"H45.XA.001"}, Role.IT_LEAD: {"", "000.00.02.H45"}}


def test_an_hr_group_in_the_directory_makes_an_hr_officer_of_that_subtree(client, tree):
    someone = factories.person(tree["a"], "Phạm", "Văn", "Nhóm")
    user = directory_user(someone)
    login(client, user)
    assert client.get("/people/").status_code == 403  # nothing granted yet (AC-01)
    in_group(f"idm-hr-{tree['a'].code}", someone)
    listed = client.get("/people/").content.decode()
    assert "Trần Thị Mai" in listed and "Lê Văn Bình" not in listed
    assert client.get(f"/people/{tree['in_a'].pk}/").status_code == 200
    assert client.get(f"/people/{tree['in_b'].pk}/").status_code == 404
    assert not RoleAssignment.objects.filter(person=someone).exists()  # nothing copied into SQL


def test_leaving_the_group_denies_the_very_next_request(client, tree):
    """AC-04: no cache of groups beyond the request."""
    someone = factories.person(tree["a"], "Phạm", "Văn", "Nhóm")
    in_group(f"idm-hr-{tree['a'].code}", someone, tree["in_a"])
    login(client, directory_user(someone))
    assert client.get("/people/").status_code == 200
    gateway.group_remove_member(f"idm-hr-{tree['a'].code}", someone.uid)
    assert client.get("/people/").status_code == 403
    assert client.get(f"/people/{tree['in_a'].pk}/").status_code == 403


def test_the_province_it_group_and_unit_head_groups(client, tree):
    it = factories.person(tree["b"], "Hà", "Quang", "Bảo")
    head = factories.person(tree["a"], "Hoàng", "Văn", "Nam")
    in_group("idm-it-leads", it)
    in_group(f"idm-head-{tree['a'].code}", head)
    QuotaRequest.objects.create(person=tree["in_a"], requested_mb=4096, reason="x",
                                requested_by=directory_user(tree["in_a"]))
    login(client, directory_user(it))
    listed = client.get("/mailboxes/").content.decode()
    assert "Trần Thị Mai" in listed and "Lê Văn Bình" in listed  # the whole province
    assert client.get("/mailboxes/usage-import/").status_code == 200
    assert client.get("/people/").status_code == 403  # an IT lead is no HR officer
    login(client, directory_user(head))
    assert "Trần Thị Mai" in client.get("/quota-requests/").content.decode()


def test_a_group_naming_an_unknown_unit_grants_nothing(client, tree):
    someone = factories.person(tree["a"], "Phạm", "Văn", "Nhóm")
    in_group("idm-hr-NO.SUCH.UNIT", someone)
    login(client, directory_user(someone))
    assert client.get("/people/").status_code == 403


def test_when_the_directory_cannot_list_groups_their_roles_are_refused(client, tree, stack):
    """AC-05: fail closed; roles granted in idm still work."""
    someone = factories.person(tree["a"], "Phạm", "Văn", "Nhóm")
    in_group(f"idm-hr-{tree['a'].code}", someone)
    _hr, officer_user = officer(tree["b"])
    group_user = directory_user(someone)
    stack.pause()
    try:
        login(client, group_user)
        started = time.monotonic()
        assert client.get("/people/").status_code == 403
        assert time.monotonic() - started < 15  # the receive timeout, not a hang
        login(client, officer_user)
        assert client.get("/people/").status_code == 200
    finally:
        stack.resume()


def test_the_local_superadmin_needs_no_directory_and_groups_never_make_one(tree):
    admin = User.objects.create_superuser(username="admin", password="x" * 20, source=User.Source.LOCAL)
    assert role_units(admin, Role.HR_ADMIN) is None
    someone = factories.person(tree["a"], "Phạm", "Văn", "Nhóm")
    in_group("idm-superadmins", someone)
    in_group("idm-it-leads", someone)
    user = directory_user(someone)
    assert role_units(user, Role.HR_ADMIN) == [] and role_units(user, Role.IT_LEAD) == [tree["p"].path]


# ------------------------------------------------------------------ fields a role may not change (AC-03)


def person_form(person: Person, **changes) -> dict:
    data = {"employee_code": person.employee_code, "family_name": person.family_name,
            "middle_name": person.middle_name, "given_name": person.given_name, "name_order": person.name_order,
            "unit": person.unit_id, "position": person.position, "category": person.category,
            "personal_email": person.personal_email, "phone": person.phone, "citizen_id": "",
            "mailbox_decision": person.mailbox_decision}
    return data | changes


def test_an_hr_officer_cannot_move_a_person_into_another_subtree(client, tree):
    _hr, user = officer(tree["a"])
    login(client, user)
    mai = tree["in_a"]
    r = client.post(f"/people/{mai.pk}/edit/", person_form(mai, unit=tree["b1"].pk, position="Kế toán"))
    assert r.status_code == 400
    r = client.post(f"/people/{mai.pk}/transfer/", {"unit": tree["b1"].pk, "position": "Kế toán",
                                                    "effective_on": timezone.localdate().isoformat(), "reason": "x"})
    assert r.status_code == 400
    mai.refresh_from_db()
    assert mai.unit_id == tree["a1"].pk and mai.position == "Chuyên viên"
    # inside the subtree it works, and the employee code (shown, not editable) is never changed
    r = client.post(f"/people/{mai.pk}/edit/", person_form(mai, unit=tree["a"].pk, employee_code="HACK-1"))
    assert r.status_code == 302
    mai.refresh_from_db()
    assert mai.unit_id == tree["a"].pk and mai.employee_code != "HACK-1"


def test_an_hr_officer_cannot_add_a_person_to_another_subtree(client, tree):
    _hr, user = officer(tree["a"])
    login(client, user)
    before = Person.objects.count()
    r = client.post("/people/new/", {"employee_code": "QT-900", "family_name": "Lý", "given_name": "Thường",
                                     "unit": tree["b1"].pk, "category": "cong_chuc", "name_order": "family_first"})
    assert r.status_code == 400 and Person.objects.count() == before


def test_an_hr_officer_cannot_grant_roles_they_may_not_give_or_outside_their_subtree(client, tree):
    _hr, user = officer(tree["a"])
    login(client, user)
    for unit, role in ((tree["a1"], Role.IT_LEAD), (tree["b1"], Role.UNIT_HEAD)):
        r = client.post("/accounts/roles/grant/", {"person": tree["in_a"].pk, "role": role, "unit": unit.pk})
        assert r.status_code == 400
    r = client.post("/accounts/roles/grant/", {"person": tree["in_b"].pk, "role": Role.UNIT_HEAD,
                                               "unit": tree["a1"].pk})
    assert r.status_code == 400
    assert not RoleAssignment.objects.filter(person__in=[tree["in_a"], tree["in_b"]]).exists()


def test_a_quota_request_is_always_for_ones_own_mailbox(client, tree):
    mai = tree["in_a"]
    login(client, directory_user(mai))
    r = client.post("/me/quota/", {"requested_mb": 4096, "reason": "nhiều thư", "person": tree["in_b"].pk,
                                   "requested_by": 1, "status": "approved"})
    assert r.status_code == 302
    [req] = QuotaRequest.objects.all()
    assert req.person == mai and req.status == QuotaRequest.Status.PENDING


def test_an_officer_moved_to_another_unit_no_longer_sees_the_old_units_imports(client, tree):
    hr, user = officer(tree["a"])
    colleague, colleague_user = officer(tree["a"], given="Hạnh")
    batch = imports.import_create(actor=user, fileobj=io.BytesIO(b"x"), filename="ds.csv", scope=tree["a"])
    login(client, colleague_user)
    assert client.get(f"/imports/{batch.pk}/").status_code == 200  # a colleague's upload is theirs to finish
    role_revoke(actor=None, assignment=RoleAssignment.objects.get(person=hr))
    role_grant(actor=None, person=hr, role=Role.HR_ADMIN, unit=tree["b"])
    login(client, user)
    assert client.get(f"/imports/{batch.pk}/").status_code == 404
    assert "ds.csv" not in client.get("/imports/").content.decode()


def test_my_account_pages_ignore_fields_other_than_their_own(client, tree):
    """A person changes their personal email or phone, nothing else, whatever else the form carries."""
    mai = tree["in_a"]
    user = directory_user(mai)
    login(client, user)
    extra = {"unit": tree["b1"].pk, "uid": "root", "mail": "boss@quangtri.gov.vn", "is_superuser": "on",
             "is_staff": "on", "role": Role.HR_ADMIN, "status": "left", "quota_mb": 99999, "employee_code": "X"}
    r = client.post("/me/contact/", {"kind": "email", "value": "mai.moi@gmail.com", "current": factories.PASSWORD}
                    | extra)
    assert r.status_code == 302
    r = client.post("/me/password/", {"current": "wrong", "password": "x", "password2": "x"} | extra)
    assert r.status_code == 400
    before = (mai.unit_id, mai.uid, mai.mail, mai.status, mai.quota_mb, mai.employee_code, mai.personal_email)
    mai.refresh_from_db()
    user.refresh_from_db()
    assert (mai.unit_id, mai.uid, mai.mail, mai.status, mai.quota_mb, mai.employee_code, mai.personal_email) == before
    assert not (user.is_superuser or user.is_staff) and not RoleAssignment.objects.filter(person=mai).exists()


def test_a_certificate_request_is_for_oneself_with_the_directorys_names(client, tree):
    """AC-03 on Mẫu 01: the person, the unit, the name and the official email come from the record, whatever
    the form carries; the request waits for the unit head however it claims to be decided."""
    from provisioning.certificates.models import CertificateRequest, Stage

    mai = tree["in_a"]
    login(client, directory_user(mai))
    extra = {"person": tree["in_b"].pk, "unit": tree["b1"].pk, "full_name": "Giám đốc Sở", "org_name": "Sở Y tế",
             "email": "boss@quangtri.gov.vn", "kind": "organisation", "stage": "batched", "origin": "hr",
             "requested_by": 1}
    form = {"birth_date": "1990-05-17", "id_number": "038090001234", "id_issued_on": "2021-04-10",
            "id_issued_at": "Cục Cảnh sát QLHC", "device_type": "token", "delivery_address": "Số 1 Hùng Vương",
            "phone": "0912345678"}
    assert client.post("/me/certificate/", form | extra).status_code == 302
    [req] = CertificateRequest.objects.all()
    assert (req.person, req.unit, req.kind, req.stage) == (mai, tree["a1"], "personal", Stage.HEAD)
    assert req.form["full_name"] == mai.full_name and req.form["email"] == mai.mail and "org_name" not in req.form
