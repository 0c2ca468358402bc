"""The Celery worker processes of idm/queues.py, as `make run` starts them (and as the tests and the
benchmarks start them, so that what they measure is what runs)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from idm import queues

ROOT = Path(__file__).resolve().parent.parent.parent


def commands(var: Path, *, python: str = sys.executable, beat: bool = True) -> list[tuple[str, list[str]]]:
    """One process per worker of idm/queues.py: directory changes have a worker of their own, so a
    running import never holds the slot a suspension needs. Beat runs in the bulk worker (there
    must be exactly one beat)."""
    found = []
    for name in queues.WORKERS:
        cmd = [python, "-m", "celery", "-A", "idm", "worker", *queues.worker_args(name), "--loglevel", "INFO"]
        if beat and name == "bulk":
            cmd += ["-B", "-s", str(var / "celerybeat-schedule")]
        found.append((name, cmd))
    return found


def start(cmds: list[tuple[str, list[str]]], env: dict, log_dir: Path) -> list[subprocess.Popen]:
    """Start each command in its own session (its pool children die with it: stop())."""
    procs = []
    for name, cmd in cmds:
        with open(log_dir / f"celery-{name}.log", "ab") as log:
            procs.append(subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))
    return procs


def wait_ready(app, names: list[str], procs: list[subprocess.Popen], timeout: float = 90) -> None:
    """Until every named worker answers a ping (it consumes its queues from then on)."""
    end = time.monotonic() + timeout
    want = set(names)
    while time.monotonic() < end:
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(f"a Celery worker exited with {p.returncode}")
        answered = {node.split("@", 1)[0] for reply in app.control.ping(timeout=0.5) for node in reply}
        if want <= answered:
            return
    raise TimeoutError(f"Celery workers {sorted(want)} did not answer within {timeout} s")


def stop(procs: list[subprocess.Popen]) -> None:
    """Cold shutdown: running tasks are cut off (they are acknowledged late, so a broker that
    lives on would deliver them again)."""
    for p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for p in procs:
        p.wait(10)
