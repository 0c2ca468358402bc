"""Reading settings from the environment, with `NAME_FILE` for secrets (conventions §9)."""

from __future__ import annotations

import os
from pathlib import Path


def env(name: str, default: str = "") -> str:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name, "")
    if value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: str = "") -> list[str]:
    return [x.strip() for x in env(name, default).split(",") if x.strip()]


def persistent_secret(path: Path) -> str:
    """A random secret kept in a file under var/: a safe development default that differs per
    checkout. Production sets the variable (or NAME_FILE) instead."""
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def dev_stack(var_dir: Path) -> dict:
    """What a running `make run` wrote to var/dev-stack.json (its LDAP, Redis and web addresses and
    the idm bind password), so that `manage.py` in a second terminal finds the development stack
    with no environment. Only a file the current user owns and nobody else may read counts: it
    carries a password, and a file someone else could write would choose our directory for us.
    Production never has one; every variable that is set wins over it."""
    import json
    import stat

    path = var_dir / "dev-stack.json"
    try:
        st = path.lstat()
    except OSError:
        return {}
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
