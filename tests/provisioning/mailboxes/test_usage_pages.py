"""IT leads read mailbox use within their scope; a person sees their own."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from accounts.models import Role, RoleAssignment
from provisioning.mailboxes.models import MailboxUsage
from provisioning.people.models import Person
from provisioning.people.services import person_transfer
from provisioning.units.models import Unit
from tests import factories

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    """An export is streamed (memory flat in the number of mailboxes)."""
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.fixture
def scene(client):
    p = factories.province()
    stc = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    syt = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    lead = factories.person(stc, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=lead, role=Role.IT_LEAD, unit=stc)
    fresh = factories.person(stc, "Nguyễn", "Tiến", "Hoàng")
    stale = factories.person(stc, "Trần", "Thị Minh", "Khai")
    never = factories.person(stc, "Đặng", "Văn", "Đức")
    outsider = factories.person(syt, "Võ", "Thị", "Sáu")
    today, now = timezone.localdate(), timezone.now()
    for person, login, size in ((fresh, now - dt.timedelta(days=2), 5_000_000),
                                (stale, now - dt.timedelta(days=45), 900),
                                (never, None, None), (outsider, now, 1)):
        MailboxUsage.objects.create(day=today, address=person.mail, person=person, last_login=login,
                                    bytes_used=size, messages=3 if size else None, source="dovecot")
    client.post("/accounts/login/", {"username": lead.uid, "password": factories.PASSWORD})
    return {"lead": lead}


def test_it_lead_sees_the_mailboxes_of_their_scope_only(client, scene, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        page = client.get("/mailboxes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "hoangnt@quangtri.gov.vn" in page and "sauvt@" not in page
    assert "4.8\xa0MB" in page or "4.8 MB" in page


@pytest.mark.parametrize("activity,expected", [
    ("never", {"ducdv"}), ("inactive30", {"khaittm", "ducdv"}), ("inactive90", {"ducdv"}),
    ("active30", {"hoangnt", "lanpt"}),
])
def test_activity_filters(client, scene, activity, expected):
    MailboxUsage.objects.create(day=timezone.localdate(), address=scene["lead"].mail, person=scene["lead"],
                                last_login=timezone.now(), source="dovecot")
    page = client.get("/mailboxes/", {"activity": activity}).content.decode()
    shown = {uid for uid in ("hoangnt", "khaittm", "ducdv", "lanpt") if f"{uid}@quangtri.gov.vn" in page}
    assert shown == expected


def test_sorting_by_storage_and_export(client, scene):
    page = client.get("/mailboxes/", {"sort": "storage"}).content.decode()
    assert page.index("hoangnt@") < page.index("khaittm@")
    r = client.get("/mailboxes/", {"export": "csv", "sort": "storage"})
    rows = _csv(r)
    assert rows[1][0] == "hoangnt@quangtri.gov.vn" and rows[1][5] == "5000000"
    assert not any("sauvt" in c for row in rows for c in row)


def test_staff_without_the_role_are_refused_and_see_their_own_use(client, scene):
    client.logout()
    client.post("/accounts/login/", {"username": "hoangnt", "password": factories.PASSWORD})
    assert client.get("/mailboxes/").status_code == 403
    page = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "hoangnt@quangtri.gov.vn" in page and "4.8" in page


def test_quota_and_share_used_are_shown_and_exported(client, scene):
    page = client.get("/mailboxes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1.0\xa0GB (0%)" in page or "1.0 GB (0%)" in page
    rows = _csv(client.get("/mailboxes/", {"export": "csv", "sort": "storage"}))
    assert rows[0][6] and rows[1][6] == str(1024 * 1024 * 1024)


def test_a_province_it_lead_loads_usage_from_another_mail_system(client, scene):
    from accounts.models import Role, RoleAssignment
    from provisioning.units.models import Unit

    RoleAssignment.objects.create(person=scene["lead"], role=Role.IT_LEAD, unit=Unit.objects.get(parent=None))
    body = ("Địa chỉ,Lần đăng nhập cuối,Dung lượng đã dùng\n"
            "hoangnt@quangtri.gov.vn,2026-01-05 08:30,1.5 MB\n"
            "nobody@quangtri.gov.vn,,10\n"
            "khaittm@quangtri.gov.vn,not a date,-5\n").encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post("/mailboxes/usage-import/", {"file": SimpleUploadedFile("usage.csv", body)},
                    HTTP_ACCEPT_LANGUAGE="en")
    page = r.content.decode()
    assert r.status_code == 200 and "nobody@quangtri.gov.vn" in page
    assert MailboxUsage.objects.get(address="hoangnt@quangtri.gov.vn", source="import").bytes_used == 1572864


def test_a_unit_it_lead_may_not_load_province_usage(client, scene):
    assert client.get("/mailboxes/usage-import/").status_code == 403


def test_the_mailbox_state_is_shown(client, scene):
    from provisioning.people.models import Person, PersonStatus
    from provisioning.people.services import person_set_status, person_update

    person_set_status(actor=None, person=Person.objects.get(uid="khaittm"), status=PersonStatus.SUSPENDED)
    person_update(actor=None, person=Person.objects.get(uid="ducdv"), mailbox_decision="withheld")
    rows = _csv(client.get("/mailboxes/", {"export": "csv"}))
    state = {row[0].split("@")[0]: row[4] for row in rows[1:]}
    assert state["hoangnt"] == "đang hoạt động" and state["khaittm"] == "đã khóa" and state["ducdv"] == "chưa cấp"


def test_after_a_transfer_to_another_domain_the_new_address_shows_its_usage(client, scene):
    hoang = Person.objects.get(uid="hoangnt")
    inspection = factories.unit(Unit.objects.get(code="000.00.03.H45"), "000.03.09.H45", "Phòng Thanh tra",
                                kind="division", mail_domain="thanhtra.quangtri.gov.vn")
    hoang = person_transfer(actor=None, person=hoang, unit=inspection)
    assert hoang.mail == "hoangnt@thanhtra.quangtri.gov.vn"
    # the day's snapshot: the old address had nothing to report, the new one holds the mailbox
    MailboxUsage.objects.filter(address="hoangnt@quangtri.gov.vn").update(bytes_used=None, last_login=None,
                                                                          messages=None)
    MailboxUsage.objects.create(day=timezone.localdate(), address=hoang.mail, person=hoang, bytes_used=7_340_032,
                                messages=12, last_login=timezone.now(), source="dovecot")
    page = client.get("/mailboxes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "7.0\xa0MB" in page or "7.0 MB" in page
    rows = _csv(client.get("/mailboxes/", {"export": "csv"}))
    assert [r[5] for r in rows if r[0] == hoang.mail] == ["7340032"]
    client.logout()
    client.post("/accounts/login/", {"username": "hoangnt", "password": factories.PASSWORD})
    assert "7.0" in client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_mailboxes_are_listed_in_vietnamese_name_order(client, scene):
    page = client.get("/mailboxes/").content.decode()
    # by given name: Đức, Hoàng, Khai, Lan (not by family name, nor Đặng after Trần)
    assert page.index("ducdv@") < page.index("hoangnt@") < page.index("khaittm@") < page.index("lanpt@")


def test_a_usage_upload_is_audited_with_the_it_lead(client, scene):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import Role, RoleAssignment
    from provisioning.audit.models import AuditEntry
    from provisioning.units.models import Unit

    RoleAssignment.objects.create(person=scene["lead"], role=Role.IT_LEAD, unit=Unit.objects.get(parent=None))
    body = "Địa chỉ,Dung lượng đã dùng\nhoangnt@quangtri.gov.vn,10\n".encode()
    assert client.post("/mailboxes/usage-import/", {"file": SimpleUploadedFile("usage.csv", body)}).status_code == 200
    entry = AuditEntry.objects.get(action="mailbox.usage_imported")
    assert entry.actor.username == scene["lead"].uid and entry.after["loaded"] == 1 and entry.after["source"] == "web"
