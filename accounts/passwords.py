"""The password policy (PW-01..PW-08), the one check behind activation, change and reset.

Choices, in the order the checks run:

- PW-03: the length bound is tested on the raw string first, so a 1 MiB "password" costs one ``len()``
  and never reaches normalisation, the blocklist or a hasher.
- PW-07: passwords are compared and counted after NFKC, the same ``normalise`` that
  ``directory.passwords`` applies before hashing and before every bind (it is imported from there so the
  two can never drift). NFKC rather than NFKD: it keeps "ậ" one code point, the form people count.
- PW-01/PW-06: length is counted in code points of the NFKC form, so every Vietnamese letter with its
  tone, every emoji and every space counts as one. The minimum is ``settings.PASSWORD_MIN_LENGTH``.
- PW-05: no composition rules (no "one digit, one capital"); NIST and ASVS forbid them, and they push
  people to "Quangtri@2025" rather than to a long passphrase.
- PW-08: the common-password list is the 30,000 "passwords" list that ships inside zxcvbn (well above
  the 3,000 ASVS asks for, offline, no extra download). Only the *whole* password is looked up: a
  passphrase of common words ("cay tre xanh ben bo song hong") is fine. Context words come next,
  because the first guesses against a provincial account are the province, the agency, the person's
  own name and user name with a year or "123" added; these are compared on a "skeleton" (casefolded,
  without diacritics, spaces or punctuation, with digits and symbols trimmed from both ends and common
  look-alike substitutions undone) so "Quảng Trị 2025!" and "quangtri2025" are the same guess.
- Every reason is a translated sentence that names the rule and never repeats the password.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext

from directory.passwords import normalise

__all__ = ["PolicyResult", "check_password", "normalise"]

# Words refused for everybody: the province, its agencies, the service and the usual first guesses.
ALWAYS_BLOCKED = ("quangtri", "quangbinh", "sotttt", "congvu", "ubnd", "govvn", "matkhau", "password", "123456")
MIN_REMAINING = 8  # letters/digits left once names, blocked words and a trailing "2025!" are taken out
_LEET = str.maketrans({"@": "a", "4": "a", "$": "s", "5": "s", "0": "o", "1": "i", "!": "i", "3": "e", "7": "t"})
_NOT_ALNUM = re.compile(r"[\W_]+")
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")  # digits, symbols and spaces at either end
# digits wrap around ("…7890123"); letters, then the QWERTY keyboard by rows and by columns
_SEQUENCES = ("0123456789" * 26, "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm",
              "qazwsxedcrfvtgbyhnujmikolp")


@dataclass(frozen=True)
class PolicyResult:
    ok: bool
    reasons: list[str]


@functools.cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # ~1 MB of lists: load on first use only

    return frozenset(FREQUENCY_LISTS["passwords"])


def _fold(normalised: str) -> str:
    """Casefold an NFKC string, strip Vietnamese (and other) diacritics, map đ→d, drop whitespace."""
    decomposed = unicodedata.normalize("NFD", normalised.casefold().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and not ch.isspace())


def _context_words(context: Iterable[str]) -> set[str]:
    words = set(ALWAYS_BLOCKED)
    for raw in context:
        if not raw:
            continue
        parts = [_fold(part) for part in _NOT_ALNUM.split(normalise(str(raw)))]
        words.update(parts)  # "Sở Thông tin" → so, thong, tin
        words.add("".join(parts))  # "hoang.nt" → hoangnt
    words.discard("")
    return words


def _is_concatenation(text: str, words: set[str]) -> bool:
    if not text:
        return False
    ends = [True] + [False] * len(text)  # ends[i]: text[:i] is made of words
    for i in range(1, len(text) + 1):
        ends[i] = any(ends[i - len(w)] and text.endswith(w, 0, i) for w in words if len(w) <= i)
    return ends[-1]


def _remove_words(text: str, words: list[str]) -> str:
    previous = None
    while previous != text:  # removing one word can join the halves of another
        previous = text
        for word in words:
            text = text.replace(word, "")
    return text


def _is_predictable(folded: str) -> bool:
    if len(set(folded)) <= 1 or re.fullmatch(r"(.+?)\1+", folded):  # "aaaa…", "hoanghoanghoang"
        return True
    alnum = _NOT_ALNUM.sub("", folded)
    if len(alnum) < 2:
        return False
    if all(a < b for a, b in zip(alnum, alnum[1:], strict=False)):
        return True  # "123456789abcdef"
    if all(a > b for a, b in zip(alnum, alnum[1:], strict=False)):
        return True
    return any(alnum in seq or alnum[::-1] in seq for seq in _SEQUENCES)  # "qwertyuiopasdfg", "1234567890123"


def _leaves_too_little(form: str, removable: list[str]) -> bool:
    rest = _remove_words(form, removable)
    return rest != form and len(rest) < MIN_REMAINING


def check_password(password: str, *, context: Iterable[str] = ()) -> PolicyResult:
    """Check a new password against PW-01..PW-08.

    ``context`` holds raw strings about the person (uid, family/middle/given names, employee code, unit
    name); they are split into words here. Returns every reason that applies, translated.
    """
    maximum = settings.PASSWORD_MAX_LENGTH
    too_long = PolicyResult(ok=False, reasons=[
        gettext("This password is too long: use at most %(max)s characters.") % {"max": maximum}])
    if len(password) > maximum:  # PW-03: before any other work on a possibly huge string
        return too_long
    normalised = normalise(password)
    if len(normalised) > maximum:  # NFKC expands a few characters (one "ﷺ" becomes 18)
        return too_long
    reasons: list[str] = []
    minimum = settings.PASSWORD_MIN_LENGTH
    if len(normalised) < minimum:
        reasons.append(gettext("This password is too short: use at least %(min)s characters. "
                               "A few words with spaces between them are long and easy to remember.")
                       % {"min": minimum})

    folded = _fold(normalised)
    trimmed = _EDGES.sub("", folded)
    forms = {_NOT_ALNUM.sub("", folded), _NOT_ALNUM.sub("", folded.translate(_LEET))} - {""}
    cores = {_NOT_ALNUM.sub("", trimmed), _NOT_ALNUM.sub("", trimmed.translate(_LEET))} - {""}
    common = _common_passwords()
    if any(candidate in common for candidate in {folded} | forms | cores):
        reasons.append(gettext("This password is one of the most commonly used passwords."))

    personal = _context_words(context) - set(ALWAYS_BLOCKED)
    words = personal | set(ALWAYS_BLOCKED)
    removable = sorted((w for w in words if len(w) >= 3), key=len, reverse=True)
    if any(_is_concatenation(core, words) for core in cores) or any(
            _leaves_too_little(form, removable) for form in forms | cores):
        if cores & personal or any(w in form for form in forms for w in personal if len(w) >= 3):
            reasons.append(gettext("This password contains your name or user name."))
        else:
            reasons.append(gettext("This password is based on a word that is too easy to guess here, such as "
                                   "the name of the province or the agency, or the word “password”."))
    if _is_predictable(folded):
        reasons.append(gettext("This password is too predictable (repeated or sequential characters)."))
    return PolicyResult(ok=not reasons, reasons=reasons)
