"""HR officers work on the people of their own units, and nobody else's."""

from __future__ import annotations

import importlib
import io

import openpyxl
import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.utils import timezone

from accounts.models import Role, RoleAssignment
from directory import gateway
from provisioning.audit.models import AuditEntry
from provisioning.outbox.services import directory_changes_drain
from provisioning.people.models import Person, PersonStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(client):
    """An HR officer of Sở Tài chính, a colleague there, an outsider in Sở Y tế."""
    p = factories.province()
    stc = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    ns = factories.unit(stc, "000.03.01.H45", "Phòng Ngân sách", kind="division")
    syt = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    hr = factories.person(stc, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=stc)
    colleague = factories.person(ns, "Nguyễn", "Tiến", "Hoàng", password=None, status=PersonStatus.STAGED,
                                 personal_email="hoang.nguyen@gmail.com")
    outsider = factories.person(syt, "Đặng", "Văn", "Đức", password=None)
    assert client.post("/accounts/login/", {"username": hr.uid, "password": factories.PASSWORD}).status_code == 302
    return {"hr": hr, "colleague": colleague, "outsider": outsider, "stc": stc, "ns": ns, "syt": syt}


def test_staff_without_a_role_cannot_open_hr_pages(client):
    unit = factories.unit(factories.province(), "000.00.03.H45", "Sở Tài chính")
    factories.person(unit)
    client.post("/accounts/login/", {"username": "hoangnt", "password": factories.PASSWORD})
    for url in ("/people/", "/people/new/", "/imports/"):
        assert client.get(url).status_code == 403


