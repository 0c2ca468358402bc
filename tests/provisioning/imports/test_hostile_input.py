"""Issue 15, hostile input and load: what a spreadsheet can do to the import, and the bad data that used to
get in. Every story runs the real import against the session's slapd."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import translation

from directory import gateway
from provisioning.common import naming
from provisioning.imports import services as imports
from provisioning.imports.models import ImportBatch, ImportRow
from provisioning.people.models import Person
from provisioning.people.validation import render
from provisioning.reconcile.services import compare
from tests import factories
from tests.provisioning.imports.test_imports import VI_HEADERS, run, xlsx

pytestmark = pytest.mark.django_db
UNIT = "000.00.03.H45"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def tree():
    p = factories.province()
    return {"p": p, "stc": factories.unit(p, UNIT, "Sở Tài chính")}


def row(code: str, full_name: str = "", *, family: str = "", middle: str = "", given: str = "", email: str = "",
        unit: str = UNIT) -> list[str]:
    return [code, full_name, family, middle, given, unit, "Chuyên viên", email, "", ""]


def problems(batch: ImportBatch, code: str) -> dict[str, list[str]]:
    found = batch.rows.get(employee_code=code)
    return {name: [render(p) for p in items] for name, items in found.errors.items()}


def csv_file(rows: list[list[str]]) -> bytes:
    lines = [",".join(VI_HEADERS)] + [",".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# --- load -------------------------------------------------------------------------------------------------

def test_thousands_of_equal_names_are_numbered_in_linear_steps(tree, monkeypatch):
    steps = 0

    def counted(generator):
        def wrapper(*args, **kwargs):
            nonlocal steps
            for item in generator(*args, **kwargs):
                steps += 1
                yield item
        return wrapper

    # every way of walking the candidates hoangnt, hoangnt2, ... is counted
    monkeypatch.setattr(naming, "candidates", counted(naming.candidates))
    monkeypatch.setattr(naming, "numbered_candidates", counted(naming.numbered_candidates))
    n = 1500
    factories.person(tree["stc"], "Nguyễn", "Tiến", "Hoàng", code="OLD-1")  # hoangnt is taken already
    steps = 0
    preview = run(csv_file([row(f"QT-{i:05d}", "Nguyễn Tiến Hoàng") for i in range(n)]), name="a.csv", commit=False)
    assert preview.to_create == n
    proposed = list(preview.rows.values_list("proposed_uid", flat=True))
    assert len(set(proposed)) == n and "hoangnt" not in proposed and f"hoangnt{n + 1}" in proposed
    assert steps <= 2 * n  # was n²/2: 5k, 10k, 20k equal names took 5, 18 and 85 s
    steps = 0
    done = imports.import_commit(preview.pk)
    assert done.created == n and steps <= 2 * n
    assert set(Person.objects.exclude(employee_code="OLD-1").values_list("uid", flat=True)) == set(proposed)


def test_a_file_over_the_row_limit_is_refused_before_a_single_row_is_checked(tree, settings):
    settings.IDM_IMPORT_MAX_ROWS = 100
    t = time.perf_counter()
    batch = run(csv_file([row(f"QT-{i:05d}", "Nguyễn Tiến Hoàng") for i in range(20_000)]), name="a.csv")
    assert time.perf_counter() - t < 5
    assert batch.status == ImportBatch.Status.FAILED and "100 rows" in batch.file_error
    assert batch.processed == 0 and not batch.rows.exists()


def test_an_xlsx_refused_by_import_staff_is_one_line_on_stderr_and_no_traceback_in_the_log(tmp_path, caplog):
    caplog.set_level("DEBUG")
    bad = tmp_path / "hỏng.xlsx"
    bad.write_bytes(xlsx([row("QT-1", "Lê Văn Tám")])[:-200])  # cut short, as a failed download is
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as info:
        call_command("import_staff", str(bad), "--dry-run", stdout=out, stderr=err)
    assert info.value.code == 2
    assert len(err.getvalue().strip().splitlines()) == 1 and "Traceback" not in err.getvalue()
    assert all(r.exc_info is None and "Traceback" not in r.getMessage() for r in caplog.records)


def test_a_macro_workbook_is_refused_with_a_clear_message(tree):
    batch = run(xlsx([row("QT-1", "Lê Văn Tám")]), name="danh sách.xlsm")
    assert batch.status == ImportBatch.Status.FAILED and "macro" in batch.file_error


# --- bad data that used to get in ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Nguyeãn Tieán Hoaøng", "NguyÔn TiÕn Hoµng"])
def test_legacy_vni_and_tcvn3_text_is_refused_with_how_to_save_it(tree, name):
    batch = run(xlsx([row("QT-1", name), row("QT-2", "Nguyễn Tiến Hoàng")]))
    assert (batch.created, batch.rejected) == (1, 1)
    found = problems(batch, "QT-1")
    assert any("UTF-8" in m for messages in found.values() for m in messages), found
    assert not Person.objects.filter(employee_code="QT-1").exists()
    assert gateway.person_get("hoangnt") is not None


def test_full_width_names_and_codes_are_stored_in_ordinary_width(tree):
    batch = run(xlsx([row("ＱＴ－００１", "Ｎｇｕｙễｎ Ｔｉếｎ Ｈｏàｎｇ")]))
    assert batch.created == 1, batch.rows.get().errors
    person = Person.objects.get()
    assert (person.employee_code, person.family_name, person.given_name, person.uid) == (
        "QT-001", "Nguyễn", "Hoàng", "hoangnt")


@pytest.mark.parametrize("email,needle", [
    ('"a\\"@b"@evil.test', "quotation marks"),
    ("a" * 293 + "@evil.test", "254"),  # 305 characters
    ("an" + "." * 2 + "x@gmail.com", "not a valid"),
])
def test_quoted_and_overlong_personal_emails_are_refused(tree, email, needle):
    batch = run(xlsx([row("QT-1", "Lê Văn Tám", email=email)]), commit=False)
    assert batch.rejected == 1
    assert any(needle in m for m in problems(batch, "QT-1")["personal_email"])


def test_a_plain_personal_email_still_goes_in(tree):
    run(xlsx([row("QT-1", "Lê Văn Tám", email="Le.Van-Tam+hr@Gmail.COM")]))
    assert Person.objects.get().personal_email == "Le.Van-Tam+hr@gmail.com"


@pytest.mark.parametrize("ch", ["\u202e", "\u200b", "\u2066", "\u061c", "\u2060"])
def test_bidi_and_zero_width_characters_in_a_name_are_refused(tree, ch):
    batch = run(xlsx([row("QT-1", family="Lê", middle=f"Vă{ch}n", given="Tám")]), commit=False)
    assert batch.rejected == 1
    assert f"U+{ord(ch):04X}" in problems(batch, "QT-1")["middle_name"][0]


def test_a_one_word_name_is_onboarded_with_a_uid_and_a_directory_entry(tree):
    batch = run(xlsx([row("QT-1", "Ksor"), row("QT-2", given="H'Blong")]))
    assert batch.created == 2, [r.errors for r in batch.rows.all()]
    ksor = Person.objects.get(employee_code="QT-1")
    assert (ksor.family_name, ksor.middle_name, ksor.given_name, ksor.full_name) == ("", "", "Ksor", "Ksor")
    assert (ksor.uid, ksor.mail) == ("ksor", "ksor@quangtri.gov.vn")
    assert Person.objects.get(employee_code="QT-2").uid == "hblong"
    entry = gateway.person_get("ksor")
    assert entry is not None and (entry.family_name, entry.given_name, entry.full_name) == ("", "Ksor", "Ksor")
    assert compare().total == 0  # the directory's sn (it must have one) is not drift


def test_a_middle_name_without_a_family_name_is_explained(tree):
    batch = run(xlsx([row("QT-1", given="Tám", middle="Văn")]), commit=False)
    assert "one-word name" in problems(batch, "QT-1")["family_name"][0]


def test_employee_codes_are_one_whatever_their_case(tree):
    run(xlsx([row("nv001", "Lê Văn Tám")]))
    assert Person.objects.get().employee_code == "NV001"
    again = run(xlsx([["Nv001", "Lê Văn Tám", "", "", "", UNIT, "Trưởng phòng", "", "", ""]]))
    assert (again.created, again.updated) == (0, 1)
    assert Person.objects.get().position == "Trưởng phòng"
    twice = run(xlsx([row("NV002", "Lê Văn Tám"), row("nv002", "Lê Văn Tám")]), commit=False)
    assert "employee_code" in twice.rows.get(row_number=3).errors


def test_the_database_refuses_two_codes_differing_only_in_case(tree):
    factories.person(tree["stc"], code="NV001")
    other = factories.person(tree["stc"], given="An", code="NV002")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=other.pk).update(employee_code="nv001")


def test_the_migration_upper_cases_the_codes_already_stored(tree):
    from importlib import import_module

    from django.apps import apps

    person = factories.person(tree["stc"], code="NV001")
    Person.objects.filter(pk=person.pk).update(employee_code="nv001")  # as stored before codes were normalised
    migration = import_module("provisioning.migrations.0020_person_one_word_names_and_visible_unit_names")
    migration.upper_case_employee_codes(apps, None)
    person.refresh_from_db()
    assert person.employee_code == "NV001"


def test_rows_of_every_kind_keep_their_cells_for_the_report(tree):
    batch = run(xlsx([row("QT-1", "Nguyeãn Tieán Hoaøng")]), commit=False)
    assert ImportRow.objects.get(batch=batch).cells[1] == "Nguyeãn Tieán Hoaøng"
