"""`Authorization: Bearer idm_...`: the request acts as the token's owner (accounts.tokens). A failed
attempt says no more than "invalid or expired token", and an address that fails too often is turned
away for a while, whatever it sends (else a right guess would show by a different answer)."""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.throttling import SimpleRateThrottle

from accounts.tokens.services import token_user

log = logging.getLogger("idm.access")


class FailedTokenThrottle(SimpleRateThrottle):
    """Failed token attempts per client address, counted in Django's cache (the rate is the
    `api_token_failures` entry of REST_FRAMEWORK's DEFAULT_THROTTLE_RATES)."""

    scope = "api_token_failures"

    def get_cache_key(self, request, view=None) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request) -> list[float]:
        self.key, self.now = self.get_cache_key(request), self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        return self.history

    def blocked(self, request) -> bool:
        return len(self._load(request)) >= self.num_requests

    def record_failure(self, request) -> None:
        self._load(request)
        self.throttle_success()  # stores this attempt's time with the others


class InvalidToken(exceptions.AuthenticationFailed):
    default_detail = _("Invalid or expired token.")
    default_code = "invalid_token"


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != b"bearer":
            return None  # no token: NotAuthenticated (401) where the endpoint needs one
        throttle = FailedTokenThrottle()
        if throttle.blocked(request):
            raise exceptions.Throttled(wait=throttle.wait())
        found = None
        if len(words) == 2:
            try:
                found = token_user(words[1].decode("ascii"))
            except UnicodeDecodeError:
                found = None
        if found is None:
            throttle.record_failure(request)
            log.warning("API token refused from %s", throttle.get_ident(request))
            raise InvalidToken
        return found

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="idm"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token (Swagger UI's "Authorize" button)."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "idm_…",
                "description": "An API token made at /accounts/tokens/; it acts as its owner."}
