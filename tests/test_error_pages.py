"""What a user meets when a request goes wrong: the product's pages and messages in their language,
never Django's English ones (issue 15)."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_a_request_for_a_host_we_do_not_serve_gets_the_products_400_page(client):
    r = client.get("/", HTTP_HOST="evil.example", HTTP_ACCEPT_LANGUAGE="vi")
    assert r.status_code == 400
    page = r.content.decode()
    assert "Không hiểu được yêu cầu" in page and "trang tổng quan" in page


def test_an_unknown_page_gets_the_products_404_page(client):
    r = client.get("/khong-co-trang-nay/", HTTP_ACCEPT_LANGUAGE="vi")
    assert r.status_code == 404 and "Không tìm thấy trang" in r.content.decode()


def test_a_nul_byte_in_any_form_field_is_explained_in_vietnamese():
    with translation.override("vi"), pytest.raises(forms.ValidationError) as caught:
        forms.CharField().clean("Lê Văn\x00 Tám")
    assert caught.value.messages == ["Nội dung có ký tự rỗng (NUL, thường lẫn vào khi dán từ tệp khác). Hãy xoá ô "
                                     "này và gõ lại."]


def test_the_login_form_explains_a_nul_byte_in_vietnamese(client):
    r = client.post("/accounts/login/", {"username": "hoangnt\x00", "password": "x"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert "ký tự rỗng (NUL" in r.content.decode()
