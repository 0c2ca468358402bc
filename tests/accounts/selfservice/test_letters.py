"""HR prints activation letters: one A4 page per new civil servant, user text drawn literally."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

import pytest
from pypdf import PdfReader

from accounts.selfservice.letters import ActivationLetter, activation_letters_pdf

HOANG = ActivationLetter(
    full_name="Nguyễn Tiến Hoàng",
    unit_name="Sở Khoa học và Công nghệ",
    uid="hoangnt",
    official_email="hoangnt@quangtri.gov.vn",
    code="K7QF-9M2D-XW4P",
    activation_url="https://idm.quangtri.gov.vn/kich-hoat/",
    expires_on=dt.date(2026, 12, 8),
    province_name="Ủy ban nhân dân tỉnh Quảng Trị",
    issued_on=dt.date(2026, 11, 24),
)
KHAI = replace(HOANG, full_name="Đặng Thị Minh Khải", unit_name="Sở Tài chính", uid="khaidtm",
               official_email="", code="P3RT-8VNC-2HJM")
LUONG = replace(HOANG, full_name="Lê Văn Lương", uid="luonglv", code="W9XZ-4KQE-7BTA")


def pages_text(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_hr_gets_one_page_per_new_staff_member_with_their_own_code():
    pages = pages_text(activation_letters_pdf([HOANG, KHAI, LUONG]))

    assert len(pages) == 3
    assert "THƯ KÍCH HOẠT TÀI KHOẢN" in pages[1]
    assert "Kính gửi: Ông/Bà Đặng Thị Minh Khải" in pages[1]
    assert "khaidtm" in pages[1]
    assert "P3RT-8VNC-2HJM" in pages[1]
    assert "K7QF-9M2D-XW4P" not in pages[1]
    assert "ngày 24 tháng 11 năm 2026" in pages[1]
    assert "đến hết ngày 08/12/2026" in pages[1]


def test_official_email_line_is_left_out_when_there_is_no_mailbox_yet():
    with_mail, without_mail = pages_text(activation_letters_pdf([HOANG, KHAI]))

    assert "Địa chỉ thư điện tử công vụ: hoangnt@quangtri.gov.vn" in with_mail
    assert "Địa chỉ thư điện tử công vụ" not in without_mail


def test_a_very_long_unit_name_wraps_and_stays_on_the_letters_page():
    long_unit = ("Trung tâm Công nghệ thông tin và Truyền thông trực thuộc Sở Thông tin và Truyền thông " * 3)[:200]
    letters = [replace(HOANG, unit_name=long_unit), replace(KHAI, unit_name=long_unit)]

    pages = pages_text(activation_letters_pdf(letters))

    assert len(pages) == 2
    assert "Trung tâm Công nghệ thông tin" in pages[0]


def test_markup_in_a_name_is_printed_literally():
    odd = replace(HOANG, full_name="<script>alert(1)</script> **bold**")

    (page,) = pages_text(activation_letters_pdf([odd]))

    assert "<script>alert(1)</script> **bold**" in page


def test_printing_no_letters_is_refused():
    with pytest.raises(ValueError):
        activation_letters_pdf([])


def test_a_whole_intake_of_300_letters_renders_in_one_file():
    letters = [replace(HOANG, uid=f"user{n:03d}", code=f"CODE-{n:04d}") for n in range(300)]

    pdf = activation_letters_pdf(letters)

    assert len(PdfReader(io.BytesIO(pdf)).pages) == 300


def test_pdf_is_titled_and_carries_no_author():
    meta = PdfReader(io.BytesIO(activation_letters_pdf([HOANG]))).metadata

    assert meta.title == "Thư kích hoạt tài khoản"
    assert not meta.author


def test_missing_fonts_name_the_debian_package(monkeypatch):
    monkeypatch.setattr("accounts.selfservice.letters.FONT_DIRS", ("/nonexistent/dejavu",))

    with pytest.raises(RuntimeError, match="fonts-dejavu-core"):
        activation_letters_pdf([HOANG])
