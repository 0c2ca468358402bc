"""Vietnamese names to uids and mailbox local parts: the one place this is decided (conventions §7).

Family-middle-given order; NFC first; transliteration by anyascii (never slugify, which turns
"Đặng" into "ang"); only [a-z0-9] reach an address.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii
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


def clean_name(text: str) -> str:
    """NFC, single spaces, no leading/trailing space."""
    return " ".join(nfc(text).split())


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
    n = 1
    while True:
        value = stem if n == 1 else f"{stem}{n}"
        if value not in RESERVED:
            yield value
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
