"""Backup and restore as deploy/PRODUCTION.md §8 tells an operator (deploy/backup/idm-backup and
idm-restore: slapcat + pg_dump, slapadd + pg_restore) on the scaled stack: everything lost after the
backup, the directory restored on one provider while the other provider and the consumer start empty and
receive it by replication; the end is zero drift on every replica and the people's passwords still work."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from scripts.dev import postgres

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "mot khau sau sao luu 2026"


def script(name: str, *args: str, **env: str) -> str:
    full = {k: v for k, v in os.environ.items() if not k.startswith("IDM_")}
    full.update(env, PG_BIN=str(postgres.BIN))
    r = subprocess.run(["bash", str(ROOT / "deploy" / "backup" / name), *args], env=full, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_backup_then_restore_after_losing_every_store_ends_in_zero_drift(faults, tmp_path):
    stack = faults.stack
    faults.run("d.onboard('BK', 5)")
    faults.run("d.wait_applied()")
    uid = faults.run(f"d.set_password('BK', {PASSWORD!r})")
    stack.wait_replicated()
    ldap1 = stack.providers[0]
    parts = {"SLAPD_CONF": str(Path(ldap1.directory) / "slapd.d"), "IDM_DATABASE_URL": stack.pg.url("idm")}
    out = script("idm-backup", str(tmp_path / "backup"), **parts)
    assert "backup written" in out and (tmp_path / "backup" / "SHA256SUMS").exists()
    assert oct((tmp_path / "backup").stat().st_mode & 0o777) == "0o700"

    faults.run("d.onboard('BK2', 3)")  # after the backup: lost by the restore, as it should be
    faults.run("d.wait_applied()")
    assert faults.run("d.people_in_sql('BK2')")["count"] == 3

    stack.stop_workers()
    for i in range(len(stack.ldap)):
        if stack.ldap_procs[i] is not None:
            from scripts.dev import slapd

            slapd.stop(stack.ldap_procs[i])
            stack.ldap_procs[i] = None
    # a damaged copy is refused before anything is touched
    damaged = tmp_path / "damaged"
    subprocess.run(["cp", "-a", str(tmp_path / "backup"), str(damaged)], check=True)
    with open(damaged / "directory.ldif", "a") as f:
        f.write("\n")
    r = subprocess.run(["bash", str(ROOT / "deploy" / "backup" / "idm-restore"), str(damaged)],
                       env={**os.environ, **parts}, capture_output=True, text=True)
    assert r.returncode != 0 and "damaged copy" in r.stderr

    out = script("idm-restore", str(tmp_path / "backup"), **parts)
    assert "entries loaded" in out and "PostgreSQL restored" in out
    for c in stack.ldap[1:]:  # the other provider and the consumer: emptied, they receive it all again
        for f in (Path(c.directory) / "data").glob("*.mdb"):
            f.unlink()
    faults.restore()  # every slapd started, the workers up
    stack.wait_replicated(timeout=120)

    assert faults.run("d.people_in_sql('BK')")["count"] == 5
    assert faults.run("d.people_in_sql('BK2')")["count"] == 0
    faults.assert_zero_drift_everywhere()
    for c in stack.ldap:  # every replica has the restored people and none of the lost ones
        status = faults.run(f"d.directory_status({uid!r}, [{c.url!r}])")
        assert status[c.url] is not None, (c.url, status)
    assert faults.run(f"d.login_seconds({uid!r}, {PASSWORD!r})")["outcome"] == "ok"
