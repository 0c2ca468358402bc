"""What the fault tests do inside the scaled stack: each function runs in a fresh Django process set
up against the stack (ScaledStack.python), never in the test process (whose database is the test
suite's own)."""

from __future__ import annotations

import os
import signal
import subprocess
import time

GIVENS = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương"]


def units() -> list[str]:
    """The demo units, loaded once (their directory entries applied by the workers)."""
    from provisioning.units.models import Unit
    from scripts.dev import demo, demo_data

    if not Unit.objects.exists():
        demo.load_units(demo_data.PROVINCE, demo_data.UNITS)
    return [demo_data.PROVINCE_CODE] + [u[0] for u in demo_data.UNITS]


def onboard(prefix: str, n: int, *, one_transaction: bool = False) -> list[int]:
    """n active people with employee codes PREFIX-0000...; their directory changes are queued (the
    workers apply them). One transaction per person, as HR onboards, unless one_transaction."""
    from django.db import transaction

    from provisioning.people.services import person_onboard
    from provisioning.units.models import Unit

    unit_list = list(Unit.objects.exclude(parent=None).order_by("code"))

    def one(i: int) -> int:
        return person_onboard(actor=None, unit=unit_list[i % len(unit_list)], family="Nguyễn", middle="Văn",
                              given=GIVENS[i % len(GIVENS)], employee_code=f"{prefix}-{i:04d}",
                              status="active").pk

    if one_transaction:
        with transaction.atomic():
            return [one(i) for i in range(n)]
    return [one(i) for i in range(n)]


def waiting() -> dict:
    from provisioning.outbox.models import DirectoryChange

    return {s: DirectoryChange.objects.filter(status=s).count() for s in ("pending", "running", "failed")}


def wait_applied(timeout: float = 120) -> dict:
    """Until no directory change is pending or running; returns the counts by status."""
    end = time.monotonic() + timeout
    while True:
        w = waiting()
        if not w["pending"] and not w["running"]:
            return w
        if time.monotonic() > end:
            raise TimeoutError(f"directory changes still waiting after {timeout} s: {w}")
        time.sleep(0.2)


def reconcile_each(urls: list[str]) -> dict[str, dict]:
    """reconcile against each directory server on its own (providers and the read-only consumer)."""
    from django.conf import settings

    from directory import connection
    from provisioning.reconcile.services import compare

    out = {}
    for url in urls:
        settings.IDM_LDAP_URLS = url
        connection.drop()
        d = compare()
        out[url] = {"total": d.total, "missing": d.missing_people[:5], "extra": d.extra_people[:5],
                    "differing": dict(list(d.differing_people.items())[:5])}
    return out


def people_in_sql(prefix: str) -> dict:
    from provisioning.people.models import Person

    rows = list(Person.objects.filter(employee_code__startswith=f"{prefix}-").values_list("uid", "employee_code"))
    return {"count": len(rows), "uids": sorted(u for u, _c in rows)}


def changes_of(prefix: str) -> list[dict]:
    from provisioning.outbox.models import DirectoryChange
    from provisioning.people.models import Person

    pks = list(Person.objects.filter(employee_code__startswith=f"{prefix}-").values_list("pk", flat=True))
    return list(DirectoryChange.objects.filter(kind="person", object_id__in=pks)
                .values("pk", "object_id", "status", "attempts"))


def kill_children_after_ldap_write(prefix: str, worker_pid: int, root: tuple[str, str, str],
                                   timeout: float = 60) -> dict:
    """C-07: hold the outbox rows of PREFIX's people locked from the moment a worker has claimed
    them, so that the worker writes the directory and then blocks marking them applied; once the
    entries are in the directory, kill -9 the worker's pool processes; then let go."""
    from django.db import transaction

    from directory import admin
    from provisioning.outbox.models import DirectoryChange
    from provisioning.people.models import Person

    url, root_dn, root_pw = root
    pks = list(Person.objects.filter(employee_code__startswith=f"{prefix}-").values_list("pk", flat=True))
    end = time.monotonic() + timeout
    while not DirectoryChange.objects.filter(kind="person", object_id__in=pks, status="running").exists():
        if time.monotonic() > end:
            raise TimeoutError("no worker claimed the rows")
        time.sleep(0.005)
    killed = []
    with transaction.atomic():
        locked = list(DirectoryChange.objects.select_for_update().filter(kind="person", object_id__in=pks,
                                                                          status="running").values_list("pk",
                                                                                                        flat=True))
        uids = list(Person.objects.filter(pk__in=pks).values_list("uid", flat=True))
        base = "ou=people," + root_dn.split(",", 1)[1]
        while True:
            found = admin.dump(url, root_dn, root_pw, base, attributes=("uid",))
            have = {a["uid"][0] for dn, a in found.items() if a.get("uid")}
            if set(uids) <= have:
                break
            if time.monotonic() > end:
                raise TimeoutError("the worker did not write the entries")
            time.sleep(0.01)
        children = subprocess.run(["pgrep", "-P", str(worker_pid)], capture_output=True, text=True).stdout.split()
        for pid in children:
            os.kill(int(pid), signal.SIGKILL)
            killed.append(int(pid))
        time.sleep(0.5)
    return {"locked_rows": locked, "killed": killed, "entries_written_before_kill": len(uids)}
