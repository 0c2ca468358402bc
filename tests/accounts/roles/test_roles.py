"""Granting and revoking roles: an audited service and a page, for the superadmin and HR officers
inside their own subtrees."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import Role, RoleAssignment, User
from accounts.roles.services import role_grant, role_revoke
from provisioning.audit.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def login(client, user: User) -> None:
    backend = "accounts.backends.LocalSuperadminBackend" if user.is_superuser else "accounts.backends.DirectoryBackend"
    client.force_login(user, backend=backend)


@pytest.fixture
def cast():
    """An HR officer of Sở Tài chính, a colleague in its division, an outsider in Sở Y tế, the superadmin."""
    p = factories.province()
    stc = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    ns = factories.unit(stc, "000.03.01.H45", "Phòng Ngân sách", kind="division")
    syt = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    hr = factories.person(stc, "Phạm", "Thị", "Lan", password=None)
    colleague = factories.person(ns, "Nguyễn", "Tiến", "Hoàng", password=None)
    outsider = factories.person(syt, "Đặng", "Văn", "Đức", password=None)
    role_grant(actor=None, person=hr, role=Role.HR_ADMIN, unit=stc)
    return {"p": p, "stc": stc, "ns": ns, "syt": syt, "hr": hr, "colleague": colleague, "outsider": outsider,
            "hr_user": User.objects.create_user(username=hr.uid),
            "outsider_user": User.objects.create_user(username=outsider.uid),
            "admin": User.objects.create_superuser(username="admin", password="x" * 20, source=User.Source.LOCAL)}


def test_granting_and_revoking_write_audit_entries(cast):
    a = role_grant(actor=cast["hr_user"], person=cast["colleague"], role=Role.UNIT_HEAD, unit=cast["ns"],
                   reason="Quyết định 12/QĐ-STC")
    granted = AuditEntry.objects.get(action="role.granted", target_id=str(a.pk))
    assert granted.actor == cast["hr_user"]
    assert granted.after == {"person": "hoangnt", "role": "unit_head", "unit": "000.03.01.H45",
                             "reason": "Quyết định 12/QĐ-STC"}

    pk = a.pk
    role_revoke(actor=cast["hr_user"], assignment=a, reason="chuyển công tác")
    revoked = AuditEntry.objects.get(action="role.revoked", target_id=str(pk))
    assert revoked.actor == cast["hr_user"] and revoked.before["reason"] == "chuyển công tác"
    assert not RoleAssignment.objects.filter(pk=pk).exists()


def test_the_system_grant_is_audited_too(cast):
    entry = AuditEntry.objects.get(action="role.granted")
    assert entry.actor is None and entry.actor_label == "system" and entry.after["person"] == cast["hr"].uid


def test_hr_officer_cannot_grant_outside_their_subtree(cast):
    hr = cast["hr_user"]
    with pytest.raises(ValidationError) as info:
        role_grant(actor=hr, person=cast["colleague"], role=Role.UNIT_HEAD, unit=cast["syt"])
    assert info.value.code == "unit_outside"
    with pytest.raises(ValidationError) as info:
        role_grant(actor=hr, person=cast["outsider"], role=Role.UNIT_HEAD, unit=cast["stc"])
    assert info.value.code == "person_outside"
    with pytest.raises(ValidationError):  # not even over the province above their department
        role_grant(actor=hr, person=cast["colleague"], role=Role.HR_ADMIN, unit=cast["p"])
    assert RoleAssignment.objects.count() == 1 and AuditEntry.objects.filter(action="role.granted").count() == 1


def test_hr_officer_cannot_grant_to_themselves_or_revoke_their_own_role(cast):
    with pytest.raises(ValidationError) as info:
        role_grant(actor=cast["hr_user"], person=cast["hr"], role=Role.UNIT_HEAD, unit=cast["ns"])
    assert info.value.code == "own_role"
    own = RoleAssignment.objects.get(person=cast["hr"])
    with pytest.raises(ValidationError):
        role_revoke(actor=cast["hr_user"], assignment=own)
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_only_the_superadmin_grants_the_it_lead_role(cast):
    with pytest.raises(ValidationError) as info:
        role_grant(actor=cast["hr_user"], person=cast["colleague"], role=Role.IT_LEAD, unit=cast["ns"])
    assert info.value.code == "role_not_allowed"
    role_grant(actor=cast["admin"], person=cast["outsider"], role=Role.IT_LEAD, unit=cast["p"])


def test_staff_without_a_role_cannot_grant_anything(cast):
    with pytest.raises(ValidationError):
        role_grant(actor=cast["outsider_user"], person=cast["outsider"], role=Role.HR_ADMIN, unit=cast["syt"])


def test_a_role_is_held_once_and_only_by_an_active_person(cast):
    role_grant(actor=cast["admin"], person=cast["colleague"], role=Role.UNIT_HEAD, unit=cast["ns"])
    with pytest.raises(ValidationError) as info:
        role_grant(actor=cast["admin"], person=cast["colleague"], role=Role.UNIT_HEAD, unit=cast["ns"])
    assert info.value.code == "duplicate"
    staged = factories.person(cast["ns"], "Lê", "Văn", "Bình", password=None, status="staged")
    with pytest.raises(ValidationError) as info:
        role_grant(actor=cast["admin"], person=staged, role=Role.UNIT_HEAD, unit=cast["ns"])
    assert info.value.code == "person_inactive"


def test_refusals_are_in_the_users_language(cast):
    with translation.override("vi"), pytest.raises(ValidationError) as info:
        role_grant(actor=cast["hr_user"], person=cast["colleague"], role=Role.UNIT_HEAD, unit=cast["syt"])
    assert "Sở Y tế nằm ngoài các đơn vị bạn quản lý" in info.value.messages[0]


# ---------------------------------------------------------------- the page

def test_an_outsider_gets_403_on_the_page_and_404_on_an_assignment(client, cast):
    login(client, cast["outsider_user"])
    assert client.get("/accounts/roles/").status_code == 403
    assert client.post("/accounts/roles/grant/", {"person": cast["outsider"].pk, "role": Role.HR_ADMIN,
                                                  "unit": cast["syt"].pk}).status_code == 403
    hr_role = RoleAssignment.objects.get(person=cast["hr"])
    assert client.get(f"/accounts/roles/{hr_role.pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/roles/{hr_role.pk}/revoke/").status_code == 404
    assert RoleAssignment.objects.filter(pk=hr_role.pk).exists()
    assert "/accounts/roles/" not in client.get("/me/").content.decode()


def test_hr_officer_cannot_reach_an_assignment_outside_their_units(client, cast):
    other = role_grant(actor=None, person=cast["outsider"], role=Role.UNIT_HEAD, unit=cast["syt"])
    login(client, cast["hr_user"])
    assert client.get(f"/accounts/roles/{other.pk}/revoke/").status_code == 404
    page = client.get("/accounts/roles/").content.decode()
    assert "Đặng Văn Đức" not in page


def test_the_page_lists_roles_with_a_bounded_number_of_queries(client, cast, django_assert_max_num_queries):
    for given in ("An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Khoa", "Long", "Minh", "Nam", "Phúc", "Quân"):
        person = factories.person(cast["ns"], "Trần", "Văn", given, password=None)
        role_grant(actor=None, person=person, role=Role.UNIT_HEAD, unit=cast["ns"])
    login(client, cast["hr_user"])
    with django_assert_max_num_queries(10):
        r = client.get("/accounts/roles/", HTTP_ACCEPT_LANGUAGE="en")
    page = r.content.decode()
    assert r.status_code == 200 and "Trần Văn Quân" in page and "Phạm Thị Lan" in page
    assert 'href="/accounts/roles/"' in page  # the menu leads here
    found = client.get("/accounts/roles/", {"q": "tran van minh"}).content.decode()
    assert ">Trần Văn Minh</td>" in found and ">Trần Văn Nam</td>" not in found


def test_granting_through_the_page(client, cast):
    login(client, cast["hr_user"])
    page = client.get("/accounts/roles/", {"who": "hoang"}).content.decode()
    assert "Nguyễn Tiến Hoàng (hoangnt)" in page and "Phạm Thị Lan (" not in page
    r = client.post("/accounts/roles/grant/?who=hoang", {"person": cast["colleague"].pk, "role": Role.UNIT_HEAD,
                                                         "unit": cast["ns"].pk, "reason": "QĐ 7"})
    assert r.status_code == 302
    assert RoleAssignment.objects.filter(person=cast["colleague"], role=Role.UNIT_HEAD, unit=cast["ns"]).exists()


def test_a_refused_grant_shows_why_in_vietnamese(client, cast):
    login(client, cast["hr_user"])
    r = client.post("/accounts/roles/grant/", {"person": cast["hr"].pk, "role": Role.UNIT_HEAD,
                                               "unit": cast["ns"].pk}, HTTP_ACCEPT_LANGUAGE="vi")
    assert r.status_code == 400
    assert "Bạn không thể tự cấp" in r.content.decode()
    r = client.post("/accounts/roles/grant/", {"person": cast["colleague"].pk, "role": Role.UNIT_HEAD,
                                               "unit": cast["syt"].pk})
    assert r.status_code == 400  # Sở Y tế is not even offered
    assert RoleAssignment.objects.count() == 1


def test_revoking_through_the_page_asks_for_confirmation(client, cast):
    a = role_grant(actor=None, person=cast["colleague"], role=Role.UNIT_HEAD, unit=cast["ns"])
    login(client, cast["hr_user"])
    r = client.get(f"/accounts/roles/{a.pk}/revoke/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "will no longer be" in r.content.decode()
    assert RoleAssignment.objects.filter(pk=a.pk).exists()
    assert client.post(f"/accounts/roles/{a.pk}/revoke/", {"reason": "nghỉ hưu"}).status_code == 302
    assert not RoleAssignment.objects.filter(pk=a.pk).exists()
    assert AuditEntry.objects.get(action="role.revoked").before["reason"] == "nghỉ hưu"


def test_the_superadmin_sees_every_role_and_may_revoke_it(client, cast):
    it = role_grant(actor=None, person=cast["outsider"], role=Role.IT_LEAD, unit=cast["p"])
    login(client, cast["admin"])
    page = client.get("/accounts/roles/").content.decode()
    assert "Đặng Văn Đức" in page and f"/accounts/roles/{it.pk}/revoke/" in page
