"""The password statements that are about the whole product rather than one flow: PW-09, PW-10,
PW-20 (and PW-13 is scanned after every test of tests/accounts by conftest.py)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from directory import gateway
from scripts.dev import ldap_testing as testing
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_pw09_no_expiry_a_400_day_old_password_still_logs_in(client, slapd_config, monkeypatch):
    policy = testing.dump(slapd_config, f"cn=default,ou=policies,{slapd_config.base_dn}")
    assert "pwdMaxAge" not in next(iter(policy.values()))
    person = factories.person(factories.unit(factories.province(), "000.00.01.H45", "Sở Nội vụ"))
    later = timezone.now() + dt.timedelta(days=400)
    monkeypatch.setattr(timezone, "now", lambda: later)  # our clock seam: nothing in idm ages a password
    r = client.post("/accounts/login/", {"username": person.uid, "password": factories.PASSWORD})
    assert r.status_code == 302 and client.get("/me/").status_code == 200
    assert not gateway.person_must_change_password(person.uid)


def test_pw10_no_password_hints_or_security_questions_anywhere():
    pattern = re.compile(r"security.question|secret.question|password.hint|mother.s.maiden|câu hỏi (bí mật|bảo mật)|"
                         r"gợi ý mật khẩu", re.IGNORECASE)
    offenders = []
    for folder in ("accounts", "provisioning", "templates", "idm", "directory"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".html", ".js") and pattern.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    po = (ROOT / "locale/vi/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    assert offenders == [] and not pattern.search(po)


def test_pw20_the_hashing_library_imports_and_hashes_without_deprecation_warnings():
    code = ("from passlib.hash import argon2; "
            "h = argon2.using(type='ID', memory_cost=19456, time_cost=2, parallelism=1).hash('x'); "
            "assert h.startswith('$argon2id$'); import passlib; print(passlib.__version__)")
    r = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", code], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert not r.stdout.startswith("1.7.4")  # libpass (1.9+), not the unmaintained passlib 1.7.4
