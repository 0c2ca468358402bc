"""Printed activation letters: HR hands each new civil servant a one-time code instead of a password.

The letter is an official document, so its text is fixed Vietnamese (no gettext). It is an HTML template
printed by WeasyPrint (idm.pdf); every caller-supplied string reaches it through Django's autoescaping,
so markup in a name prints literally.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from idm.pdf import render_pdf
from provisioning.units.selectors import unit_ancestors

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts/dejavu")
FONT_FILES = {("Serif", ""): "DejaVuSerif.ttf", ("Serif", "B"): "DejaVuSerif-Bold.ttf",
              ("Mono", "B"): "DejaVuSansMono-Bold.ttf"}


@dataclass(frozen=True)
class ActivationLetter:
    full_name: str
    unit_name: str
    uid: str
    official_email: str
    code: str
    activation_url: str
    expires_on: datetime.date
    province_name: str
    issued_on: datetime.date


def _font_dir() -> Path:
    for candidate in FONT_DIRS:
        path = Path(candidate)
        if all((path / name).is_file() for name in FONT_FILES.values()):
            return path
    searched = ", ".join(FONT_DIRS)
    raise RuntimeError(f"DejaVu fonts not found in {searched}; install the Debian package fonts-dejavu-core.")


def _plain(text: str) -> str:
    """NFC (precomposed glyphs render correctly without shaping), one line, single spaces."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _place(province_name: str) -> str:
    match = re.search(r"(?:tỉnh|thành phố)\s+(.+)$", province_name, re.IGNORECASE)
    return match.group(1) + ", " if match else ""


def activation_letters_pdf(letters: Sequence[ActivationLetter]) -> bytes:
    """One A4 page per letter, in one PDF for HR to print (idm.pdf: the one PDF path)."""
    if not letters:
        raise ValueError("no activation letters to print")
    _font_dir()  # fail with the Debian package's name rather than print in a fallback font
    pages = [{
        "full_name": _plain(lt.full_name), "unit_name": _plain(lt.unit_name), "uid": _plain(lt.uid),
        "official_email": _plain(lt.official_email), "code": _plain(lt.code),
        "activation_url": _plain(lt.activation_url), "expires_on": lt.expires_on,
        "province": _plain(lt.province_name),
        "dated": f"{_place(_plain(lt.province_name))}ngày {lt.issued_on:%d} tháng {lt.issued_on:%m} "
                 f"năm {lt.issued_on:%Y}",
    } for lt in letters]
    return render_pdf("pdf/activation_letters.html", {"letters": pages, "min_length": settings.PASSWORD_MIN_LENGTH},
                      title="Thư kích hoạt tài khoản")


def letters_response(people_codes) -> HttpResponse:
    """A PDF download with one letter per (person, code): what HR prints and hands over."""
    people_codes = list(people_codes)
    first = people_codes[0][0]
    top = unit_ancestors(first.unit)
    province = (top[0] if top else first.unit).name
    today = timezone.localdate()
    letters = [ActivationLetter(
        full_name=p.full_name, unit_name=p.unit.name, uid=p.uid, official_email=p.mail or "", code=code,
        activation_url=settings.IDM_BASE_URL.rstrip("/") + "/activate/",
        expires_on=today + datetime.timedelta(days=settings.IDM_ACTIVATION_DAYS), province_name=province,
        issued_on=today) for p, code in people_codes]
    response = HttpResponse(activation_letters_pdf(letters), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="thu-kich-hoat-{today.isoformat()}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
