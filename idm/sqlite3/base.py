"""SQLite, with the database file private to its owner (0600).

The file holds every HR fact (names, personal emails and phones, encrypted citizen IDs): with the
default umask sqlite3.connect creates it readable by every local user. The file is created 0600
before the first connection and put back to 0600 on every new connection (a copy restored by hand
keeps nothing looser for long); SQLite gives its journal and WAL files the database file's mode."""

from __future__ import annotations

import os
import stat

from django.db.backends.sqlite3 import base


def make_private(name: str) -> None:
    """Create `name` 0600 if it is missing; tighten it to 0600 if it exists. In-memory and URI
    databases are left alone."""
    if not name or name == ":memory:" or str(name).startswith("file:"):
        return
    try:
        fd = os.open(name, os.O_WRONLY | os.O_CREAT, 0o600)
    except FileNotFoundError:  # its folder is missing: sqlite3.connect will say so
        return
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) != 0o600:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        make_private(str(conn_params.get("database", "")))
        return super().get_new_connection(conn_params)