def test_hr_officer_sees_only_their_units(client, cast, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        page = client.get("/people/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nguyễn Tiến Hoàng" in page and "Phạm Thị Lan" in page and "Đặng Văn Đức" not in page
    assert client.get(f"/people/{cast['outsider'].pk}/").status_code == 404
    assert client.post(f"/people/{cast['outsider'].pk}/action/", {"action": "suspend"}).status_code == 404
    assert Person.objects.get(pk=cast["outsider"].pk).status == PersonStatus.ACTIVE


def test_search_works_without_diacritics_and_filters_by_unit_and_status(client, cast):
    page = client.get("/people/", {"q": "nguyen tien hoang"}).content.decode()
    assert ">Nguyễn Tiến Hoàng</a>" in page and ">Phạm Thị Lan</a>" not in page
    page = client.get("/people/", {"unit": "000.03.01.H45"}).content.decode()
    assert ">Nguyễn Tiến Hoàng</a>" in page and ">Phạm Thị Lan</a>" not in page
    page = client.get("/people/", {"status": "active"}).content.decode()
    assert ">Nguyễn Tiến Hoàng</a>" not in page and ">Phạm Thị Lan</a>" in page
    page = client.get("/people/", {"unit": "000.00.05.H45"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nobody matches" in page


def test_exports_never_include_the_citizen_id_or_other_units(client, cast):
    from provisioning.people.services import person_update

    person_update(actor=None, person=cast["colleague"], citizen_id="001190000042", position="=cmd|' /C calc'!A0")
    r = client.get("/people/", {"export": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    cells = [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert not any("001190000042" in c for c in cells) and not any("Đức" in c for c in cells)
    assert any(c.startswith("'=cmd") for c in cells)
    csv_text = client.get("/people/", {"export": "csv"}).content.decode("utf-8-sig")
    assert "001190000042" not in csv_text and "hoangnt" in csv_text


def test_onboarding_one_person_from_the_form(client, cast):
    r = client.post("/people/new/", {"employee_code": "QT-777", "family_name": "Trần", "middle_name": "Thị Minh",
                                     "given_name": "Khai", "unit": cast["ns"].pk, "position": "Chuyên viên",
                                     "category": "cong_chuc", "personal_email": "khai@gmail.com",
                                     "phone": "0912 345 678", "citizen_id": ""})
    person = Person.objects.get(employee_code="QT-777")
    assert r.status_code == 302 and r["Location"] == f"/people/{person.pk}/"
    assert (person.uid, person.mail, person.phone) == ("khaittm", "khaittm@quangtri.gov.vn", "+84912345678")
    directory_changes_drain()
    assert gateway.person_get("khaittm").status == "staged"
    assert AuditEntry.objects.get(action="person.onboarded", target_id=str(person.pk)).actor_label == cast["hr"].uid


def test_a_person_with_a_one_word_name_is_onboarded_from_the_form(client, cast):
    r = client.post("/people/new/", {"employee_code": "qt-779", "family_name": "", "middle_name": "",
                                     "given_name": "Ksor", "unit": cast["ns"].pk, "position": "",
                                     "category": "cong_chuc", "personal_email": "", "phone": "", "citizen_id": ""})
    person = Person.objects.get(employee_code="QT-779")  # codes are stored upper case
    assert r.status_code == 302 and (person.full_name, person.uid) == ("Ksor", "ksor")
    directory_changes_drain()
    assert gateway.person_get("ksor").full_name == "Ksor"
    r = client.post("/people/new/", {"employee_code": "Qt-779", "family_name": "Ksor", "middle_name": "",
                                     "given_name": "Blông", "unit": cast["ns"].pk, "position": "",
                                     "category": "cong_chuc", "personal_email": "", "phone": "", "citizen_id": ""})
    assert r.status_code == 400 and "Mã cán bộ QT-779 đã thuộc về" in r.content.decode()  # the same code
    assert not Person.objects.filter(given_name="Blông").exists()


@pytest.mark.parametrize("field,value", [
    ("given_name", ""), ("given_name", "   "), ("family_name", "Lê\u202e"), ("personal_email", "a" * 250 + "@x.vn"),
    ("personal_email", "a@b.vn\r\nBcc: x@evil.test"),
    ("phone", "+1 202 555 0100"), ("citizen_id", "12345"), ("family_name", "Lê\u200b"),
    ("given_name", "*)(uid=*"), ("unit", "999999"),
])
def test_bad_form_input_is_explained_and_nothing_is_created(client, cast, field, value):
    data = {"employee_code": "QT-778", "family_name": "Trần", "middle_name": "", "given_name": "Khai",
            "unit": cast["ns"].pk, "position": "", "category": "cong_chuc", "personal_email": "", "phone": "",
            "citizen_id": ""} | {field: value}
    r = client.post("/people/new/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and 'class="field-error"' in r.content.decode()
    assert not Person.objects.filter(employee_code="QT-778").exists()


def test_an_hr_officer_cannot_onboard_into_another_unit(client, cast):
    r = client.post("/people/new/", {"employee_code": "QT-779", "family_name": "Trần", "given_name": "Khai",
                                     "unit": cast["syt"].pk, "category": "cong_chuc"})
    assert r.status_code == 400 and not Person.objects.filter(employee_code="QT-779").exists()


def test_lifecycle_buttons_reach_the_directory(client, cast):
    pk = cast["colleague"].pk
    today = timezone.localdate().isoformat()
    client.post(f"/people/{pk}/suspend/", {"effective_on": today, "reason": "Kiểm điểm"})
    client.post(f"/people/{pk}/transfer/", {"unit": cast["stc"].pk, "keep_position": "on", "effective_on": today})
    directory_changes_drain()
    entry = gateway.person_get("hoangnt")
    assert entry.status == "suspended" and entry.unit_code == "000.00.03.H45"
    r = client.post(f"/people/{pk}/transfer/", {"unit": cast["syt"].pk, "keep_position": "on", "effective_on": today})
    assert Person.objects.get(pk=pk).unit_id == cast["stc"].pk  # outside the officer's units: refused
    assert r.status_code == 400


def test_activation_letters_come_as_one_pdf(client, cast):
    r = client.post("/people/letters/", {"person": [cast["colleague"].pk, cast["outsider"].pk]})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(r.content)).pages
    assert len(pages) == 1  # the outsider (another unit, already active) is not included
    assert "hoangnt" in pages[0].extract_text()


def test_activation_by_email_goes_only_to_the_address_on_file(client, cast, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from idm.celery import app

    app.conf.task_always_eager = True
    try:
        client.post(f"/people/{cast['colleague'].pk}/action/", {"action": "activation_email",
                                                                 "personal_email": "attacker@evil.test"})
    finally:
        app.conf.task_always_eager = False
    assert [m.to for m in mail.outbox] == [["hoang.nguyen@gmail.com"]]
    assert "hoangnt" in mail.outbox[0].body and "/activate/" in mail.outbox[0].body


@pytest.fixture
def namesakes(client):
    """An HR officer of the whole province and people whose names hide inside others' names and
    inside the province's mail domain (every address ends in quangtri.gov.vn)."""
    p = factories.province()
    stc = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    hr = factories.person(stc, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=hr, role=Role.HR_ADMIN, unit=p)
    people = {
        "an": factories.person(stc, "Nguyễn", "Văn", "An", password=None),
        "toan": factories.person(stc, "Nguyễn", "Văn", "Toàn", password=None),
        "tri": factories.person(stc, "Lê", "Minh", "Trí", password=None),
        "anh": factories.person(stc, "Trần", "Thị", "Anh", password=None),
        "an2": factories.person(stc, "Ngô", "Vĩnh", "An", password=None),
    }
    assert people["an2"].uid == "annv2" and people["tri"].mail == "trilm@quangtri.gov.vn"
    assert client.post("/accounts/login/", {"username": hr.uid, "password": factories.PASSWORD}).status_code == 302
    return people


def _found(client, q: str) -> set[str]:
    page = client.get("/people/", {"q": q}).content.decode()
    return {p.full_name for p in Person.objects.all() if f">{p.full_name}</a>" in page}


def test_search_matches_the_start_of_words_never_inside_them_nor_the_mail_domain(client, namesakes):
    assert _found(client, "An") == {"Nguyễn Văn An", "Trần Thị Anh", "Ngô Vĩnh An"}  # not Toàn
    assert _found(client, "Trí") == {"Lê Minh Trí"}  # not everybody at quangtri.gov.vn
    assert _found(client, "tri") == {"Lê Minh Trí"}
    assert _found(client, "gov") == set()
    assert _found(client, "quangtri.gov.vn") == set()
    assert _found(client, "nguyen van an") == {"Nguyễn Văn An"}  # not Nguyễn Văn Toàn
    assert _found(client, "annv2") == {"Ngô Vĩnh An"}
    assert _found(client, "annv") == {"Nguyễn Văn An", "Ngô Vĩnh An"}
    assert _found(client, "annv2@quangtri.gov.vn") == {"Ngô Vĩnh An"}
    assert _found(client, namesakes["toan"].employee_code) == {"Nguyễn Văn Toàn"}


def test_the_people_list_is_in_vietnamese_order_and_sorts_by_any_column(client, namesakes,
                                                                        django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        page = client.get("/people/").content.decode()
    names = [p.full_name for p in Person.objects.all()]
    shown = sorted(names, key=lambda n: page.index(f">{n}</a>"))
    # by given name (An, Anh, Lan, Toàn, Trí), then family name (Ngô before Nguyễn: ô before u)
    assert shown == ["Ngô Vĩnh An", "Nguyễn Văn An", "Trần Thị Anh", "Phạm Thị Lan", "Nguyễn Văn Toàn", "Lê Minh Trí"]
    page = client.get("/people/", {"sort": "-name", "status": "active"}).content.decode()
    assert page.index(">Lê Minh Trí</a>") < page.index(">Ngô Vĩnh An</a>")
    assert 'href="?sort=name&amp;status=active"' in page  # the header link turns the order round, keeps filters
    page = client.get("/people/", {"sort": "uid"}).content.decode()
    assert page.index(">Nguyễn Văn An</a>") < page.index(">Ngô Vĩnh An</a>")  # annv < annv2
    assert client.get("/people/", {"sort": "bogus"}).status_code == 200
    csv_text = client.get("/people/", {"export": "csv"}).content.decode("utf-8-sig")
    assert csv_text.index("Ngô Vĩnh An") < csv_text.index("Trần Thị Anh") < csv_text.index("Lê Minh Trí")


@pytest.mark.parametrize("migration,field", [("0010_person_word_search", "search_text"),
                                             ("0011_person_sort_key", "sort_key")])
def test_the_migrations_recompute_every_existing_person_in_batches(namesakes, monkeypatch, migration, field):
    module = importlib.import_module(f"provisioning.migrations.{migration}")
    monkeypatch.setattr(module, "BATCH", 2)
    expected = dict(Person.objects.values_list("pk", field))
    Person.objects.update(**{field: ""})
    module.recompute(django_apps, None)
    assert dict(Person.objects.values_list("pk", field)) == expected
    assert Person.objects.get(uid="trilm").search_text == " le minh tri trilm e00004 "


@pytest.mark.parametrize("back", ["https://evil.example/phish", "//evil.example/", "http:evil.example",
                                  "/\\evil.example"])
def test_activation_letters_never_send_the_officer_to_another_site(client, cast, back):
    r = client.post("/people/letters/", {"person": [cast["outsider"].pk], "back": back})
    assert r.status_code == 302 and r["Location"] == "/people/"


def test_activation_letters_return_to_the_page_the_officer_came_from(client, cast):
    r = client.post("/people/letters/", {"person": [], "back": "/people/?status=staged"})
    assert r.status_code == 302 and r["Location"] == "/people/?status=staged"
