"""The local superadmin in production (AU-11): a password alone never opens it from the network.

The superadmin is a bootstrap and repair account with every power and no directory behind it, so it
has no second factor of its own. Production therefore lets it log in to the web interface only from
the server itself (a loopback address: reached through an SSH tunnel, so the operator's SSH key is
the second factor), or not at all (IDM_SUPERADMIN_WEB=off). The production settings put this backend
in place of LocalSuperadminBackend; Django's admin site is not installed at all.

Behind the proxy, REMOTE_ADDR is the client's address (idm.proxy.ForwardedForMiddleware), so a
tunnelled browser reaching nginx on the server counts as loopback and a remote one does not."""

from __future__ import annotations

import ipaddress
import logging

from accounts.backends import LocalSuperadminBackend

log = logging.getLogger(__name__)


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


class LoopbackSuperadminBackend(LocalSuperadminBackend):
    """LocalSuperadminBackend, for requests from a loopback address only."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not is_loopback(request.META.get("REMOTE_ADDR")):
            return None  # the same "not correct" answer as any other refusal (AU-04)
        return super().authenticate(request, username=username, password=password, **kwargs)
