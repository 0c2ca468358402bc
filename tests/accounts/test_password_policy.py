"""Staff choose passwords that are long, their own and not the first things an attacker tries (PW-01..PW-08)."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.passwords import PolicyResult, check_password, normalise
from directory import passwords as directory_passwords

# Hoàng, a staff member of the Department of Information and Communications.
HOANG = ("hoangnt", "Nguyễn", "Tiến", "Hoàng", "QT-0427", "Sở Thông tin và Truyền thông")
PASSPHRASE = "cay tre xanh ben bo song hong"
TOO_SHORT = "too short"
TOO_LONG = "too long"
COMMON = "most commonly used"
NAME = "your name or user name"
LOCAL = "too easy to guess here"
PREDICTABLE = "too predictable"
SYLLABLES = ("mưa", "rơi", "trên", "phố", "cổ", "huế", "sông", "hồng", "cây", "tre", "xanh", "bến", "nước",
             "trăng", "đường", "làng", "quê", "nhà", "biển", "gió", "lúa", "chín", "vàng", "chiều", "núi", "đèo",
             "hoa", "sen", "trà", "bánh", "chợ", "đêm", "mây", "trời", "nghiêng", "thuyền", "câu", "hát", "ru")
VI_CATALOGUE = Path(django_settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def check(password: str, context=()) -> PolicyResult:
    with translation.override("en"):  # reason texts below are the English source strings
        return check_password(password, context=context)


def assert_rejected(password: str, reason: str, context=()) -> None:
    result = check(password, context)
    assert not result.ok
    assert any(reason in r for r in result.reasons), result.reasons
    assert all(password not in r for r in result.reasons)  # the reason never echoes the password


def words(length: int) -> str:
    text = " ".join(SYLLABLES + tuple(reversed(SYLLABLES)))
    assert len(text) >= length
    return text[:length]


# ---- PW-01: minimum length ----

@pytest.mark.parametrize("length", [7, 14])
def test_pw01_password_shorter_than_15_code_points_is_rejected_with_the_minimum(length):
    result = check(words(length))
    assert not result.ok
    assert any(TOO_SHORT in r and "15" in r for r in result.reasons)


def test_pw01_password_of_15_code_points_is_accepted():
    assert check(words(15)) == PolicyResult(ok=True, reasons=[])


def test_pw01_minimum_follows_the_setting(settings):
    settings.PASSWORD_MIN_LENGTH = 8
    assert check("trăng xa").ok
    assert_rejected("trăng x", TOO_SHORT)


def test_pw01_system_check_refuses_a_minimum_below_8(settings):
    from django.core.checks import Tags, run_checks

    import accounts.checks  # noqa: F401  (registers the check, as the app config will)

    settings.PASSWORD_MIN_LENGTH = 7
    assert "accounts.E002" in {e.id for e in run_checks(tags=[Tags.security])}


@pytest.mark.parametrize("value,expected", [(7, {"accounts.E002"}), (65, {"accounts.E003"}), ("15", {"accounts.E001"}),
                                            (True, {"accounts.E001"}), (8, set()), (15, set()), (64, set())])
def test_pw01_system_check_accepts_only_whole_numbers_from_8_to_64(settings, value, expected):
    from accounts.checks import check_password_settings

    settings.PASSWORD_MIN_LENGTH = value
    assert {e.id for e in check_password_settings()} == expected


# ---- PW-02, PW-03: long passwords work, huge ones are refused at once ----

@pytest.mark.parametrize("length", [64, 128, 256])
def test_pw02_long_passwords_are_accepted(length):
    password = words(length)
    assert len(password) == length
    assert check(password).ok


def test_pw03_a_1_mib_password_is_refused_fast_with_the_maximum():
    huge = "x" * (1 << 20)
    started = time.perf_counter()
    result = check(huge)
    elapsed = time.perf_counter() - started
    assert not result.ok and len(result.reasons) == 1
    assert TOO_LONG in result.reasons[0] and "256" in result.reasons[0]
    assert elapsed < 0.05


def test_pw03_a_password_one_over_the_maximum_is_refused():
    assert check(words(256)).ok
    assert_rejected(words(257), TOO_LONG)


def test_pw03_a_short_string_that_nfkc_expands_past_the_maximum_is_refused():
    assert_rejected("\ufdfa" * 20, TOO_LONG)  # one ligature becomes 18 code points


# ---- PW-05, PW-06: no composition rules; every code point counts once ----

def test_pw05_lowercase_passphrase_with_spaces_is_accepted_for_anyone():
    assert check(PASSPHRASE).ok
    assert check(PASSPHRASE, context=HOANG).ok
    assert check(PASSPHRASE, context=("hongtt", "Trần", "Thị", "Hồng")).ok
    assert check("mot hai ba bon nam sau bay").ok


def test_pw06_fifteen_vietnamese_letters_with_tones_are_fifteen_characters():
    password = "Mưa rơi phố Huế"
    assert len(unicodedata.normalize("NFC", password)) == 15
    assert check(password).ok
    decomposed = unicodedata.normalize("NFD", password)
    assert len(decomposed) > 15 and check(decomposed).ok


def test_pw06_fourteen_vietnamese_letters_with_tones_are_too_short_even_when_typed_decomposed():
    password = "Mưa rơi phố cổ"
    assert len(password) == 14
    assert_rejected(password, TOO_SHORT)
    assert_rejected(unicodedata.normalize("NFD", password), TOO_SHORT)


def test_pw06_emoji_count_one_each():
    password = "🌾🌊🌸🌙🍵 sông Hồng"
    assert len(password) == 15
    assert check(password).ok
    assert_rejected(password[1:], TOO_SHORT)


# ---- PW-07: one normalisation, NFKC, shared with the directory ----

@pytest.mark.parametrize("password", ["Mưa rơi phố Huế", "Bậc thầy đàn bầu", "ﬁve ｆｕｌｌｗｉｄｔｈ words"])
def test_pw07_nfc_and_nfd_forms_are_the_same_password(password):
    nfc, nfd = unicodedata.normalize("NFC", password), unicodedata.normalize("NFD", password)
    assert normalise(nfc) == normalise(nfd) == unicodedata.normalize("NFKC", password)
    assert normalise(nfd) == directory_passwords.normalise(nfd)
    assert check(nfc) == check(nfd)


# ---- PW-08: blocklists, with the reason ----

@pytest.mark.parametrize("password,reason", [
    ("123456789abcdef", PREDICTABLE),
    ("aaaaaaaaaaaaaaa", PREDICTABLE),
    ("qwertyuiopasdfg", PREDICTABLE),
    ("123456789012345", PREDICTABLE),
    ("hoang hoang hoang", PREDICTABLE),
    ("password1234567", COMMON),
    ("P@ssw0rd2025!!!!", COMMON),
    ("iloveyou 2025!!!", COMMON),
    ("quangtri2025!!!!", LOCAL),
    ("Quảng Trị 2025!!!", LOCAL),
    ("UBND Quảng Bình 123", LOCAL),
    ("matkhau congvu 2025", LOCAL),
])
def test_pw08_common_predictable_and_local_passwords_are_rejected_with_the_reason(password, reason):
    assert len(password) >= 15
    assert_rejected(password, reason)


@pytest.mark.parametrize("password", [
    "hoangnt123!!!!!!",
    "HoangNT-123-2025",
    "h0angnt 2025 !!!",
    "Nguyễn Tiến Hoàng 2025",
    "nguyentienhoang!",
    "Hoàng Sở Thông tin",
])
def test_pw08_passwords_built_from_the_persons_names_are_rejected(password):
    assert len(password) >= 15
    assert_rejected(password, NAME, context=HOANG)


def test_pw08_the_same_name_is_fine_for_someone_else():
    assert check("Nguyễn Tiến Hoàng 2025", context=("lanpt", "Phạm", "Thị", "Lan")).ok


def test_pw08_passphrase_containing_a_name_part_and_enough_else_is_accepted():
    assert check("hoàng đi chợ mua cá kho", context=HOANG).ok


@pytest.fixture
def vietnamese_reasons():
    with translation.override("vi"):
        yield


def test_pw08_reasons_are_given_in_vietnamese(vietnamese_reasons):
    result = check_password("quangtri2025!!!!", context=HOANG)
    assert result.reasons and all(r.startswith("Mật khẩu này") for r in result.reasons)
    assert "15" in check_password("ngắn quá").reasons[0]


def _reasons_in_the_code() -> list[str]:
    """Every string accounts/passwords.py passes to gettext: the reasons a password is refused."""
    import ast

    import accounts.passwords

    tree = ast.parse(Path(accounts.passwords.__file__).read_text(encoding="utf-8"))
    return [node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("gettext", "_")
            and node.args and isinstance(node.args[0], ast.Constant)]


def test_pw08_every_reason_has_a_vietnamese_translation_with_the_same_placeholders():
    import re

    import polib

    catalogue = {e.msgid: e for e in polib.pofile(str(VI_CATALOGUE)) if not e.obsolete}
    reasons = _reasons_in_the_code()
    assert len(reasons) >= 6, reasons  # the loop below is not empty
    for msgid in reasons:
        entry = catalogue.get(msgid)
        assert entry is not None, f"not in the Vietnamese catalogue: {msgid!r}"
        assert entry.translated() and "fuzzy" not in entry.flags, f"not translated: {msgid!r}"
        assert entry.msgstr != msgid
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", entry.msgstr)), msgid


# ---- properties ----

@hypothesis_settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(SYLLABLES), min_size=4, max_size=12).map(" ".join).filter(lambda s: len(s) >= 15))
def test_pw08_vietnamese_passphrases_never_break_the_check(passphrase):
    assert len(passphrase) >= 15
    result = check(passphrase, context=HOANG)
    assert isinstance(result, PolicyResult)
    assert result.ok == (not result.reasons)


@hypothesis_settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300), st.lists(st.text(max_size=30), max_size=5))
def test_pw03_any_text_gets_a_result_never_an_exception(password, context):
    result = check(password, context)
    assert result.ok == (not result.reasons)
    assert normalise(password) == directory_passwords.normalise(password)
