"""`make run-scaled`: the scaled stack (scripts/dev/scaled.py) on loopback with the demo province,
until Ctrl-C: PostgreSQL, Redis, two slapd providers in multi-provider replication and a read-only
consumer that Dovecot reads, three Celery workers, gunicorn with two workers. Everything lives in a
fresh temporary folder that Ctrl-C deletes (`make run` is the one that keeps var/)."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.dev import scaled  # noqa: E402


def main() -> int:
    t0 = time.monotonic()
    print("[make run-scaled] starting PostgreSQL, Redis, 2 slapd providers + 1 consumer, Dovecot, "
          "3 workers, gunicorn ...", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Ctrl-C, also when started in the background (a shell starts background jobs with SIGINT ignored,
    # and Python then installs no KeyboardInterrupt: `pkill -INT` did nothing and left every part running)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    stack = scaled.temporary()  # a signal while it starts: what started is stopped
    try:
        stack.manage("seed_demo", settings="idm.settings.base")
        pw = stack.root / "var" / "superadmin-password"
        pw.write_text(stack.secrets["root"])
        pw.chmod(0o600)
        stack.manage("ensure_superadmin", "--password-file", str(pw), settings="idm.settings.base")
        stack.wait_replicated()
        d = stack.describe()
        print(f"""[make run-scaled] ready in {time.monotonic() - t0:.1f} s
  web (gunicorn, 2 workers)   {d['web']}   (health: {d['web']}/healthz)
  superadmin                  superadmin / {stack.secrets['root']}  (loopback only)
  PostgreSQL                  {d['database']}
  LDAP providers (writes)     {', '.join(d['providers'])}
  LDAP consumer (read-only)   {d['consumer']}  <- Dovecot IMAP {d['imap']}
  bind as                     {stack.ldap[0].idm_dn} / {stack.secrets['idm']}
  Redis                       {d['redis']}
  Celery workers              {', '.join(d['workers'])}
  files and logs              {stack.root}
  Ctrl-C stops everything and deletes that folder.""", flush=True)
        while True:
            for name, p in [("gunicorn", stack.web_proc), *stack.worker_procs.items()]:
                if p is not None and p.poll() is not None:
                    print(f"[make run-scaled] {name} stopped (exit {p.returncode}); stopping the rest", flush=True)
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        stack.close()
        print("[make run-scaled] stopped; every part ended and its folder deleted", flush=True)


if __name__ == "__main__":
    sys.exit(main())
