"""Behind nginx, activation records and logs get the client's address, not the proxy's."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from idm.proxy import ForwardedForMiddleware


def remote_addr_seen(**headers) -> str:
    seen = {}

    def view(request):
        seen["addr"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    ForwardedForMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", **headers))
    return seen["addr"]


def test_the_address_our_proxy_appended_is_the_client_address():
    assert remote_addr_seen(HTTP_X_FORWARDED_FOR="203.0.113.9") == "203.0.113.9"


def test_an_address_the_client_made_up_is_not_believed():
    assert remote_addr_seen(HTTP_X_FORWARDED_FOR="10.0.0.1, 198.51.100.7") == "198.51.100.7"


@pytest.mark.parametrize("value", ["", "not-an-address", "203.0.113.9, <script>"])
def test_without_a_usable_header_the_socket_address_stays(value):
    assert remote_addr_seen(HTTP_X_FORWARDED_FOR=value) == "127.0.0.1"
