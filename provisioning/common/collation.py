"""Vietnamese name order, as a key the database sorts by (the same on SQLite and PostgreSQL).

The order is the one Vietnamese dictionaries use (Vũ Xuân Lương, Vietnam Lexicography Centre,
"Quy tắc sắp xếp theo ABC", http://vietunicode.sourceforge.net/charset/quytacABC_en.html, rules 1-4):
the alphabet a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z; tone marks in the
order ngang (none), huyền, hỏi, ngã, sắc, nặng; letters first and the tone only between syllables
with the same letters; a syllable before a longer one it prefixes (cha < chan); syllable by
syllable from left to right. People are listed by given name, then family name, then middle name.

The key uses only [0-9a-z] and compares code point by code point, so no database collation (a
PostgreSQL en_US locale ignores punctuation and spaces) can reorder it.
"""

from __future__ import annotations

import unicodedata

from anyascii import anyascii

# base letters in Vietnamese alphabetical order (f j w z only in foreign names, where Latin puts them)
ALPHABET = ("a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "ô", "ơ",
            "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z")
_SYMBOLS = "23456789abcdefghijklmnopqrstuvwxyz"  # above the two markers below, in code-point order
_LETTER = {letter: _SYMBOLS[i] for i, letter in enumerate(ALPHABET)}
FIELD_END = "0"     # below every letter: "An" before "An Khánh"
SYLLABLE_END = "1"  # below every letter: "ác" before "ách"
# combining tone marks, in dictionary order after ngang (no mark, "0")
TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}  # huyền hỏi ngã sắc nặng
# combining marks that make another letter of the alphabet
_LETTER_MARKS = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô",
                 ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}
_BREAKS = {" ", "-", "‐", "–"}


def _syllables(text: str):
    """Each syllable of `text` as (its letters, its tone digit)."""
    letters: list[str] = []
    tone = "0"
    for ch in unicodedata.normalize("NFD", unicodedata.normalize("NFC", text or "").lower()) + " ":
        if ch in _BREAKS or ch.isspace():
            if letters:
                yield "".join(letters), tone
            letters, tone = [], "0"
        elif ch in TONES:
            tone = TONES[ch] if tone == "0" else tone
        elif unicodedata.combining(ch):
            if letters and (letters[-1], ch) in _LETTER_MARKS:
                letters[-1] = _LETTER_MARKS[(letters[-1], ch)]
        elif ch == "đ":
            letters.append(ch)
        else:  # another script's letter: its nearest Latin letters; digits and punctuation do not sort
            letters.extend(c for c in anyascii(ch).lower() if c in _LETTER)


def word_key(text: str) -> str:
    """The sort key of one name part: per syllable its letters, an end mark, its tone."""
    return "".join("".join(_LETTER[c] for c in letters) + SYLLABLE_END + tone
                   for letters, tone in _syllables(text)) + FIELD_END


def name_key(family: str, middle: str, given: str) -> str:
    """The stored sort key of a person: given name, then family name, then middle name."""
    return word_key(given) + word_key(family) + word_key(middle)
