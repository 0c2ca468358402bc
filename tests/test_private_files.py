"""Files at rest that hold personal data are readable by their owner only, whatever the umask (issue 15):
the SQLite database and the development mail (activation codes)."""

from __future__ import annotations

import os
import stat

import pytest
from django.core.mail import send_mail
from django.db import connection

from idm.sqlite3.base import DatabaseWrapper, make_private


@pytest.fixture
def usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_sqlite_database_file_is_created_and_kept_private(tmp_path, usual_umask, django_db_blocker):
    from django.conf import settings

    if connection.vendor != "sqlite":  # known only once the session chose its engine (tests/postgres.py)
        pytest.skip("the SQLite file")
    assert settings.DATABASES["default"]["ENGINE"] == "idm.sqlite3"
    path = tmp_path / "idm.sqlite3"
    db = DatabaseWrapper(dict(connection.settings_dict, NAME=str(path)), alias="private-test")
    try:
        with django_db_blocker.unblock(), db.cursor() as cursor:  # its own file, not the test database
            cursor.execute("CREATE TABLE t (x)")
            # WAL, every commit still synced (idm/settings/base.py): the log holds the same data as the file
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
            assert mode(f"{path}-wal") == 0o600 and mode(f"{path}-shm") == 0o600
    finally:
        db.close()
    assert mode(path) == 0o600
    path.chmod(0o644)  # a copy put back by hand
    make_private(str(path))
    assert mode(path) == 0o600
    make_private(":memory:")  # nothing to do, no error


def test_development_mail_is_written_private(tmp_path, settings, usual_umask):
    settings.EMAIL_BACKEND = "idm.mail.PrivateFileEmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "outbox-mail")
    send_mail("Mã kích hoạt", "Mã của bạn: 123456", "idm@quangtri.gov.vn", ["hoang@gmail.com"])
    files = list((tmp_path / "outbox-mail").iterdir())
    assert len(files) == 1 and "123456" in files[0].read_text()
    assert mode(files[0]) == 0o600 and mode(tmp_path / "outbox-mail") == 0o700
