"""A private Dovecot (IMAP + LMTP) for development and tests, reading people from our slapd.

It authenticates by binding as the user (auth_bind), so any hash slapd accepts works and a
password change takes effect at once; it looks people up as the mail-reader service account,
which may read mail attributes only. Last login and storage go to Redis (last_login and
quota_clone plugins). The production configuration is in deploy/mail/.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import socket
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "mail"


@dataclass
class MailServerConfig:
    directory: str
    imap_port: int
    lmtp_port: int
    ldap_url: str
    base_dn: str
    bind_dn: str
    bind_password: str
    redis_port: int
    host: str = "127.0.0.1"


def _filled(template: str, c: MailServerConfig) -> str:
    """A deploy/mail template with this instance's directory filled in."""
    text = (DEPLOY / template).read_text(encoding="utf-8")
    return (text.replace("ldap://ldap.example.gov.vn", c.ldap_url)
            .replace("dc=example,dc=gov,dc=vn", c.base_dn)
            .replace("cn=mail,ou=services," + c.base_dn, c.bind_dn)
            .replace("MAIL-READER-PASSWORD", c.bind_password))


def ldap_conf(c: MailServerConfig) -> str:
    return _filled("dovecot-ldap.conf.ext", c)


def delegates_conf(c: MailServerConfig) -> str:
    return _filled("dovecot-ldap-delegates.conf.ext", c)


def dovecot_conf(c: MailServerConfig) -> str:
    d = Path(os.path.realpath(c.directory))  # never a path through a folder the mail user cannot enter
    as_root = os.getuid() == 0
    internal, login = ("dovecot", "dovenull") if as_root else (os.environ.get("USER", "nobody"),) * 2
    mail_user = "dovecot" if as_root else internal

    uid, gid = pwd.getpwnam(mail_user).pw_uid, pwd.getpwnam(mail_user).pw_gid
    return f"""# private instance: nothing outside {d} is read or written
instance_name = idm-dovecot-{c.imap_port}
base_dir = {d}/run
state_dir = {d}/state
protocols = imap lmtp
listen = {c.host}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {d}/log/dovecot.log
default_internal_user = {internal}
default_internal_group = {internal}
default_login_user = {login}
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_home = {d}/mail/%d/%n
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
}}
mail_plugins = $mail_plugins quota quota_clone
protocol imap {{
  mail_plugins = $mail_plugins imap_quota last_login
}}
protocol lmtp {{
  postmaster_address = postmaster@localhost
}}
lmtp_rcpt_check_quota = yes
plugin {{
  quota = count:User quota
  quota_vsizes = yes
  quota_rule = *:storage=1G
  quota_clone_dict = redis:host=127.0.0.1:port={c.redis_port}
  last_login_dict = redis:host=127.0.0.1:port={c.redis_port}
  last_login_key = last-login/%u
}}
auth_master_user_separator = *
passdb {{
  driver = ldap
  args = {d}/dovecot-ldap-delegates.conf.ext
  master = yes
  result_success = continue
}}
passdb {{
  driver = ldap
  args = {d}/dovecot-ldap.conf.ext
}}
userdb {{
  driver = ldap
  args = {d}/dovecot-ldap.conf.ext
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {c.host}
    port = {c.imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = {c.host}
    port = {c.lmtp_port}
  }}
}}
# tests and development: no delay after a failed login (the per-IP penalty would slow tests)
auth_failure_delay = 0
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


# As root, Dovecot runs its mail processes as the unprivileged `dovecot` user (it refuses to read mail
# as root), and that user cannot enter a checkout under /root or any 0700 home folder. An instance
# whose folder it cannot reach lives instead under /var/tmp (kept across reboots, unlike a tmpfs /tmp),
# and the folder asked for becomes a symbolic link to it, so var/dovecot/mail/... is still where the
# mail is. Granting `dovecot` +x on the user's home would be the other way; we never change the
# permissions of folders that are not ours.
RELOCATED_PARENT = Path("/var/tmp")
MAIL_USER_AS_ROOT = "dovecot"


def mail_user_can_enter(path: Path, user: str = MAIL_USER_AS_ROOT) -> bool:
    """Whether `user` can traverse every folder down to `path`, asked of the kernel as that user
    (permission bits, ACLs and all) rather than worked out from the mode bits."""
    entry = pwd.getpwnam(user)
    r = subprocess.run(["test", "-x", str(path)], user=entry.pw_uid, group=entry.pw_gid, extra_groups=[],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


def relocated_directory(directory: str | Path) -> Path:
    """Where an instance asked for at `directory` lives when the mail user cannot reach it: one
    folder per instance, named after the absolute folder asked for."""
    asked = Path(os.path.realpath(Path(directory).parent)) / Path(directory).name
    return RELOCATED_PARENT / f"idm-dovecot-{hashlib.sha256(str(asked).encode()).hexdigest()[:16]}"


def _own_private_folder(path: Path, *, fresh: bool) -> None:
    """Create `path` (or take it over, emptied if `fresh`) as our 0755 folder. In a world-writable
    parent someone else may have taken the name first: refuse anything that is not our own folder."""
    try:
        path.mkdir(mode=0o755)
        return
    except FileExistsError:
        pass
    st = path.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
        raise RuntimeError(f"{path} exists and is not a folder owned by us and writable only by us; remove it")
    if fresh:
        shutil.rmtree(path)
        path.mkdir(mode=0o755)


def _instance_folder(c: MailServerConfig) -> None:
    """Make `c.directory` a folder Dovecot's mail processes can reach (see RELOCATED_PARENT)."""
    d = Path(c.directory)
    if os.getuid() != 0:
        d.mkdir(parents=True, exist_ok=True)  # unprivileged: the mail user is the caller, who can reach it
        return
    if d.is_symlink():
        target = relocated_directory(d)
        if Path(os.readlink(d)) == target:
            _own_private_folder(target, fresh=False)
            return
        d.unlink()
    existed = d.exists()
    d.mkdir(parents=True, exist_ok=True)
    d.chmod(0o755)
    if mail_user_can_enter(d):
        return
    target = relocated_directory(d)
    # a left-over of an instance whose folder was deleted (make clean-dev) is not reused
    _own_private_folder(target, fresh=not existed)
    for child in d.iterdir():  # mail kept by an earlier run moves along
        dest = target / child.name
        if dest.is_dir() and not dest.is_symlink():
            shutil.rmtree(dest)
        elif dest.exists() or dest.is_symlink():
            dest.unlink()
        shutil.move(str(child), str(dest))
    d.rmdir()
    d.symlink_to(target, target_is_directory=True)


