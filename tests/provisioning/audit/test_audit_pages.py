"""The audit trail page: the superadmin and the province's IT leads read everything, an HR officer or a
unit's IT lead only what is about the people and units of their subtrees; filters by person, unit, actor,
action and days; CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.utils import timezone

from accounts.models import Role, User
from accounts.roles.services import role_grant
from provisioning.audit.models import AuditEntry
from provisioning.people.services import person_set_status, person_update
from tests import factories

pytestmark = pytest.mark.django_db
AUDIT = "/audit/"


@pytest.fixture
def cast():
    """Sở Tài chính (A) with a division, Sở Y tế (B); an HR officer of each; the province's IT lead; staff in both."""
    p = factories.province()
    stc = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    ns = factories.unit(stc, "000.03.01.H45", "Phòng Ngân sách", kind="division")
    syt = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    hr_a = factories.person(stc, "Phạm", "Thị", "Lan")
    hr_b = factories.person(syt, "Đặng", "Văn", "Đức")
    it = factories.person(p, "Trần", "Văn", "Minh")
    role_grant(actor=None, person=hr_a, role=Role.HR_ADMIN, unit=stc)
    role_grant(actor=None, person=hr_b, role=Role.HR_ADMIN, unit=syt)
    role_grant(actor=None, person=it, role=Role.IT_LEAD, unit=p)
    hoang = factories.person(ns, "Nguyễn", "Tiến", "Hoàng", password=None)
    binh = factories.person(syt, "Lê", "Thanh", "Bình", password=None)
    person_update(actor=None, person=hoang, position="Trưởng phòng")
    person_update(actor=None, person=binh, position="Bác sĩ")
    return {"stc": stc, "ns": ns, "syt": syt, "hr_a": hr_a, "hr_b": hr_b, "it": it, "hoang": hoang, "binh": binh}


def login(client, person):
    assert client.post("/accounts/login/", {"username": person.uid, "password": factories.PASSWORD}).status_code == 302


