"""idm.settings.production: `check --deploy` is clean, it refuses to start without its secrets, logs are JSON.

Each test runs manage.py or python in a subprocess, as systemd would, with only the environment
deploy/idm.env.example describes.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "deploy" / "idm.env.example"


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The least a production server is given, plus `extra`; nothing inherited from the test settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IDM_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="idm.settings.production",
        PYTHONUNBUFFERED="1",
        IDM_SECRET_KEY=secrets.token_urlsafe(50),
        IDM_ALLOWED_HOSTS="idm.quangtri.gov.vn",
        IDM_BASE_URL="https://idm.quangtri.gov.vn",
        IDM_HTTPS="1",
        IDM_VAR_DIR=str(var_dir),
        IDM_LDAP_BIND_PASSWORD=secrets.token_urlsafe(12),
        IDM_FIELD_KEYS=Fernet.generate_key().decode(),
        IDM_DIGEST_KEY=secrets.token_urlsafe(32),
    )
    env.update(extra)
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def production_settings(tmp_path, *names: str, **env: str) -> dict:
    """Settings as idm.settings.production computes them from `env`, in a fresh process as systemd runs it."""
    code = ("import json, django; django.setup(); from django.conf import settings; "
            f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}))")
    r = run(production_env(tmp_path / "var", **env), "-c", code)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.splitlines()[-1])


def test_check_deploy_is_clean_with_the_documented_environment(tmp_path):
    # a directory elsewhere, over LDAPS with its own CA, and the secrets in files as systemd credentials would be
    ca = tmp_path / "ldap-ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")  # the check looks for the file; nothing connects here
    key_file, pw_file = tmp_path / "secret-key", tmp_path / "ldap-password"
    key_file.write_text(secrets.token_urlsafe(50))
    pw_file.write_text(secrets.token_urlsafe(12))
    env = production_env(tmp_path / "var", IDM_SECRET_KEY_FILE=str(key_file), IDM_LDAP_BIND_PASSWORD_FILE=str(pw_file),
                         IDM_LDAP_URL="ldaps://ldap.quangtri.gov.vn:636", IDM_LDAP_TLS="ldaps",
                         IDM_LDAP_CA_FILE=str(ca), IDM_BEHIND_PROXY="1")
    del env["IDM_SECRET_KEY"], env["IDM_LDAP_BIND_PASSWORD"]

    r = run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert r.returncode == 0, r.stdout + r.stderr
    assert "System check identified no issues" in r.stdout
    assert "WARNING" not in r.stdout + r.stderr


def test_the_example_environment_file_passes_check_deploy(tmp_path):
    """deploy/idm.env.example as written, with its /etc/idm files and /var/lib/idm made here."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IDM_", "DJANGO_"))}
    for line in EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#"):
            name, value = line.split("=", 1)
            env[name] = value.replace("/etc/idm/", f"{tmp_path}/etc/").replace("/var/lib/idm", f"{tmp_path}/var")
    (tmp_path / "etc").mkdir()
    for name in ("secret-key", "digest-key", "ldap-bind-password"):
        (tmp_path / "etc" / name).write_text(secrets.token_urlsafe(50))
    (tmp_path / "etc" / "field-keys").write_text(Fernet.generate_key().decode())
    (tmp_path / "etc" / "ldap-ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")

    r = run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert r.returncode == 0, r.stdout + r.stderr
    assert "System check identified no issues" in r.stdout


def test_the_example_environment_file_names_every_variable_the_settings_read():
    read = set()
    for source in [*(ROOT / "idm" / "settings").glob("*.py"), ROOT / "deploy" / "gunicorn.conf.py"]:
        read |= set(re.findall(r"\benv(?:_bool|_list)?\(\s*[\"'](IDM_[A-Z0-9_]+)", source.read_text()))
        read |= set(re.findall(r"environ\.get\(\s*[\"'](IDM_[A-Z0-9_]+)", source.read_text()))
    named = set(re.findall(r"\bIDM_[A-Z0-9_]+\b", EXAMPLE.read_text()))
    documented = named | {name.removesuffix("_FILE") for name in named}

    assert read - documented == set(), "add these to deploy/idm.env.example"
    assert len(read) > 30  # the patterns still find what the settings read


def test_check_deploy_warns_when_https_is_turned_off(tmp_path):
    r = run(production_env(tmp_path, IDM_HTTPS="0", IDM_BASE_URL="http://idm.quangtri.gov.vn"),
            "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert r.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in r.stderr


def test_production_settings_put_whitenoise_right_after_the_security_middleware(tmp_path):
    r = run(production_env(tmp_path), "-c", "import json; from django.conf import settings; "
            "print(json.dumps([settings.MIDDLEWARE, settings.STORAGES['staticfiles']['BACKEND'], settings.DEBUG]))")

    middleware, storage, debug = json.loads(r.stdout)
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert storage == "whitenoise.storage.CompressedManifestStaticFilesStorage" and debug is False


def test_pw19_production_leaves_out_the_development_tools_and_the_demo_accounts(tmp_path):
    r = run(production_env(tmp_path), "-c", "import json, django; django.setup(); from django.conf import settings; "
            "from django.core.management import get_commands; "
            "print(json.dumps([settings.INSTALLED_APPS, 'seed_demo' in get_commands()]))")

    apps, has_seed_demo = json.loads(r.stdout)
    assert "provisioning" in apps and "scripts.dev" not in apps and has_seed_demo is False


@pytest.mark.parametrize("change,message", [
    ({"IDM_SECRET_KEY": ""}, "IDM_SECRET_KEY (or IDM_SECRET_KEY_FILE) must be set in production"),
    ({"IDM_SECRET_KEY": "too-short"}, "IDM_SECRET_KEY must be at least 50 random characters"),
    ({"IDM_ALLOWED_HOSTS": ""}, "IDM_ALLOWED_HOSTS (or IDM_ALLOWED_HOSTS_FILE) must be set in production"),
    ({"IDM_FIELD_KEYS": ""}, "IDM_FIELD_KEYS (or IDM_FIELD_KEYS_FILE) must be set in production"),
    ({"IDM_DIGEST_KEY": ""}, "IDM_DIGEST_KEY (or IDM_DIGEST_KEY_FILE) must be set in production"),
    ({"IDM_DEBUG": "1"}, "IDM_DEBUG is on: production never runs in debug mode"),
    ({"IDM_BASE_URL": "http://idm.quangtri.gov.vn"}, "IDM_HTTPS is on but IDM_BASE_URL"),
])
def test_production_refuses_to_start_without_what_it_needs(tmp_path, change, message):
    r = run(production_env(tmp_path / "var", **change), "manage.py", "check")

    assert r.returncode != 0
    assert "ImproperlyConfigured: " + message in r.stderr
    assert not (tmp_path / "var" / "secret-key").exists()  # failed before base.py could make up a development key


def test_log_lines_are_json_objects_with_time_level_logger_and_message(tmp_path):
    code = ("import django, logging; django.setup(); "
            "logging.getLogger('provisioning.outbox').warning('applied %d changes for %s', 3, 'Đặng Văn Đức'); "
            "logging.getLogger('django.request').error('boom', exc_info=ValueError('bad value'))")

    r = run(production_env(tmp_path), "-c", code)

    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]  # every line parses
    assert lines[0]["level"] == "WARNING" and lines[0]["logger"] == "provisioning.outbox"
    assert lines[0]["message"] == "applied 3 changes for Đặng Văn Đức"
    assert lines[0]["time"].endswith("+00:00")
    assert lines[1]["level"] == "ERROR" and "ValueError: bad value" in lines[1]["exception"]
