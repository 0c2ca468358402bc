"""Logs for a log collector: one JSON object per line (time, level, logger, message, request id).

Used by the production settings (Django, Celery) and by deploy/gunicorn.conf.py (gunicorn's own
error and access logs), so everything the service writes to stdout parses the same way.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.core.signals import request_finished

_request_id: ContextVar[str] = ContextVar("idm_request_id", default="")
# an id from the proxy is kept only if it looks like one (nginx's $request_id is 32 hex digits)
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# gunicorn access-log atoms worth a field of their own (see gunicorn's glogging.Logger.atoms)
_ACCESS_FIELDS = {"h": "remote", "m": "method", "U": "path", "s": "status", "B": "bytes", "a": "user_agent"}


def current_request_id() -> str:
    return _request_id.get()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = _request_id.get()
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            entry.update({field: atoms.get(atom) for atom, field in _ACCESS_FIELDS.items()})
            entry["status"] = int(entry["status"]) if str(entry["status"]).isdigit() else entry["status"]
            entry["duration_ms"] = round(atoms.get("D", 0) / 1000, 1)
            request_id = atoms.get("{x-request-id}o", "")  # the id the middleware put on the response
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _forget_request_id(**kwargs) -> None:
    _request_id.set("")


class RequestIdMiddleware:
    """Gives every request an id (the proxy's X-Request-ID when it sends a sane one), puts it on
    every log line written while the request runs and on the response, so a user's report, the
    proxy's access log and the application's log lines can be matched."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Django logs 4xx/5xx responses after the middleware chain has returned, so the id is
        # dropped when the response is closed rather than when this middleware returns.
        request_finished.connect(_forget_request_id, dispatch_uid="idm.jsonlog.forget_request_id")

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _SAFE_ID.fullmatch(given) else uuid.uuid4().hex
        _request_id.set(request_id)
        request.request_id = request_id
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
