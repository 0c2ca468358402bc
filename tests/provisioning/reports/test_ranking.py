"""The ranking across the province (issue 11): every unit of one kind with staff ranked against the units of
that kind under the same province by the adoption score, competition ranking (1, 2, 2, 4), with the change
of rank since the period before, read from that period's snapshot; on the Ranking page, its CSV, the JSON
API and `adoption_report --ranking`, each listing only the units in the reader's scope."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from accounts.tokens.services import token_create
from provisioning.mailboxes.models import MailboxUsage
from provisioning.people.models import PersonPeriod
from provisioning.reports.selectors import province_ranking
from provisioning.reports.services import snapshot_build
from provisioning.units.models import Unit, UnitVersion
from tests import factories

pytestmark = pytest.mark.django_db

PERIOD = 30  # IDM_REGULAR_USE_DAYS: the previous period's ranking is the one of 30 days earlier


def _ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@pytest.fixture
def province(slapd_config):
    """Three departments of two people and an empty one, a division of one person under A.
    Everyone has a mailbox, no one a certificate (weights 0.4 mailbox, 0.4 regular, 0.2 certificate).
    Today: A (with its division) all regular users (score 80), B and C one of two (60, a tie), D no staff.
    30 days ago: B both (80), C one (60), A one of three (53.3)."""
    today, long_ago = timezone.localdate(), timezone.localdate() - dt.timedelta(days=400)
    p = factories.province()
    a, b, c, d = (factories.unit(p, f"000.00.0{i}.H45", name) for i, name in
                  enumerate(("Sở A", "Sở B", "Sở C", "Sở D"), start=1))
    x = factories.unit(a, "000.01.01.H45", "Phòng X", kind="division")
    given = {"1": "An", "2": "Bình"}
    people = {f"{u}{i}": factories.person(unit, "Trần", f"Văn {u.upper()}", given[i]) for u, unit in
              (("a", a), ("b", b), ("c", c)) for i in ("1", "2")}
    people["x1"] = factories.person(x, "Lê", "Thị", "Xuân")
    UnitVersion.objects.update(valid_from=long_ago)
    Unit.objects.update(valid_from=long_ago)
    PersonPeriod.objects.update(valid_from=long_ago)
    then = today - dt.timedelta(days=PERIOD)
    for who, person in people.items():
        MailboxUsage.objects.create(day=today, address=person.mail, person=person, source="dovecot",
                                    last_login=_ago(2) if who in ("a1", "a2", "x1", "b1", "c1") else None)
        MailboxUsage.objects.create(day=then, address=person.mail, person=person, source="dovecot",
                                    last_login=_ago(PERIOD + 1) if who in ("a1", "b1", "b2", "c1") else None)
    snapshot_build(then)
    return {"p": p, "a": a, "b": b, "c": c, "d": d, "x": x, **people}


def _ranks(found):
    return {f.unit.code: (f.province_rank, f.ranked, f.province_rank_change, f.score) for f in found}


def test_departments_are_ranked_across_the_province_with_ties_and_the_change_since_the_last_period(province):
    found = province_ranking(timezone.localdate(), "department")
    assert _ranks(found) == {"000.00.01.H45": (1, 3, 2, 80.0), "000.00.02.H45": (2, 3, -1, 60.0),
                             "000.00.03.H45": (2, 3, 0, 60.0)}  # D has no staff: not ranked
    assert [f.unit.code for f in found] == ["000.00.01.H45", "000.00.02.H45", "000.00.03.H45"]
    assert {f.province for f in found} == {province["p"].code}
    # divisions are ranked among divisions only
    assert _ranks(province_ranking(timezone.localdate(), "division")) == {"000.01.01.H45": (1, 1, 0, 80.0)}


def test_the_ranking_read_from_todays_snapshot_matches_the_live_one(province):
    live = _ranks(province_ranking(timezone.localdate(), "department"))
    snapshot_build(timezone.localdate())
    assert _ranks(province_ranking(timezone.localdate(), "department")) == live


def test_the_past_ranking_has_no_change_without_an_earlier_snapshot(province):
    then = timezone.localdate() - dt.timedelta(days=PERIOD)
    assert _ranks(province_ranking(then, "department")) == {
        "000.00.02.H45": (1, 3, None, 80.0), "000.00.03.H45": (2, 3, None, 60.0), "000.00.01.H45": (3, 3, None, 53.3)}


def _login(client, person, role, unit):
    RoleAssignment.objects.create(person=person, role=role, unit=unit)
    client.force_login(User.objects.create_user(username=person.uid), backend="accounts.backends.DirectoryBackend")


def test_an_it_lead_sees_their_units_rank_among_the_whole_province_as_totals_only(client, province):
    lead = factories.person(province["b"], "Đỗ", "Minh", "Tuấn")  # B now 3 staff, 1 regular: 46.6, last
    _login(client, lead, Role.IT_LEAD, province["b"])
    page = client.get("/reports/ranking/", {"kind": "department"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sở B" in page and "3 of 3" in page and "▼2" in page
    assert "Sở A" not in page and "Sở C" not in page  # other departments' figures stay theirs
    assert province["b1"].mail not in page  # aggregates, never a person's row
    export = client.get("/reports/ranking/", {"kind": "department", "format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Rank in the province,Rank change,Units ranked,Province,Unit code,Unit")
    assert len(lines) == 2 and lines[1].startswith(f"3,-2,3,{province['p'].code},000.00.02.H45,Sở B")


def test_the_superadmin_reads_the_ranking_of_every_unit_and_exports_it(client, province):
    admin = User.objects.create_superuser("superadmin", password="a local password here", source=User.Source.LOCAL)
    client.force_login(admin, backend="accounts.backends.LocalSuperadminBackend")
    page = client.get("/reports/ranking/", {"kind": "department"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count(" of 3") == 3 and "▲2" in page and "Sở D" not in page
    xlsx = client.get("/reports/ranking/", {"kind": "division", "format": "xlsx"})
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    assert client.get("/reports/ranking/", {"kind": "nonsense"}).status_code == 200  # falls back to departments


def test_a_person_without_a_report_role_may_not_read_the_ranking(client, province):
    _login(client, factories.person(province["c"], "Vũ", "Văn", "Nam"), Role.UNIT_HEAD, province["c"])
    assert client.get("/reports/ranking/").status_code == 403


def test_the_json_api_and_the_command_give_the_same_ranking(client, province):
    admin = User.objects.create_superuser("superadmin", password="a local password here", source=User.Source.LOCAL)
    token = token_create(actor=admin, name="dashboard")[1]
    r = client.get("/api/v1/reports/ranking/", {"kind": "department"}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["count"] == 3
    api = [(u["code"], u["province_rank"], u["province_rank_change"], u["ranked"]) for u in r.json()["results"]]
    assert api == [("000.00.01.H45", 1, 2, 3), ("000.00.02.H45", 2, -1, 3), ("000.00.03.H45", 2, 0, 3)]
    bad = client.get("/api/v1/reports/ranking/", {"kind": "planet"}, headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code == 400 and "kind" in bad.json()
    out = io.StringIO()
    call_command("adoption_report", "--ranking", stdout=out)
    printed = json.loads(out.getvalue())
    assert [(u["code"], u["province_rank"], u["province_rank_change"], u["ranked"]) for u in printed["units"]] == api
    out = io.StringIO()
    call_command("adoption_report", "--ranking", "division", "--format", "csv", stdout=out)
    assert out.getvalue().splitlines()[1].startswith(f"1,0,1,{province['p'].code},000.01.01.H45,Phòng X")


def test_the_report_tables_show_each_childs_rank_figures_and_link_in_the_readers_language(client, province):
    admin = User.objects.create_superuser("superadmin", password="a local password here", source=User.Source.LOCAL)
    client.force_login(admin, backend="accounts.backends.LocalSuperadminBackend")
    page = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    day = timezone.localdate().isoformat()
    assert (f'<tr><td>1 <small>(▲2)</small></td><td><a href="/reports/units/000.00.01.H45/?as_of={day}">Sở A</a></td>'
            '<td class="num">3</td><td class="num">3 (100,0%)</td><td class="num">3 (100,0%)</td>'
            '<td class="num">0 (0,0%)</td><td>không</td><td class="num">0</td><td class="num">80,0</td></tr>') in page
    assert '<tr><td>—</td><td><a href="/reports/units/000.00.04.H45/' in page  # D: no staff, no rank, no score
    assert '<td class="num">— (—)</td>' not in page and '<td class="num">0 (—)</td>' in page
    assert '<tr><td>Sở C</td><td class="num">2</td><td class="num">1</td><td class="num">1</td>' in page
    assert page.count('class="per-person">từng hộp thư</a>') >= 4  # the superadmin may open every unit's mailboxes
