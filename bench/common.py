"""Shared set-up for the benchmarks: a fresh private slapd and database in a temp folder, Django
configured to use them. Nothing here touches the development stack in var/.

Every benchmark prints its figure on SQLite and on PostgreSQL: run without `--engine=`, a script
runs itself once per engine, each in a fresh process (Django is configured once per process);
`--engine=sqlite` or `--engine=postgres` runs one. PostgreSQL is a private cluster from
scripts/dev/postgres.py (loopback, fsync off).

Every script in bench/ takes `--smoke` (or IDM_BENCH_SMOKE=1): the same run at a tiny size, which
`make test` does for each of them (tests/test_bench_smoke.py) so none can rot. Each ends by printing
its figure on a line that states its target, "... (target ...)"."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
            "Dương", "Lý", "Đinh", "Trịnh", "Lương", "Mai"]
MIDDLES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Hoàng", "Xuân", "Thùy", "Bảo", "Gia",
           "Kim", "Thị Minh", "Văn Hải"]
GIVENS = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh", "Lan",
          "Linh", "Long", "Mai", "Nam", "Ngân", "Nhung", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tâm", "Thảo",
          "Thắng", "Trang", "Trung", "Tuấn", "Vy", "Yến", "Đạt", "Ánh", "Ước", "Thủy", "Nguyệt", "Tường", "Khoa"]
SMOKE = "--smoke" in sys.argv or os.environ.get("IDM_BENCH_SMOKE") == "1"


def size(default: int, smoke: int) -> int:
    """How many to measure: a number on the command line, else `smoke` with --smoke, else `default`."""
    given = next((a for a in sys.argv[1:] if a.isdigit()), None)
    return int(given) if given else smoke if SMOKE else default


POSITIONS = ["Chuyên viên", "Chuyên viên chính", "Trưởng phòng", "Phó Trưởng phòng", "Cán sự", "Kế toán"]

ENGINES = {"sqlite": "SQLite", "postgres": "PostgreSQL 15 (private cluster, fsync off)"}


def engine() -> str | None:
    chosen = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--engine=")), None)
    if chosen is not None and chosen not in ENGINES:
        raise SystemExit(f"--engine={chosen}: one of {', '.join(ENGINES)}")
    return chosen


def run_per_engine(main) -> None:
    """main() in this process when --engine= is given; otherwise this script once per engine."""
    if engine():
        main()
        return
    for name, label in ENGINES.items():
        print(f"== {label} ==", flush=True)
        r = subprocess.run([sys.executable, sys.argv[0], *sys.argv[1:], f"--engine={name}"])
        if r.returncode:
            raise SystemExit(r.returncode)


class Stack:
    """slapd + the database of --engine (SQLite by default), and with `worker=True` a private Redis
    and a Celery worker thread: the outbox is then applied while the import goes on, exactly as in
    production. `redis=True`: the Redis alone (the benchmark starts its own workers)."""

    def __init__(self, nosync: bool, worker: bool = False, redis: bool = False):
        # a terminated benchmark (a timed-out smoke run) still stops its servers: close() runs in `finally`
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        self.tmp = Path(tempfile.mkdtemp(prefix="idm-bench-"))
        self.redis = self.worker = self.proc = self.slapd_cfg = self.pg = None
        try:
            self._start(nosync, worker, redis)
        except BaseException:
            self.close()  # a half-started stack leaves no server behind
            raise

    def _start(self, nosync: bool, worker: bool, redis: bool) -> None:
        from scripts.dev import slapd

        db_url = f"sqlite:///{self.tmp / 'bench.sqlite3'}"
        if engine() == "postgres":
            from scripts.dev import postgres

            self.pg = postgres.start()
            postgres.create_database(self.pg, "bench")
            db_url = self.pg.url("bench")
        redis_url = "redis://127.0.0.1:1/0"
        if worker or redis:
            port = slapd.free_port()
            self.redis = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                           "--appendonly", "no", "--dir", str(self.tmp)], stdout=subprocess.DEVNULL)
            redis_url = f"redis://127.0.0.1:{port}/0"
            for _ in range(200):
                if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode == 0:
                    break
                time.sleep(0.02)
        self.slapd_cfg = slapd.temporary(nosync=nosync, root_password="bench-root-pw",
                                         idm_password="bench-idm-pw", mail_password="bench-mail-pw")
        slapd.prepare(self.slapd_cfg)
        self.proc = slapd.start(self.slapd_cfg)
        os.environ.update(
            DJANGO_SETTINGS_MODULE="idm.settings.base", IDM_VAR_DIR=str(self.tmp),
            IDM_DATABASE_URL=db_url, IDM_LDAP_URL=self.slapd_cfg.url,
            IDM_LDAP_BASE_DN=self.slapd_cfg.base_dn, IDM_LDAP_BIND_DN=self.slapd_cfg.idm_dn,
            IDM_LDAP_BIND_PASSWORD=self.slapd_cfg.idm_password, IDM_REDIS_URL=redis_url,
            IDM_LOG_LEVEL="ERROR")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if worker:  # a separate process, as in production (a thread would share our GIL)
            # --quiet belongs to `celery`, not to `worker` (which rejects it)
            self.worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "idm", "--quiet", "worker",
                                            "--pool", "solo", "--without-gossip", "--without-mingle",
                                            "--without-heartbeat", "--loglevel", "ERROR"], cwd=ROOT,
                                           env=dict(os.environ))
            time.sleep(1.5)  # let it connect before the clock starts
            self.check_worker()

    def check_worker(self) -> None:
        """A benchmark that waits for the worker fails at once, not never, when the worker is gone."""
        if self.worker is not None and self.worker.poll() is not None:
            raise SystemExit(f"the Celery worker exited with {self.worker.returncode}")

    def close(self):
        from scripts.dev import slapd

        if self.worker is not None:
            self.worker.terminate()
            self.worker.wait(10)
        if self.redis is not None:
            self.redis.terminate()
        if self.proc is not None:
            slapd.stop(self.proc)
        if self.pg is not None:
            from django.db import connections

            from scripts.dev import postgres

            connections.close_all()
            postgres.stop(self.pg)
        if self.slapd_cfg is not None:
            shutil.rmtree(self.slapd_cfg.directory, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


def load_demo_units() -> list[str]:
    from scripts.dev import demo, demo_data

    demo.load_units(demo_data.PROVINCE, demo_data.UNITS)
    return [demo_data.PROVINCE_CODE] + [u[0] for u in demo_data.UNITS]


def people_rows(n: int, unit_codes: list[str], seed: int = 42, prefix: str = "QT"):
    rnd = random.Random(seed)
    for i in range(n):
        yield [f"{prefix}-{i:06d}", f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLES)} {rnd.choice(GIVENS)}",
               unit_codes[i % len(unit_codes)], rnd.choice(POSITIONS), f"canbo{i}@gmail.com",
               f"09{rnd.choice('1467803')}{rnd.randrange(10**6, 10**7)}"]


HEADERS = ["Mã cán bộ", "Họ và tên", "Đơn vị", "Chức vụ", "Email cá nhân", "Số điện thoại"]


def write_xlsx(path: Path, n: int, unit_codes: list[str], prefix: str = "QT") -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADERS)
    for row in people_rows(n, unit_codes, prefix=prefix):
        ws.append(row)
    wb.save(path)