def remove(c: MailServerConfig) -> None:
    """Delete the instance's files, wherever they live."""
    d = Path(c.directory)
    if d.is_symlink():
        shutil.rmtree(os.path.realpath(d), ignore_errors=True)
        d.unlink()
    else:
        shutil.rmtree(d, ignore_errors=True)


def prepare(c: MailServerConfig) -> None:
    _instance_folder(c)
    d = Path(os.path.realpath(c.directory))
    shutil.rmtree(d / "run", ignore_errors=True)  # a stale socket in base_dir breaks start-up
    for sub in ("run", "state", "mail", "log"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    (d / "dovecot.conf").write_text(dovecot_conf(c), encoding="utf-8")
    for name, text in (("dovecot-ldap.conf.ext", ldap_conf(c)), ("dovecot-ldap-delegates.conf.ext", delegates_conf(c))):
        conf = d / name
        conf.write_text(text, encoding="utf-8")
        conf.chmod(0o600)
    d.chmod(0o755)
    (d / "run").chmod(0o755)
    if os.getuid() == 0:  # the mail files belong to the unprivileged dovecot user
        shutil.chown(d / "mail", "dovecot", "dovecot")
        shutil.chown(d / "state", "dovecot", "dovecot")


def start(c: MailServerConfig, *, timeout: float = 15.0) -> subprocess.Popen:
    log = open(Path(c.directory) / "log" / "stdout.log", "ab")
    proc = subprocess.Popen(["dovecot", "-F", "-c", str(Path(c.directory) / "dovecot.conf")], stdout=log,
                            stderr=log, start_new_session=True)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"dovecot exited with {proc.returncode}; see {c.directory}/log/dovecot.log")
        try:
            socket.create_connection((c.host, c.imap_port), 0.2).close()
            socket.create_connection((c.host, c.lmtp_port), 0.2).close()
            return proc
        except OSError:
            time.sleep(0.02)
    raise TimeoutError("dovecot did not open its ports")


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
