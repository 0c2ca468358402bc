"""Vietnamese names to uids and mailbox local parts: the one place this is decided (conventions §7).

Family-middle-given order; NFC first; transliteration by anyascii (never slugify, which turns
"Đặng" into "ang"); only [a-z0-9] reach an address.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class NamingRule(models.TextChoices):
    GIVEN_INITIALS = "given_initials", _("given name + initials (hoangnt)")
    INITIALS_GIVEN = "initials_given", _("initials + given name (nthoang)")
    GIVEN_DOT_FAMILY = "given_dot_family", _("given name . family name (hoang.nguyen)")


class NameOrder(models.TextChoices):
    """How a name is written out. Kinh names put the family name first (Nguyễn Văn An); many
    Ê Đê, Jrai and other names put it last (H'Linh Niê). Addresses do not depend on it."""

    FAMILY_FIRST = "family_first", _("family name first (Nguyễn Văn An)")
    GIVEN_FIRST = "given_first", _("given name first (H'Linh Niê)")


def display_name(family: str, middle: str, given: str, order: str = NameOrder.FAMILY_FIRST) -> str:
    """The name as the person writes it: the one function every page, letter and directory
    entry uses."""
    parts = (given, middle, family) if order == NameOrder.GIVEN_FIRST else (family, middle, given)
    return " ".join(p for p in parts if p)


UID_MAX = 32
# never handed out: they collide with service names or read as official roles
RESERVED = {"admin", "administrator", "root", "superadmin", "postmaster", "hostmaster", "webmaster", "abuse",
            "noreply", "no-reply", "mailer-daemon", "idm", "mail", "ldap", "support", "security", "vanthu"}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def map_width(text: str) -> str:
    """PRECIS width mapping (RFC 8264 §9.1 rule 2): full-width and half-width characters become their
    ordinary forms ("Ｎｇｕｙễｎ" -> "Nguyễn", "ＮＶ００１" -> "NV001"); nothing else is touched (not NFKC as a
    whole, which would also fold ligatures, superscripts and the like)."""
    if text.isascii():
        return text
    return "".join(unicodedata.normalize("NFKC", ch) if unicodedata.decomposition(ch).startswith(("<wide>",
                                                                                                  "<narrow>"))
                   else ch for ch in text)


def clean_name(text: str) -> str:
    """Width-mapped, NFC, single spaces, no leading/trailing space."""
    return " ".join(nfc(map_width(text or "")).split())


# format and control characters never belong in a name: bidi overrides (U+202E turns "gpj.exe" round),
# zero-width spaces and joiners (two names that look the same), line and paragraph separators; and
# unassigned or private-use code points nobody can see either
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
INVISIBLE_MESSAGE = _("Contains an invisible or control character (%(code)s); retype it.")


def invisible_character(text: str) -> str | None:
    """The first character of `text` nobody can see or that reorders text ("U+202E"), else None."""
    for ch in text or "":
        if unicodedata.category(ch) in _INVISIBLE_CATEGORIES:
            return f"U+{ord(ch):04X}"
    return None


def validate_visible(value: str) -> None:
    """The one validator for names of people and units, in forms, imports and models: refuses control
    and format characters (bidi controls, zero-width characters) instead of silently storing them."""
    bad = invisible_character(value)
    if bad:
        raise ValidationError(INVISIBLE_MESSAGE, code="invisible", params={"code": bad})


# Text typed with a legacy Vietnamese font (VNI, TCVN3/ABC) and read as Unicode: the marks are separate
# Latin-1 letters (VNI: "Nguyeãn Tieán Hoaøng") or the letters are Latin-1 symbols (TCVN3: "NguyÔn TiÕn
# Hoµng"). Vietnamese never uses these characters, nor a vowel followed by another one carrying the mark
# of the first (VNI writes "ê" as "eâ", "ă" as "aê", "ô" as "oâ").
# the Latin-1 letters Vietnamese does not use (Ð, often typed for Đ, is left out), and the Latin-1 symbols
_LEGACY_CHARS = re.compile("[\u0080-\u00bf\u00c4-\u00c7\u00cb\u00ce\u00cf\u00d1\u00d6-\u00d8\u00db"
                           "\u00dc\u00de\u00df\u00e4-\u00e7\u00eb\u00ee\u00ef\u00f1\u00f6-\u00f8\u00fb"
                           "\u00fc\u00fe\u00ff]")
_VNI_MARKS = re.compile("[aeAE][\u00e0-\u00e3\u00e8-\u00ea\u00f9\u00fa\u00f5\u00c0-\u00c3\u00c8-\u00ca"
                        "\u00d9\u00da\u00d5]|[oO][\u00e2\u00c2]")
# TCVN3 puts lower-case letters on upper-case Latin-1 code points: "NguyÔn" has an upper-case letter after a
# lower-case one in the same word, which a Vietnamese name never has
_TCVN3_CASE = re.compile("[a-z\u00e0-\u00fe][\u00c0-\u00de]")


def legacy_vietnamese(text: str) -> bool:
    """True when `text` looks like Vietnamese typed in a legacy encoding (VNI, TCVN3) rather than Unicode."""
    text = nfc(text)
    if text.isascii():
        return False
    return bool(_LEGACY_CHARS.search(text) or _VNI_MARKS.search(text) or _TCVN3_CASE.search(text))


def fold(text: str) -> str:
    """ASCII, lower case, single spaces: for searching without diacritics."""
    return " ".join(anyascii(nfc(text)).lower().split())


def search_words(text: str) -> list[str]:
    """The words a search matches by prefix: folded, split at anything not a letter or digit; a
    word with inner punctuation also stands joined ("H'Hen" -> h, hen, hhen; "QT-0001" -> qt, 0001, qt0001)."""
    words: list[str] = []
    for chunk in fold(text).split():
        parts = [w for w in re.split(r"[^a-z0-9]+", chunk) if w]
        words += parts
        if len(parts) > 1:
            words.append("".join(parts))
    return words


def search_text(*, family: str, middle: str, given: str, uid: str, employee_code: str, mail: str | None) -> str:
    """What a person is found by, as " word word " so that `contains(" " + prefix)` matches a word's
    start: names, uid, employee code and the address's local part, never its domain (every
    address in the province shares it)."""
    local = (mail or "").partition("@")[0]
    words = search_words(" ".join((family, middle, given, uid, employee_code, local)))
    text = " " + " ".join(dict.fromkeys(words)) + " "
    return text if len(text) <= 600 else text[:600].rpartition(" ")[0] + " "


def search_query(text: str, limit: int = 6) -> list[str]:
    """The words of a search box: " " + each of them is looked for in Person.search_text. An
    address typed whole counts by its local part."""
    local = " ".join(w.partition("@")[0] for w in (text or "").split())
    words = [w for w in re.split(r"[^a-z0-9]+", fold(local)) if w]
    return [" " + w for w in dict.fromkeys(words)][:limit]


def ascii_word(text: str) -> str:
    """'Đặng' -> 'dang', "H'Hen" -> 'hhen', 'Y Moan' -> 'ymoan'."""
    return re.sub(r"[^a-z0-9]", "", anyascii(nfc(text)).lower())


def initials(*parts: str) -> str:
    words = [w for p in parts for w in re.split(r"[\s\-‐–]+", clean_name(p)) if w]  # hyphens separate too
    return "".join(ascii_word(w)[:1] for w in words)


def local_part(family: str, middle: str, given: str, rule: str = NamingRule.GIVEN_INITIALS) -> str:
    """The address/uid stem for a name under a rule (no collision suffix)."""
    g = ascii_word(given)
    if rule == NamingRule.INITIALS_GIVEN:
        stem = initials(family, middle) + g
    elif rule == NamingRule.GIVEN_DOT_FAMILY:
        stem = f"{g}.{ascii_word(family)}" if ascii_word(family) else g
    else:
        stem = g + initials(family, middle)
    stem = stem.strip(".")[: UID_MAX - 4]
    if len(stem) < 2:
        stem = (stem + "user")[:UID_MAX - 4]
    return stem


def candidates(stem: str):
    """stem, stem2, stem3, ... skipping reserved names."""
    for _n, value in numbered_candidates(stem):
        yield value


def numbered_candidates(stem: str, start: int = 1):
    """(n, candidate) from the n-th on: (1, stem), (2, stem2), ... skipping reserved names. A caller that
    allocates many equal names remembers where the last one stopped, so N equal names cost N steps, not N²/2."""
    n = max(1, start)
    while True:
        value = stem if n == 1 else f"{stem}{n}"
        if value not in RESERVED:
            yield n, value
        n += 1


def split_full_name(full_name: str) -> tuple[str, str, str]:
    """Kinh order: the first word is the family name, the last the given name, the rest the
    middle name. Names that do not follow it (Y Moan Êban, H'Hen Niê) are given explicitly."""
    words = clean_name(full_name).split(" ")
    words = [w for w in words if w]
    if not words:
        return "", "", ""
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def scripts_of(text: str) -> set[str]:
    """The scripts of the letters in `text` (LATIN, CYRILLIC, GREEK, ...), from Unicode names."""
    found = set()
    for ch in nfc(text):
        if ch.isalpha():
            try:
                found.add(unicodedata.name(ch).split(" ")[0])
            except ValueError:
                found.add("UNKNOWN")
    return found


def mixed_script(*parts: str) -> bool:
    """True for look-alike names mixing scripts, e.g. 'Nguyеn' with a Cyrillic 'е' (IN-01)."""
    return len(scripts_of(" ".join(parts))) > 1
