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


def scaled_commands(var: Path, count: int, *, python: str = sys.executable,
                    beat: bool = True) -> list[tuple[str, list[str]]]:
    """`count` worker processes for the scaled stack. One: a single process takes every queue
    (interactive directory changes first). Two or more: the directory worker of WORKERS, then
    count-1 processes that each take the bulk worker's queues (bulk, bulk2, ...), so an import's
    directory batches are applied by several processes at once. One beat, in the first bulk one."""
    def cmd(name: str, queue_names: list[str], with_beat: bool) -> list[str]:
        c = [python, "-m", "celery", "-A", "idm", "worker", "-n", f"{name}@%h", "-Q", ",".join(queue_names),
             "--concurrency", "2", "--loglevel", "INFO"]
        return c + (["-B", "-s", str(var / "celerybeat-schedule")] if with_beat else [])

    if count == 1:
        return [("all", cmd("all", queues.ALL, beat))]
    found = [("directory", cmd("directory", queues.WORKERS["directory"], False))]
    for i in range(1, count):
        name = "bulk" if i == 1 else f"bulk{i}"
        found.append((name, cmd(name, queues.WORKERS["bulk"], beat and i == 1)))
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
