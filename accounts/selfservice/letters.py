"""Printed activation letters: HR hands each new civil servant a one-time code instead of a password.

The letter is an official document, so its text is fixed Vietnamese (no gettext). Every caller-supplied
string is drawn as plain text (fpdf2 markdown stays off; no write_html) and wraps with multi_cell.
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
from fpdf import FPDF, XPos, YPos

from provisioning.units.selectors import unit_ancestors

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts/dejavu")
FONT_FILES = {("Serif", ""): "DejaVuSerif.ttf", ("Serif", "B"): "DejaVuSerif-Bold.ttf",
              ("Mono", "B"): "DejaVuSansMono-Bold.ttf"}
LEFT, RIGHT, TOP = 25, 15, 15  # mm; the wider left margin leaves room for binding, as on official papers
HEADER_LEFT_W = 80  # the right column must fit the national title on one line at 10 pt
LINE = 6.5


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


class _LetterPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-20)
        self.set_font("Serif", "B", 10)
        self.multi_cell(0, 5, "Thư này chứa mã kích hoạt cá nhân. Vui lòng giữ kín và hủy sau khi kích hoạt.",
                        align="C")

    def para(self, text: str, style: str = "", size: float = 12, align: str = "J", indent: float = 0) -> None:
        self.set_font("Serif", style, size)
        self.set_x(LEFT + indent)
        self.multi_cell(0, LINE, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def centred(self, x: float, w: float, text: str, style: str = "B", size: float = 10, rule: float = 0) -> None:
        self.set_font("Serif", style, size)
        self.set_x(x)
        self.multi_cell(w, 5, text, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        if rule:  # the rule under the issuer (a short one) and under the motto (its full width)
            half = min(self.get_string_width(text), w) / 2 * rule
            self.line(x + w / 2 - half, self.get_y() + 0.5, x + w / 2 + half, self.get_y() + 0.5)
            self.ln(2)


def _letter_page(pdf: _LetterPDF, letter: ActivationLetter) -> None:
    pdf.add_page()
    province = _plain(letter.province_name)
    issued, expires = letter.issued_on, letter.expires_on
    right_x, right_w = LEFT + HEADER_LEFT_W, pdf.epw - HEADER_LEFT_W
    pdf.centred(LEFT, HEADER_LEFT_W, province.upper())
    pdf.centred(LEFT, HEADER_LEFT_W, "HỆ THỐNG THƯ ĐIỆN TỬ CÔNG VỤ VÀ ĐỊNH DANH", rule=0.4)
    left_bottom = pdf.get_y()
    pdf.set_y(TOP)
    pdf.centred(right_x, right_w, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    pdf.centred(right_x, right_w, "Độc lập - Tự do - Hạnh phúc", size=11, rule=1)
    pdf.ln(2)
    dated = f"{_place(province)}ngày {issued:%d} tháng {issued:%m} năm {issued:%Y}"
    pdf.centred(right_x, right_w, dated, style="", size=11)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 10)

    pdf.para("THƯ KÍCH HOẠT TÀI KHOẢN", "B", 15, align="C")
    pdf.ln(4)
    pdf.para(f"Kính gửi: Ông/Bà {_plain(letter.full_name)}", "B", align="L", indent=15)
    pdf.para(f"Đơn vị: {_plain(letter.unit_name)}", align="L", indent=15)
    pdf.ln(3)
    pdf.para("Tài khoản thư điện tử công vụ và định danh của Ông/Bà đã được tạo trên hệ thống. Để bảo đảm an toàn, "
             "hệ thống không cấp mật khẩu; Ông/Bà tự đặt mật khẩu của mình bằng mã kích hoạt dưới đây.")
    pdf.ln(4)

    top = pdf.get_y()
    pdf.set_y(top + 3)
    pdf.para(f"Tên đăng nhập: {_plain(letter.uid)}", indent=5)
    if letter.official_email:
        pdf.para(f"Địa chỉ thư điện tử công vụ: {_plain(letter.official_email)}", indent=5)
    pdf.para("Mã kích hoạt:", indent=5)
    pdf.set_font("Mono", "B", 22)
    pdf.multi_cell(0, 11, _plain(letter.code), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.para(f"Hạn sử dụng: đến hết ngày {expires:%d/%m/%Y}", indent=5)
    pdf.rect(LEFT, top, pdf.epw, pdf.get_y() + 3 - top)
    pdf.set_y(pdf.get_y() + 9)

    pdf.para("Cách kích hoạt tài khoản:", "B")
    steps = (
        f"Truy cập địa chỉ {_plain(letter.activation_url)}",
        f"Nhập tên đăng nhập {_plain(letter.uid)} và mã kích hoạt ghi ở trên.",
        f"Tự đặt mật khẩu mới dài ít nhất {settings.PASSWORD_MIN_LENGTH} ký tự. Một cụm gồm nhiều từ là dễ nhớ nhất. "
        "Không dùng lại mật khẩu của các tài khoản cá nhân khác.",
        "Mã kích hoạt chỉ dùng được một lần. Nếu mã đã hết hạn hoặc bị mất, Ông/Bà liên hệ cán bộ tổ chức "
        "của đơn vị để được cấp mã mới.",
    )
    for number, step in enumerate(steps, start=1):
        pdf.set_font("Serif", "", 12)
        pdf.set_x(LEFT + 5)
        pdf.cell(7, LINE, f"{number}.")
        pdf.multi_cell(0, LINE, step, align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.para("Lưu ý: Cán bộ quản trị công nghệ thông tin của tỉnh không bao giờ hỏi mật khẩu của Ông/Bà, "
             "dưới bất kỳ hình thức nào. Không cung cấp mật khẩu hoặc mã kích hoạt cho bất kỳ ai.", "B")


def activation_letters_pdf(letters: Sequence[ActivationLetter]) -> bytes:
    """One A4 page per letter, in one PDF for HR to print."""
    if not letters:
        raise ValueError("no activation letters to print")
    fonts = _font_dir()
    pdf = _LetterPDF(format="A4", unit="mm")
    for (family, style), name in FONT_FILES.items():
        pdf.add_font(family, style, str(fonts / name))
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(True, margin=25)
    pdf.set_title("Thư kích hoạt tài khoản")
    pdf.set_lang("vi")
    for letter in letters:
        _letter_page(pdf, letter)
    return bytes(pdf.output())


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