def page(client, **params) -> str:
    """The page's entries (the table, or the empty-list message), not its filter form."""
    r = client.get(AUDIT, params, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200, r.status_code
    html = r.content.decode().split('class="filters"', 1)[1]
    return html[html.index("</form>"):]


def test_staff_without_a_role_cannot_open_the_trail(client, cast):
    staff = factories.person(cast["ns"], "Võ", "Thị", "Sáu")
    login(client, staff)
    assert client.get(AUDIT).status_code == 403
    client.logout()
    assert client.get(AUDIT).status_code == 302  # to the login page


def test_hr_officer_of_unit_a_never_sees_entries_about_unit_b_people(client, cast,
                                                                     django_assert_max_num_queries):
    login(client, cast["hr_a"])
    with django_assert_max_num_queries(12):
        html = page(client)
    assert "Nguyễn Tiến Hoàng" in html and "Lê Thanh Bình" not in html and "Sở Y tế" not in html
    # nor by asking for them: by person, by unit, or in an export
    assert "Lê Thanh Bình" not in page(client, person="Bình")
    assert "Lê Thanh Bình" not in page(client, unit=cast["syt"].code)
    export = client.get(AUDIT, {"export": "csv"}).getvalue().decode("utf-8-sig")
    assert cast["hoang"].uid in export and cast["binh"].uid not in export


def test_superadmin_and_it_lead_see_everything(client, cast):
    User.objects.create_superuser("root", password="a long local password here", source=User.Source.LOCAL)
    assert client.post("/accounts/login/", {"username": "root", "password": "a long local password here"}) \
        .status_code == 302
    html = page(client)
    assert "Nguyễn Tiến Hoàng" in html and "Lê Thanh Bình" in html
    client.logout()
    login(client, cast["it"])
    html = page(client)
    assert "Nguyễn Tiến Hoàng" in html and "Lê Thanh Bình" in html


def test_an_it_lead_of_one_department_reads_only_its_entries(client, cast):
    """The trail holds personal data (contact details before and after a change): an IT lead of Sở Y tế
    reads Sở Y tế's entries, not Sở Tài chính's, in the page, the unit filter and the export."""
    it_b = factories.person(cast["syt"], "Hà", "Quang", "Bảo")
    role_grant(actor=None, person=it_b, role=Role.IT_LEAD, unit=cast["syt"])
    login(client, it_b)
    html = page(client)
    assert "Lê Thanh Bình" in html and "Nguyễn Tiến Hoàng" not in html
    assert "Nguyễn Tiến Hoàng" not in page(client, person="Hoàng")
    assert "Nguyễn Tiến Hoàng" not in page(client, unit=cast["stc"].code)
    export = client.get(AUDIT, {"export": "csv"}).getvalue().decode("utf-8-sig")
    assert cast["binh"].uid in export and cast["hoang"].uid not in export


def test_filters_by_person_unit_actor_action_and_days(client, cast):
    login(client, cast["hr_a"])
    hr_a = User.objects.get(username=cast["hr_a"].uid)
    person_set_status(actor=hr_a, person=cast["hoang"], status="suspended", reason="Kiểm điểm")
    factories.person(cast["stc"], "Hồ", "Văn", "Cường", password=None)

    html = page(client, person="hoangnt")
    assert "Nguyễn Tiến Hoàng" in html and "Hồ Văn Cường" not in html
    html = page(client, unit=cast["ns"].code)  # the division's subtree: Hoàng, not Cường
    assert "Nguyễn Tiến Hoàng" in html and "Hồ Văn Cường" not in html
    html = page(client, actor=hr_a.username)
    assert "suspended" in html and "reason: Kiểm điểm" in html and "added" not in html
    html = page(client, action="person.onboarded")
    assert "Hồ Văn Cường" in html and "suspended" not in html
    today = timezone.localdate()
    assert "Nguyễn Tiến Hoàng" in page(client, date_from=today.isoformat(), date_to=today.isoformat())
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert "No entry matches" in page(client, date_from=tomorrow)
    r = client.get(AUDIT, {"date_from": tomorrow, "date_to": today.isoformat()}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and "first day is after the last day" in r.content.decode()


def test_days_are_the_provinces_local_days(client, cast):
    login(client, cast["hr_a"])
    # 23:30 in Hà Nội is 16:30 UTC the same day; 00:30 is the evening before in UTC
    at = dt.datetime(2026, 3, 10, 0, 30, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(at, tick=False):
        person_update(actor=None, person=cast["hoang"], position="Phó phòng")
    html = page(client, date_from="2026-03-10", date_to="2026-03-10", person="hoangnt")
    assert "position: Trưởng phòng → Phó phòng" in html
    assert "No entry matches" in page(client, date_from="2026-03-09", date_to="2026-03-09")


def test_export_as_csv_and_xlsx_with_the_filters(client, cast):
    login(client, cast["hr_a"])
    r = client.get(AUDIT, {"export": "csv", "person": "hoangnt"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv") and r.streaming
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:5] == ["When", "No.", "Changed by", "Action code", "Action"]
    actions = [row[3] for row in rows[1:]]
    assert actions == ["person.updated", "person.onboarded"]  # newest first
    assert all(row[7] == "Nguyễn Tiến Hoàng (hoangnt)" and row[8] == cast["ns"].code for row in rows[1:])
    seqs = {e.seq: e.hash for e in AuditEntry.objects.filter(target_label__contains="hoangnt")}
    assert all(row[-1] == seqs[int(row[1])] for row in rows[1:])

    r = client.get(AUDIT, {"export": "xlsx", "person": "hoangnt"}, HTTP_ACCEPT_LANGUAGE="en")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][3] == "Action code" and [v[3] for v in values[1:]] == actions


def test_sign_ins_sign_outs_and_refusals_are_audited_without_the_password(client, cast):
    login(client, cast["hr_a"])
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": cast["hr_a"].uid, "password": "not the password at all"})
    client.post("/accounts/login/", {"username": factories.PASSWORD, "password": "x"})  # typed in the wrong box
    entries = list(AuditEntry.objects.filter(action__startswith="auth.").order_by("seq"))
    assert [e.action for e in entries] == ["auth.login", "auth.logout", "auth.login_failed",
                                           "auth.login_failed"]
    assert all(e.source_ip == "127.0.0.1" for e in entries)
    assert cast["hr_a"].uid in entries[2].target_label and entries[2].unit_id == cast["stc"].pk
    assert entries[3].target_label == "-" and entries[3].unit_id is None
    assert not AuditEntry.objects.filter(target_label__contains=factories.PASSWORD).exists()
    login(client, cast["hr_a"])
    html = page(client, action="auth.login_failed")
    assert "login failed" in html and "127.0.0.1" in html
