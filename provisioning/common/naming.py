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
