"""`make run`: start the whole service on loopback with the demo province, until Ctrl-C.

Starts a private slapd (var/ldap), a private Redis (var/redis), migrates, loads the demo
province, creates the development superadmin, then runs the Celery workers (one for directory
changes, one for imports and the rest, with beat: idm/queues.py) and the web server. Ctrl-C
stops everything this started, and nothing else.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.dev import slapd, workers  # noqa: E402

VAR = Path(os.environ.get("IDM_VAR_DIR", ROOT / "var"))
WEB_PORT = int(os.environ.get("IDM_WEB_PORT", "8000"))
LDAP_PORT = int(os.environ.get("IDM_LDAP_PORT", "3389"))
REDIS_PORT = int(os.environ.get("IDM_REDIS_PORT", "6380"))
IMAP_PORT = int(os.environ.get("IDM_IMAP_PORT", "1143"))
LMTP_PORT = int(os.environ.get("IDM_LMTP_PORT", "2424"))
HOST = "127.0.0.1"
PY = sys.executable
children: list[tuple[str, subprocess.Popen]] = []


def say(msg: str) -> None:
    print(f"[make run] {msg}", flush=True)


def port_busy(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex((HOST, port)) == 0


def wait_for_web(web: subprocess.Popen, healthz: str) -> None:
    """Ready means the web server we started answers /healthz: a port that is merely busy may be someone
    else's (runserver then exits with "That port is already in use", and the stack was called ready)."""
    import urllib.error
    import urllib.request

    for _ in range(600):
        if web.poll() is not None:
            raise SystemExit(f"[make run] the web server stopped at start (exit {web.returncode}); its reason is "
                             f"printed above. If port {WEB_PORT} is taken, set IDM_WEB_PORT to another one.")
        try:
            with urllib.request.urlopen(healthz, timeout=2) as r:
                if r.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.1)
    raise SystemExit(f"[make run] the web server did not answer {healthz} within a minute; see the log above")


def dev_secrets() -> dict:
    path = VAR / "dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    data = {k: secrets.token_urlsafe(18) for k in ("ldap_root", "ldap_idm", "ldap_mail", "superadmin")}
    path.write_text(json.dumps(data, indent=2))
    path.chmod(0o600)
    return data


