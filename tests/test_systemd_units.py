"""deploy/systemd: every unit is one systemd accepts (systemd-analyze verify: unknown keys, bad values,
a timer without its service), apart from the checkout at /opt/idm that this machine does not have; the
target starts every idm service; the backup unit runs the script that the restore test proves."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parent.parent / "deploy" / "systemd"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_every_unit_file():
    files = sorted(str(p) for p in UNITS.iterdir() if p.suffix in (".service", ".timer", ".target"))
    r = subprocess.run(["systemd-analyze", "verify", *files], capture_output=True, text=True, cwd=UNITS,
                       timeout=60)
    complaints = [line for line in (r.stdout + r.stderr).splitlines() if line.strip()]
    missing_checkout = re.compile(r"Command /opt/idm/\S+ is not executable: No such file or directory$")
    assert [c for c in complaints if not missing_checkout.search(c)] == []


def read(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(path)
    return unit


def test_the_target_starts_every_idm_service_and_the_backup_runs_the_tested_script():
    services = {p.name for p in UNITS.glob("idm-*.service")} - {"idm-backup.service"}
    assert set(read(UNITS / "idm.target")["Unit"]["Wants"].split()) == services
    assert read(UNITS / "idm-backup.timer")["Timer"]["Persistent"] == "true"
    assert read(UNITS / "idm-backup.service")["Service"]["ExecStart"] == "/opt/idm/deploy/backup/idm-backup"
    assert (UNITS.parent / "backup" / "idm-backup").stat().st_mode & 0o111


def test_the_parts_debian_runs_come_back_after_a_crash():
    for part in ("slapd", "redis-server", "dovecot"):
        restart = read(UNITS / f"{part}.service.d" / "idm.conf")["Service"]["Restart"]
        assert restart in ("on-failure", "always"), part
