"""deploy/backup/idm-backup and idm-restore on the embedded default (SQLite): the online backup of a
database in WAL mode while a connection holds uncheckpointed rows, and its restore over a newer file.
(The directory and PostgreSQL parts are proved on the scaled stack: tests/faults/test_restore_from_backup.py.)"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def run(name: str, *args: str, var: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDM_")}
    env.update(IDM_VAR_DIR=str(var), IDM_BACKUP_PARTS="database")
    return subprocess.run(["bash", str(ROOT / "deploy" / "backup" / name), *args], env=env, capture_output=True,
                          text=True, timeout=60)


def test_sqlite_backup_in_wal_mode_and_restore_over_a_newer_file(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    db = sqlite3.connect(var / "idm.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE people (uid TEXT)")
    db.executemany("INSERT INTO people VALUES (?)", [("hoangnt",), ("khaittm",)])
    db.commit()  # in the WAL, not yet in the main file: the copy must still have them
    r = run("idm-backup", str(tmp_path / "b"), var=var)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "b" / "database.sqlite3").stat().st_mode & 0o777 == 0o600
    db.execute("INSERT INTO people VALUES ('after')")
    db.commit()
    db.close()

    assert "not empty" in run("idm-backup", str(tmp_path / "b"), var=var).stderr  # never over an old backup
    r = run("idm-restore", str(tmp_path / "b"), var=var)
    assert r.returncode == 0, r.stderr
    rows = sqlite3.connect(var / "idm.sqlite3").execute("SELECT uid FROM people ORDER BY uid").fetchall()
    assert rows == [("hoangnt",), ("khaittm",)]
    assert list(var.glob("idm.sqlite3.before-restore-*"))  # the newer file kept aside, not deleted