def write_private(path: Path, text: str) -> None:
    """Write a file only we may read, whole or not at all: it is never briefly world-readable (it
    holds passwords) and a reader never sees half of it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def start(name: str, cmd: list[str], env: dict, log: Path | None = None) -> subprocess.Popen:
    out = open(log, "ab") if log else None
    p = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT if out else None,
                         start_new_session=True)
    children.append((name, p))
    return p


def stop_all(*_args) -> None:
    for _name, p in reversed(children):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGCONT)
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 10
    for _name, p in reversed(children):
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
    children.clear()


def manage(env: dict, *args: str) -> None:
    r = subprocess.run([PY, "manage.py", *args], env=env, cwd=ROOT)
    if r.returncode != 0:
        raise SystemExit(f"[make run] manage.py {args[0]} failed (exit {r.returncode})")


def main() -> int:
    VAR.mkdir(parents=True, exist_ok=True)
    for port, what in ((WEB_PORT, "IDM_WEB_PORT"), (LDAP_PORT, "IDM_LDAP_PORT"), (REDIS_PORT, "IDM_REDIS_PORT"),
                       (IMAP_PORT, "IDM_IMAP_PORT"), (LMTP_PORT, "IDM_LMTP_PORT")):
        if port_busy(port):
            say(f"port {port} on {HOST} is already in use (another `make run`?). Stop it, or set {what}.")
            return 2
    sec = dev_secrets()
    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)
    t0 = time.monotonic()
    cfg = slapd.SlapdConfig(directory=str(VAR / "ldap"), port=LDAP_PORT, root_password=sec["ldap_root"],
                            idm_password=sec["ldap_idm"], mail_password=sec["ldap_mail"])
    slapd.prepare(cfg)
    proc = slapd.start(cfg)
    children.append(("slapd", proc))
    say(f"slapd on {cfg.url} (data in {cfg.directory})")
    (VAR / "redis").mkdir(exist_ok=True)
    start("redis", ["redis-server", "--bind", HOST, "--port", str(REDIS_PORT), "--dir", str(VAR / "redis"),
                    "--save", "", "--appendonly", "yes", "--protected-mode", "yes", "--maxmemory-policy", "noeviction",
                    "--logfile", str(VAR / "redis" / "redis.log")], os.environ.copy())
    for _ in range(200):
        if port_busy(REDIS_PORT):
            break
        time.sleep(0.02)
    say(f"redis on redis://{HOST}:{REDIS_PORT}")
    from scripts.dev import dovecot as mailserver

    mail_cfg = mailserver.MailServerConfig(directory=str(VAR / "dovecot"), imap_port=IMAP_PORT, lmtp_port=LMTP_PORT,
                                           ldap_url=cfg.url, base_dn=cfg.base_dn, bind_dn=cfg.mail_dn,
                                           bind_password=sec["ldap_mail"], redis_port=REDIS_PORT)
    mailserver.prepare(mail_cfg)
    children.append(("dovecot", mailserver.start(mail_cfg)))
    say(f"dovecot: IMAP {HOST}:{IMAP_PORT}, LMTP {HOST}:{LMTP_PORT} (mail in {mail_cfg.directory}/mail)")
    bind_pw_file = VAR / "ldap-idm-password"
    bind_pw_file.write_text(sec["ldap_idm"])
    bind_pw_file.chmod(0o600)
    # DEBUG off: what a newcomer meets is the product (its translated 400/403/404/500 pages), not Django's
    # English debug pages; runserver --insecure still serves the static files
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="idm.settings.base", IDM_DEBUG="0", IDM_SECURE_COOKIES="0",
               IDM_LDAP_URL=cfg.url, IDM_LDAP_BASE_DN=cfg.base_dn, IDM_LDAP_BIND_DN=cfg.idm_dn,
               IDM_LDAP_BIND_PASSWORD_FILE=str(bind_pw_file), IDM_REDIS_URL=f"redis://{HOST}:{REDIS_PORT}/0",
               IDM_BASE_URL=f"http://{HOST}:{WEB_PORT}", IDM_VAR_DIR=str(VAR), PYTHONUNBUFFERED="1",
               IDM_MAIL_LMTP=f"{HOST}:{LMTP_PORT}")  # new mailboxes' stores (welcome message over LMTP)
    db_url = os.environ.get("IDM_DATABASE_URL", "")  # unset: SQLite in var/ (settings' default)
    say(f"database: {db_url.split('@')[-1] if db_url else VAR / 'idm.sqlite3'}")  # never the password
    try:
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "seed_demo")
        pw_file = VAR / "superadmin-password"
        pw_file.write_text(sec["superadmin"])
        pw_file.chmod(0o600)
        manage(env, "ensure_superadmin", "--password-file", str(pw_file))
        from directory.passwords import normalise  # noqa: F401  (imports work: venv is right)
        from scripts.dev import demo_data

        stack = {
            "web_url": f"http://{HOST}:{WEB_PORT}",
            "healthz": f"http://{HOST}:{WEB_PORT}/healthz",
            "ldap_url": cfg.url,
            "base_dn": cfg.base_dn,
            "idm_bind_dn": cfg.idm_dn,
            "idm_bind_password": sec["ldap_idm"],
            "mail_bind_dn": cfg.mail_dn,
            "mail_bind_password": sec["ldap_mail"],
            "redis_url": f"redis://{HOST}:{REDIS_PORT}/0",
            "imap": f"{HOST}:{IMAP_PORT}",
            "lmtp": f"{HOST}:{LMTP_PORT}",
            "superadmin": {"username": "superadmin", "password": sec["superadmin"]},
            "demo_staff": {"example_usernames": ["hoangnt", "khaittm", "ducdv"], "password": demo_data.DEMO_PASSWORD},
        }
        roles_file = VAR / "demo-logins.json"
        demo_roles = json.loads(roles_file.read_text()) if roles_file.exists() else {}
        hr, it_lead = demo_roles.get("hr_officer", ""), demo_roles.get("it_lead", "")
        stack["demo_staff"].update(hr_officer=hr, it_lead=it_lead)
        # before the worker and the web server: whoever sees /healthz answer finds the file (and the
        # settings of `manage.py` in a second terminal read it)
        write_private(VAR / "dev-stack.json", json.dumps(stack, indent=2, ensure_ascii=False))
        for name, cmd in workers.commands(VAR, python=PY):  # directory changes have their own (idm/queues.py)
            start(f"celery {name}", cmd, env, VAR / f"celery-{name}.log")
        web = start("web", [PY, "manage.py", "runserver", f"{HOST}:{WEB_PORT}", "--noreload", "--insecure"], env)
        # a first usage collection now, so the Mailboxes page has figures (beat repeats it hourly)
        subprocess.run([PY, "manage.py", "shell", "-c",
                        "from provisioning.mailboxes.tasks import collect_mail_usage; collect_mail_usage.delay()"],
                       env=env, cwd=ROOT, capture_output=True)
        wait_for_web(web, stack["healthz"])
    except BaseException:
        stop_all()
        raise
    say(f"ready in {time.monotonic() - t0:.1f} s")
    print(f"""
  idm is running at   {stack['web_url']}   (health: {stack['healthz']})
  superadmin          superadmin / {sec['superadmin']}
  demo staff          hoangnt, khaittm, ducdv, ... (or their official address) / {demo_data.DEMO_PASSWORD}
  HR officer          {hr} (whole province: people, imports, activation letters) / same password
  IT lead             {it_lead} (whole province: mailboxes and their use) / same password
  unit heads          each department's director (mailbox quota requests) / same password
  mail (Dovecot)      IMAP {HOST}:{IMAP_PORT}, LMTP {HOST}:{LMTP_PORT}: log in with a demo address and password
  LDAP                {cfg.url}  base {cfg.base_dn}
                      bind as {cfg.idm_dn} (password in var/dev-stack.json)
  logs                var/celery-directory.log, var/celery-bulk.log, var/ldap/slapd.log, var/redis/redis.log
  Ctrl-C stops everything.
""", flush=True)
    try:
        while children:
            for name, p in list(children):
                if p.poll() is not None:
                    say(f"{name} stopped (exit {p.returncode}); stopping the rest")
                    stop_all()
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        stop_all()
    say("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
