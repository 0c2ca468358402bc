"""A private, throw-away PostgreSQL 15 cluster (Debian's `postgresql` package) for the tests, the
benchmarks and trying `make run` against PostgreSQL, as directory/slapd.py does for slapd.

Loopback only, a free port, a random password, the unix socket and all data in a fresh temp folder
under /tmp (never in the checkout: as root the cluster runs as `postgres`, who cannot enter /root).
Durability is off (fsync, synchronous_commit, full_page_writes): nothing here is worth keeping.

    handle = start()                 # or start(port=5544)
    handle.url("idm")                # postgres://postgres:…@127.0.0.1:5544/idm
    create_database(handle, "idm")
    stop(handle)                     # stops the server and deletes the folder

From a shell: `python scripts/dev/postgres.py [PORT]` starts one, prints its URL and waits for Ctrl-C
(or SIGTERM).
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from scripts.dev import ports

BIN = Path(os.environ.get("IDM_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "postgres"
# initdb refuses root ("cannot be run as root"): as root, the cluster belongs to the system user the
# Debian package creates
AS_ROOT = os.geteuid() == 0
RUN_AS = ["runuser", "-u", "postgres", "--"] if AS_ROOT else []


@dataclass
class Cluster:
    directory: Path
    port: int
    password: str
    stopped: bool = field(default=False, repr=False)

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def log(self) -> Path:
        return self.directory / "postgres.log"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{dbname}"


def free_port() -> int:
    return ports.free_port()


def _run(cluster_dir: Path, *cmd: str) -> subprocess.CompletedProcess:
    # cwd in the temp folder: the postgres user may not be able to enter ours (/root/…)
    r = subprocess.run([*RUN_AS, *cmd], cwd=cluster_dir, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{Path(cmd[0]).name} failed (exit {r.returncode}): {(r.stderr or r.stdout)[-2000:]}")
    return r


def start(port: int | None = None, *, attempts: int = 3) -> Cluster:
    """initdb a new cluster in a fresh temp folder and start it on 127.0.0.1:port (free by default)."""
    if not (BIN / "initdb").exists():
        raise RuntimeError(f"{BIN}/initdb not found: install Debian's postgresql package "
                           "(./scripts/ensure-debs.sh postgresql)")
    directory = Path(tempfile.mkdtemp(prefix="idm-pg-", dir="/tmp"))
    if AS_ROOT:
        shutil.chown(directory, user="postgres", group="postgres")
    cluster = Cluster(directory=directory, port=port or free_port(), password=secrets.token_urlsafe(18))
    pwfile = directory / "pwfile"
    pwfile.write_text(cluster.password + "\n")
    if AS_ROOT:
        shutil.chown(pwfile, user="postgres", group="postgres")
    try:
        # scram on TCP (other users of this machine can reach loopback), trust on the socket in our 0700 folder
        _run(directory, str(BIN / "initdb"), "-D", str(cluster.data), "-U", SUPERUSER, "--pwfile", str(pwfile),
             "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
    finally:
        pwfile.unlink(missing_ok=True)
    for attempt in range(attempts):
        try:
            start_server(cluster)
            break
        except RuntimeError:
            # most likely the free port was taken meanwhile by someone else on this machine
            if attempt == attempts - 1 or port is not None:
                log = cluster.log.read_text(errors="replace")[-2000:] if cluster.log.exists() else ""
                shutil.rmtree(directory, ignore_errors=True)
                raise RuntimeError(f"PostgreSQL did not start on port {cluster.port}:\n{log}") from None
            cluster.port = free_port()
    atexit.register(stop, cluster)  # a crashed or interrupted caller does not leave a server behind
    return cluster


def start_server(cluster: Cluster) -> None:
    """pg_ctl start on the cluster's folder and port (again after stop_server: the fault tests)."""
    opts = (f"-p {cluster.port} -c listen_addresses=127.0.0.1 -k {cluster.directory} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    _run(cluster.directory, str(BIN / "pg_ctl"), "-D", str(cluster.data), "-l", str(cluster.log), "-w", "-t", "60",
         "-o", opts, "start")


def stop_server(cluster: Cluster, mode: str = "immediate") -> None:
    """pg_ctl stop, keeping the data (immediate: as a crash would; the next start recovers)."""
    _run(cluster.directory, str(BIN / "pg_ctl"), "-D", str(cluster.data), "-m", mode, "-w", "stop")


def dump(cluster: Cluster, dbname: str, path: Path) -> None:
    """pg_dump -Fc of one database into `path` (a backup, as deploy/PRODUCTION.md §8 takes it)."""
    r = subprocess.run([*RUN_AS, str(BIN / "pg_dump"), "-h", str(cluster.directory), "-p", str(cluster.port),
                        "-U", SUPERUSER, "-Fc", dbname], cwd=cluster.directory, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {r.stderr.decode()[-2000:]}")
    path.write_bytes(r.stdout)


def restore(cluster: Cluster, dbname: str, path: Path) -> None:
    """pg_restore --clean of a dump over the database (its tables dropped and loaded again)."""
    with open(path, "rb") as f:
        r = subprocess.run([*RUN_AS, str(BIN / "pg_restore"), "-h", str(cluster.directory), "-p", str(cluster.port),
                            "-U", SUPERUSER, "-d", dbname, "--clean", "--if-exists", "--single-transaction"],
                           stdin=f, cwd=cluster.directory, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(f"pg_restore failed: {r.stderr.decode()[-2000:]}")


def stop(cluster: Cluster, *, keep: bool = False) -> None:
    """Stop the server (fast: no checkpoint worth waiting for) and delete its folder unless keep."""
    if cluster.stopped:
        return
    cluster.stopped = True
    if (cluster.data / "postmaster.pid").exists():
        subprocess.run([*RUN_AS, str(BIN / "pg_ctl"), "-D", str(cluster.data), "-m", "fast", "-w", "stop"],
                       cwd=cluster.directory, capture_output=True)
    if not keep:
        shutil.rmtree(cluster.directory, ignore_errors=True)


def psql(cluster: Cluster, sql: str, dbname: str = "postgres") -> str:
    """Run SQL as the superuser over the unix socket; returns psql's output."""
    return _run(cluster.directory, str(BIN / "psql"), "-h", str(cluster.directory), "-p", str(cluster.port),
                "-U", SUPERUSER, "-d", dbname, "-v", "ON_ERROR_STOP=1", "-qAtc", sql).stdout


def create_database(cluster: Cluster, name: str) -> None:
    psql(cluster, f'CREATE DATABASE "{name}"')


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else None
    t = time.perf_counter()
    cluster = start(port)
    create_database(cluster, "idm")
    print(f"PostgreSQL {cluster.url('idm')} (data in {cluster.directory}, up in {time.perf_counter() - t:.1f} s)")
    print("Ctrl-C (or SIGTERM) stops it and deletes the folder.", flush=True)
    # SIGTERM (and SIGINT, which a shell's background job ignores) stop it cleanly too
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(0))
    try:
        while True:
            time.sleep(3600)
    finally:
        stop(cluster)


if __name__ == "__main__":
    main()
