"""Behind the reverse proxy, the client's address is the one the proxy saw, not the proxy's own."""

from __future__ import annotations

import ipaddress


class ForwardedForMiddleware:
    """Sets REMOTE_ADDR to the last X-Forwarded-For entry: the address our proxy appended
    ($proxy_add_x_forwarded_for). Entries before it come from the client and are not trusted.
    Installed by the production settings only when IDM_BEHIND_PROXY is on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            last = forwarded.rsplit(",", 1)[-1].strip()
            try:
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(last))
            except ValueError:
                pass  # not an address: keep the socket's
        return self.get_response(request)
