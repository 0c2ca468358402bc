"""`make run` as a newcomer meets it: started from a checkout in a folder only its owner may enter (like
/root), on free ports. It writes var/dev-stack.json before the web server starts, mail is delivered
and read, and `manage.py` in a second terminal finds the stack with no environment."""

from __future__ import annotations

import imaplib
import json
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.conf import settings

from scripts.dev import demo_data, slapd
from scripts.dev import dovecot as mailserver

ROOT = Path(settings.BASE_DIR)


def children_of(pid: int) -> list[str]:
    """Command lines of the processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, ValueError):
            continue
    return found


def healthz_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def make_run():
    home = Path(tempfile.mkdtemp(prefix="idm-newcomer-"))
    home.chmod(0o700)
    var = home / "idm" / "var"
    ports = {name: slapd.free_port() for name in ("WEB", "LDAP", "REDIS", "IMAP", "LMTP")}
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDM_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({f"IDM_{name}_PORT": str(port) for name, port in ports.items()}, IDM_VAR_DIR=str(var))
    log = open(home / "make-run.log", "wb")
    proc = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "devstack.py")], env=env, cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    healthz = f"http://127.0.0.1:{ports['WEB']}/healthz"
    file_when_web_started = None
    try:
        end = time.monotonic() + 240
        while not healthz_ok(healthz):
            assert proc.poll() is None, (home / "make-run.log").read_text()[-3000:]
            assert time.monotonic() < end, "make run did not come up in 240 s"
            if file_when_web_started is None and any("runserver" in c for c in children_of(proc.pid)):
                file_when_web_started = (var / "dev-stack.json").exists()
            time.sleep(0.02)
        yield {"var": var, "ports": ports, "file_when_web_started": file_when_web_started,
               "stack_file_exists_at_first_200": (var / "dev-stack.json").exists()}
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # Ctrl-C's way out: stops everything it started
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(mailserver.relocated_directory(var / "dovecot"), ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)


def test_dev_stack_json_is_written_before_the_web_server_starts(make_run):
    assert make_run["file_when_web_started"] is True
    assert make_run["stack_file_exists_at_first_200"]
    path = make_run["var"] / "dev-stack.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())["web_url"].endswith(f":{make_run['ports']['WEB']}")


def test_demo_staff_get_mail_from_a_checkout_the_mail_user_cannot_enter(make_run):
    ports, user = make_run["ports"], "hoangnt@quangtri.gov.vn"
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "vanthu@quangtri.gov.vn", user, "Chào mừng"
    msg.set_content("Xin chào!")
    with smtplib.LMTP("127.0.0.1", ports["LMTP"]) as lmtp:
        assert lmtp.send_message(msg, to_addrs=[user]) == {}
    m = imaplib.IMAP4("127.0.0.1", ports["IMAP"])
    m.login(user, demo_data.DEMO_PASSWORD)
    assert int(m.select("INBOX")[1][0]) >= 1
    m.logout()


def test_manage_py_in_a_second_terminal_finds_the_running_stack(make_run):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDM_") and k != "DJANGO_SETTINGS_MODULE"}
    env["IDM_VAR_DIR"] = str(make_run["var"])  # the one thing a checkout at <home>/idm would not need
    r = subprocess.run([sys.executable, str(ROOT / "manage.py"), "shell", "-c",
                        "from directory import gateway; gateway.ping(); print(len(gateway.people_find()))"],
                       env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.strip().splitlines()[-1]) >= 200  # the demo province's staff


def get(url: str, **headers) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Accept-Language": "vi", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_error_pages_are_the_products_own_in_vietnamese_not_djangos_debug_pages(make_run):
    web = f"http://127.0.0.1:{make_run['ports']['WEB']}"
    status, page = get(f"{web}/khong-co-trang-nay/")
    assert status == 404 and "Không tìm thấy trang" in page and "Django" not in page and "urlpatterns" not in page
    status, page = get(f"{web}/", Host="evil.example")  # a host it does not serve
    assert status == 400 and "Không hiểu được yêu cầu" in page and "DisallowedHost" not in page
    status, page = get(f"{web}/static/css/idm.css")
    assert status == 200  # runserver --insecure still serves the static files with DEBUG off


def test_ports_for_servers_are_drawn_below_the_ephemeral_range():
    """An outgoing connection takes its local port from the ephemeral range; a server port chosen there can be
    taken between choosing it and binding it (a CI run lost `make run`'s web server that way)."""
    from scripts.dev import ports

    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    assert all(20000 <= ports.free_port() < low for _ in range(50))


def test_make_run_is_not_ready_when_its_web_server_died(monkeypatch):
    """`ready` means our own web server answers /healthz, not that something holds the port."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("devstack_under_test", ROOT / "scripts" / "devstack.py")
    devstack = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(devstack)
    dead = subprocess.Popen([sys.executable, "-c", "raise SystemExit(1)"])
    dead.wait()
    with pytest.raises(SystemExit, match="web server stopped at start \\(exit 1\\)"):
        devstack.wait_for_web(dead, f"http://127.0.0.1:{slapd.free_port()}/healthz")
