"""One function turns Vietnamese names into uids and addresses (conventions §7)."""

from __future__ import annotations

import re
import threading
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from provisioning.common import naming
from provisioning.people.models import Person
from provisioning.people.services import person_onboard
from tests import factories


@pytest.mark.parametrize("family,middle,given,expected", [
    ("Nguyễn", "Tiến", "Hoàng", "hoangnt"),
    ("Trần", "Thị Minh", "Khai", "khaittm"),
    ("Đặng", "Văn", "Đức", "ducdv"),
    ("Niê", "", "H'Hen", "hhenn"),
    ("Êban", "", "Y Moan", "ymoane"),
    ("Lê-Trần", "  Thị   ", "Ánh", "anhltt"),
])
def test_given_name_plus_initials(family, middle, given, expected):
    assert naming.local_part(family, middle, given) == expected


def test_decomposed_input_gives_the_same_result():
    nfd = [unicodedata.normalize("NFD", x) for x in ("Nguyễn", "Tiến", "Hoàng")]
    assert nfd[0] != "Nguyễn"
    assert naming.local_part(*nfd) == "hoangnt"


def test_other_rules():
    assert naming.local_part("Nguyễn", "Tiến", "Hoàng", "initials_given") == "nthoang"
    assert naming.local_part("Nguyễn", "Tiến", "Hoàng", "given_dot_family") == "hoang.nguyen"


def test_full_name_is_split_kinh_style():
    assert naming.split_full_name("  Nguyễn   Tiến  Hoàng ") == ("Nguyễn", "Tiến", "Hoàng")
    assert naming.split_full_name("Trần Thị Minh Khai") == ("Trần", "Thị Minh", "Khai")
    assert naming.split_full_name("Hoa") == ("", "", "Hoa")


def test_mixed_scripts_are_flagged():
    assert naming.mixed_script("Nguy\u0435n", "Văn", "An")  # Cyrillic е
    assert not naming.mixed_script("Nguyễn", "Văn", "An")


names = st.text(st.characters(codec="utf-8", categories=("L", "M", "Zs", "Pd", "Po")), min_size=1, max_size=30)


@settings(max_examples=300, deadline=None)
@given(names, names, names)
def test_output_is_always_ascii_lower_and_stable(family, middle, given):
    a = naming.local_part(family, middle, given)
    assert re.fullmatch(r"[a-z0-9.]{2,28}", a)
    assert naming.local_part(family, middle, given) == a
    assert naming.local_part(unicodedata.normalize("NFD", family), unicodedata.normalize("NFD", middle),
                             unicodedata.normalize("NFD", given)) == a


@pytest.mark.django_db
def test_collisions_get_2_3_and_reserved_names_are_skipped():
    unit = factories.unit(factories.province(), "000.00.01.H45", "Sở Tài chính")
    uids = [person_onboard(actor=None, unit=unit, family="Nguyễn", middle="Văn", given="An",
                           employee_code=f"E{i}").uid for i in range(3)]
    assert uids == ["annv", "annv2", "annv3"]
    reserved = person_onboard(actor=None, unit=unit, family="Ẩn", middle="", given="Admin", employee_code="E9")
    assert reserved.uid == "admina"


@pytest.mark.django_db(transaction=True)
def test_concurrent_onboarding_of_the_same_name_never_collides():
    # IN-02: 20 threads, each with its own connection. On PostgreSQL (make test's second pass) they
    # really overlap and race on the unique index; SQLite serialises their write transactions.
    unit = factories.unit(factories.province(), "000.00.01.H45", "Sở Tài chính")
    errors, uids = [], []
    barrier = threading.Barrier(20)

    def onboard(i):
        from django.db import connection

        try:
            barrier.wait()
            uids.append(person_onboard(actor=None, unit=unit, family="Nguyễn", middle="Tiến", given="Hoàng",
                                       employee_code=f"C{i}").uid)
        except Exception as exc:  # asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=onboard, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(uids) == sorted(["hoangnt"] + [f"hoangnt{i}" for i in range(2, 21)])
    assert Person.objects.count() == 20


# --- hostile input (issue 15) -------------------------------------------------------------------------

@pytest.mark.parametrize("typed,expected", [
    ("Ｎｇｕｙễｎ Ｔｉếｎ Ｈｏàｎｇ", "Nguyễn Tiến Hoàng"),  # full-width letters, as some IMEs type them
    ("ＮＶ００１", "NV001"),
    ("ｶ", "カ"),  # half-width forms too
    ("ﬁ²", "ﬁ²"),  # ligatures and superscripts are not width: left as they are (PRECIS, not NFKC)
])
def test_full_width_characters_are_mapped_to_their_ordinary_width(typed, expected):
    assert naming.map_width(typed) == expected
    assert naming.clean_name(f"  {typed}  ") == unicodedata.normalize("NFC", expected)


@pytest.mark.parametrize("text", ["Nguyeãn Tieán Hoaøng", "Leâ Vaên Taùm", "Ñaëng", "NGUYEÃN",  # VNI
                                  "NguyÔn TiÕn Hoµng", "TrÇn ThÞ Minh Khai", "Lª V¨n T¸m", "§Æng"])  # TCVN3
def test_text_typed_in_a_legacy_vietnamese_encoding_is_recognised(text):
    assert naming.legacy_vietnamese(text)


@pytest.mark.parametrize("text", ["Nguyễn Tiến Hoàng", "Trần Thị Minh Khai", "Hoà", "Thuý", "Khuê", "Loè", "Đoàn",
                                  "Y Moan Êban", "H'Hen Niê", "Ðặng", "NGUYỄN TIẾN HOÀNG", "Phó Giám đốc", "Ngoãn",
                                  "Byă", "Rơ Mah", "Ksor", "McDonald"])
def test_unicode_vietnamese_and_minority_names_are_not_taken_for_legacy_text(text):
    assert not naming.legacy_vietnamese(text)


@pytest.mark.parametrize("ch", ["\u202e", "\u202d", "\u2066", "\u200b", "\u200d", "\ufeff", "\u2028", "\x00",
                                "\x1b", "\ue000"])
def test_bidi_zero_width_and_control_characters_are_invisible(ch):
    assert naming.invisible_character(f"Sở Y{ch} tế") == f"U+{ord(ch):04X}"
    with pytest.raises(ValidationError) as caught:
        naming.validate_visible(f"Sở Y{ch} tế")
    assert caught.value.code == "invisible"


def test_n_equal_names_are_numbered_in_n_steps():
    from provisioning.people.services import allocate_identity

    class CountingSet(set):
        lookups = 0

        def __contains__(self, item):
            CountingSet.lookups += 1
            return super().__contains__(item)

    taken, addresses, cursor = CountingSet(), CountingSet(), {}
    n = 3000
    for _ in range(n):
        uid, address = allocate_identity("annv", "quangtri.gov.vn", taken_uids=taken, taken_addresses=addresses,
                                         cursor=cursor)
        taken.add(uid)
        addresses.add(address)
    lookups = CountingSet.lookups
    assert len(taken) == n and "annv3000" in taken
    assert lookups <= 2 * n  # one uid and one address look-up each: linear, not n²/2
