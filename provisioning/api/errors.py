"""The services say what is wrong with Django's ValidationError, in the request's language
(LocaleMiddleware reads Accept-Language): the API answers it as a 400 `{"field": ["message"]}`,
messages that concern no one field under "non_field_errors".

DRF answers a refusal (403) and an object outside the caller's scope (404) itself, so Django's error
handlers (idm.errors, which log every refusal of a page) never see them: the exception handler logs
them to the same `idm.access` logger, with who, the method and the path (AC-08)."""

from __future__ import annotations

import logging
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger("idm.access")


def validation_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: list(messages)
                for field, messages in exc.message_dict.items()}
    return {api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)}


def form_detail(form, rename: dict[str, str] | None = None) -> dict[str, list[str]]:
    """A page form's errors under the API's field names."""
    rename = rename or {}
    return {api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else rename.get(field, field):
            [str(m) for m in messages] for field, messages in form.errors.items()}


def validated(form) -> dict:
    """The form's cleaned data, or a 400 with its errors."""
    if not form.is_valid():
        raise exceptions.ValidationError(form_detail(form))
    return form.cleaned_data


@contextmanager
def renamed(fields: dict[str, str]):
    """A service's field names as the API calls them (list_address -> local_part, say)."""
    try:
        yield
    except DjangoValidationError as exc:
        detail = validation_detail(exc)
        raise exceptions.ValidationError({fields.get(k, k): v for k, v in detail.items()}) from exc


def _who(request) -> str:
    """The caller as authenticated by then (DRF sets the Django request's user once it knows it;
    reading the DRF request's `user` here would run the authenticators again)."""
    user = getattr(getattr(request, "_request", request), "user", None)
    return user.get_username() if user is not None and user.is_authenticated else "anonymous"


def log_refusal(request, status: int) -> None:
    """The same lines as the pages' 403 and 404 handlers (idm.errors), for an API answer (REST or SCIM)."""
    if status == 403:
        log.warning("access refused (403): %s %s %s", _who(request), request.method, request.path)
    elif status == 404:
        log.info("not found (404): %s %s %s", _who(request), request.method, request.path)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    response = drf_exception_handler(exc, context)
    request = context.get("request")
    if response is not None and request is not None:
        log_refusal(request, response.status_code)
    return response
