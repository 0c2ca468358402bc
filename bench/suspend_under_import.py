"""How long a suspension takes to reach the directory while two large imports commit (issue 15:
"imports starve directory changes", 4 min 32 s in the field). Real Celery worker processes, in
two layouts on the same stack, one after the other:

* the layout before idm/queues.py: one worker with two slots, one queue taken in arrival order
  (routing off, in the worker and here);
* the workers `make run` and deploy/systemd start (scripts/dev/workers.py): one for interactive
  directory changes only, one for imports and their directory changes.

Prints both latencies (from the suspension's commit to the entry saying "suspended") and their ratio.

    python bench/suspend_under_import.py [ROWS] [--nosync] [--smoke] [--engine=sqlite|postgres]

ROWS is per import (two run at once). The default slapd configuration is the one `make run` uses
(fsync per write, as in production)."""

from __future__ import annotations

import io
import itertools
import sys
import time

from common import GIVENS, MIDDLES, SURNAMES, Stack, run_per_engine, size

ROWS = size(5000, smoke=60)
NOSYNC = "--nosync" in sys.argv
TARGET = 10.0  # seconds
GIVE_UP = 600.0


def staff_csv(prefix: str, n: int, unit_code: str) -> bytes:
    names = itertools.cycle(itertools.product(SURNAMES, MIDDLES, GIVENS))
    lines = ["Mã cán bộ,Họ và tên,Đơn vị,Chức vụ"]
    lines += [f"{prefix}-{i:06d},{' '.join(next(names))},{unit_code},Chuyên viên" for i in range(n)]
    return "\n".join(lines).encode()


# the old layout's worker: every task on Celery's default queue, as before the routes existed
OLD_WORKER = "import sys; from idm.celery import app; app.conf.task_routes = {}; app.worker_main(sys.argv[1:])"


def use_routes(app, routes) -> None:
    """Publish from this process with these routes (Celery builds its router once)."""
    app.conf.task_routes = routes
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()


def measure(stack: Stack, layout: str, person, unit_code: str) -> tuple[float, int]:
    """Seconds from the suspension's commit to the directory showing it, with two ROWS-row imports
    committing meanwhile; and how many of the imports' directory changes were still waiting."""
    import os

    import redis

    from directory import gateway
    from idm.celery import app
    from provisioning.imports import services as imports
    from provisioning.imports.models import ImportBatch
    from provisioning.imports.tasks import COMMIT
    from provisioning.outbox.models import DirectoryChange
    from provisioning.outbox.services import directory_changes_apply
    from provisioning.people.models import PersonStatus
    from provisioning.people.services import person_set_status
    from scripts.dev import workers

    batches = []
    for prefix in ("A", "B"):
        batch = imports.import_create(actor=None, fileobj=io.BytesIO(staff_csv(f"{layout}{prefix}", ROWS, unit_code)),
                                      filename=f"{prefix}.csv", scope=None)
        batches.append(imports.import_validate(batch.pk).pk)
    routes = app.conf.task_routes
    if layout == "single":
        use_routes(app, {})
        cmds = [("single", [sys.executable, "-c", OLD_WORKER, "worker", "-n", "single@%h", "-Q", "celery",
                            "--concurrency", "2", "--loglevel", "INFO"])]
        names = ["single"]
    else:
        cmds = workers.commands(stack.tmp, beat=False)
        names = [name for name, _cmd in cmds]
    procs = workers.start(cmds, dict(os.environ), stack.tmp)
    try:
        workers.wait_ready(app, names, procs)
        for pk in batches:
            app.send_task(COMMIT, args=[pk])
        end = time.monotonic() + 120
        # both imports at work (at --smoke size they may be done already)
        while ImportBatch.objects.filter(pk__in=batches, status=ImportBatch.Status.PREVIEW).exists() \
                or not ImportBatch.objects.filter(pk__in=batches, processed__gt=0).count() == 2:
            if time.monotonic() > end:
                raise SystemExit("the imports did not start within 120 s")
            time.sleep(0.05)
        t0 = time.monotonic()
        person_set_status(actor=None, person=person, status=PersonStatus.SUSPENDED)
        while gateway.person_get(person.uid).status != PersonStatus.SUSPENDED:
            if time.monotonic() - t0 > GIVE_UP:
                break
            time.sleep(0.05)
        latency = time.monotonic() - t0
        waiting = DirectoryChange.objects.filter(bulk=True).exclude(status="applied").count()
    finally:
        workers.stop(procs)
        use_routes(app, routes)
    # back to where the next layout starts: the person active again, nothing queued
    redis.Redis.from_url(os.environ["IDM_REDIS_URL"]).flushall()
    DirectoryChange.objects.filter(bulk=True).exclude(status="applied").update(status="applied")
    person_set_status(actor=None, person=person, status=PersonStatus.ACTIVE)
    directory_changes_apply(list(DirectoryChange.objects.filter(status="pending").values_list("pk", flat=True)))
    return latency, waiting


def main() -> None:
    stack = Stack(nosync=NOSYNC, redis=True)
    try:
        from common import load_demo_units

        from provisioning.outbox.services import directory_changes_drain
        from provisioning.people.services import person_onboard
        from provisioning.units.models import Unit

        codes = load_demo_units()
        unit = Unit.objects.get(code=codes[1])
        person = person_onboard(actor=None, unit=unit, family="Lê", middle="Thị", given="Cúc", employee_code="S-1",
                                status="active")
        directory_changes_drain()
        results = {}
        for layout in ("single", "split"):
            results[layout] = measure(stack, layout, person, unit.code)
            print(f"  {layout:6s} suspension in the directory after {results[layout][0]:.2f} s "
                  f"({results[layout][1]} of the imports' directory changes still waiting)", flush=True)
        (old, _w), (new, _w2) = results["single"], results["split"]
        print(f"suspension to LDAP while two {ROWS:,}-row imports run: one worker {old:.2f} s, "
              f"directory worker of its own {new:.2f} s, ratio {old / max(new, 0.001):.1f} "
              f"(target {TARGET:.0f} s)")
    finally:
        stack.close()


if __name__ == "__main__":
    run_per_engine(main)
