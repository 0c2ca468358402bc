"""Small HTTP helpers every app uses."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def same_site(request: HttpRequest, url: str | None, default: str) -> str:
    """`url` when it stays on this site (a path, or this host over the request's scheme), else
    `default`: a return address from a form, a query string or a Referer is never an open redirect."""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return default
