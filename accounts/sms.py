"""The SMS gateway: one small interface, chosen by ``IDM_SMS_BACKEND``.

- ``accounts.sms.FileBackend`` (development and tests): each message is one JSON file in
  ``IDM_SMS_FILE_PATH``, mode 0600 (it may hold a code).
- ``accounts.sms.HttpBackend``: POSTs ``{"to": "+84…", "text": "…"}`` as JSON to ``IDM_SMS_URL``
  with ``Authorization: Bearer IDM_SMS_TOKEN``; any 2xx is a success. Most Vietnamese SMS brand-name
  gateways take this shape or sit behind a small relay that does.

A new gateway is one class with ``send(to, text)`` that raises ``SmsError`` when it could not send;
callers run in Celery tasks and retry, so a failure is never visible to the person who asked (RS-02).
"""

from __future__ import annotations

import json
import os
import secrets
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    pass


class FileBackend:
    def send(self, to: str, text: str) -> None:
        folder = Path(settings.IDM_SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = folder / f"{time.time_ns()}-{secrets.token_hex(4)}.json"
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"to": to, "text": text}, f, ensure_ascii=False)


class HttpBackend:
    def send(self, to: str, text: str) -> None:
        body = json.dumps({"to": to, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(settings.IDM_SMS_URL, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {settings.IDM_SMS_TOKEN}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (URL from settings)
                status = response.status
        except urllib.error.HTTPError as exc:
            raise SmsError(f"gateway answered {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise SmsError(exc.__class__.__name__) from None
        if not 200 <= status < 300:
            raise SmsError(f"gateway answered {status}")


def send_sms(to: str, text: str) -> None:
    import_string(settings.IDM_SMS_BACKEND)().send(to, text)
