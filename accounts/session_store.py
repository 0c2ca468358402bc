"""Database sessions (SE-02: kept on the server under 32 random characters), written once per request.

Django's database store wrote a login's session twice: ``cycle_key()`` (the new id at login, AU-05)
INSERTed the new row at once, still anonymous, and the response UPDATEd it with the signed-in user; and
each new key cost a SELECT first to see that it was free. Here a new key is drawn without a look-up (the
INSERT itself refuses the one-in-2^165 clash, and Django's ``create()`` draws again), ``cycle_key()``
leaves the writing to the next save, and a save whose data is what this request last saved writes
nothing. So a login is one INSERT, made inside the login's one transaction (accounts.views.login_view),
and the response's save finds nothing left to write."""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    _saved: bytes | None = None  # the data as this request last wrote it

    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)  # (Django's own draw, minus its SELECT)

    def cycle_key(self) -> None:
        data, old = self._session, self.session_key
        self._session_key = None  # the next save INSERTs the data under a new key
        self._session_cache = data
        self.modified = True
        self._saved = None
        if old:
            self.delete(old)

    def save(self, must_create: bool = False) -> None:
        if not must_create and self.session_key is not None and self._saved is not None \
                and self._state() == self._saved:
            return
        super().save(must_create=must_create)
        self._saved = self._state()

    def delete(self, session_key: str | None = None) -> None:
        super().delete(session_key)
        if session_key is None or session_key == self.session_key:
            self._saved = None

    def _state(self) -> bytes:
        return self.serializer().dumps(self._session)
