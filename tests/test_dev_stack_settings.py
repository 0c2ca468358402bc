"""With `make run` up, `manage.py` in a second terminal works against the development stack with no
environment: the settings read what make run wrote to var/dev-stack.json."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from directory import gateway
from idm.env import dev_stack

ROOT = Path(settings.BASE_DIR)


def second_terminal(var_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """`python manage.py ARGS` as typed in a fresh shell: no IDM_* variable, no settings module; only
    the var/ folder is pointed at the temporary one (it is <checkout>/var otherwise)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDM_") and k != "DJANGO_SETTINGS_MODULE"}
    env["IDM_VAR_DIR"] = str(var_dir)
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=var_dir,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def running_stack(tmp_path, ldap_server, redis_server) -> Path:
    """A var/ folder as `make run` leaves it, naming this session's slapd and Redis."""
    c = ldap_server.config
    stack = {"web_url": "http://127.0.0.1:8630", "ldap_url": c.url, "base_dn": c.base_dn, "idm_bind_dn": c.idm_dn,
             "idm_bind_password": c.idm_password, "redis_url": redis_server["url"]}
    path = tmp_path / "dev-stack.json"
    path.write_text(json.dumps(stack))
    path.chmod(0o600)
    return tmp_path


def test_manage_py_check_passes_in_a_second_terminal(running_stack):
    r = second_terminal(running_stack, "check")
    assert r.returncode == 0, r.stderr
    assert "no issues" in r.stdout


def test_import_staff_in_a_second_terminal_writes_to_the_running_directory(running_stack):
    from scripts.dev import demo_data

    unit_code = demo_data.UNITS[0][0]
    assert second_terminal(running_stack, "migrate", "--no-input", "-v", "0").returncode == 0
    load_units = "from scripts.dev import demo, demo_data; demo.load_units(demo_data.PROVINCE, demo_data.UNITS)"
    r = second_terminal(running_stack, "shell", "-c", load_units)
    assert r.returncode == 0, r.stderr
    staff = running_stack / "staff.csv"
    with open(staff, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Mã cán bộ", "Họ và tên", "Đơn vị", "Chức vụ", "Email cá nhân", "Số điện thoại"])
        w.writerow(["QT-000001", "Lê Thị Thu Hà", unit_code, "Chuyên viên", "thuha@gmail.com", "0912345678"])
        w.writerow(["QT-000002", "Phạm Quốc Tuấn", unit_code, "Kế toán", "quoctuan@gmail.com", "0987654321"])
    r = second_terminal(running_stack, "import_staff", str(staff))
    assert r.returncode == 0, r.stdout + r.stderr
    codes = {p.employee_code: p for p in gateway.people_find()}
    assert {"QT-000001", "QT-000002"} <= codes.keys()
    assert codes["QT-000001"].given_name == "Hà" and codes["QT-000001"].unit_code == unit_code


def test_a_stack_file_others_may_read_or_that_someone_else_owns_is_ignored(running_stack):
    path = running_stack / "dev-stack.json"
    assert dev_stack(running_stack)["base_dn"]
    path.chmod(0o644)
    assert dev_stack(running_stack) == {}
    if os.getuid() == 0:
        path.chmod(0o600)
        os.chown(path, 65534, 65534)
        assert dev_stack(running_stack) == {}


def test_without_a_stack_file_nothing_changes(tmp_path):
    assert dev_stack(tmp_path) == {}
    assert "E009" in second_terminal(tmp_path, "check").stderr


CA_SETTINGS = "from django.conf import settings as s; print(s.IDM_CA_ADAPTER, s.IDM_INTERNAL_CA_ADAPTER)"


def test_the_local_ca_is_the_default_under_make_run_and_the_government_ca_otherwise(running_stack, tmp_path):
    # make run: the whole certificate flow runs end to end on the built-in CA, CSR path open
    r = second_terminal(running_stack, "shell", "-v", "0", "-c", CA_SETTINGS)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["local", "local"]
    # a host with no development stack (production): no CA key is created and trusted unless chosen
    bare = tmp_path / "bare"
    bare.mkdir()
    r = second_terminal(bare, "shell", "-v", "0", "-c", CA_SETTINGS)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["external", "external"]
