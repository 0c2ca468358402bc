"""What the fault tests do inside the scaled stack: each function runs in a fresh Django process set
up against the stack (ScaledStack.python), never in the test process (whose database is the test
suite's own)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

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
    """Rows by status; 'failed' counts only failures not since resolved by a later applied row for the
    same object (an earlier test's C-15 failures, repaired, do not count)."""
    from django.db.models import Exists, OuterRef

    from provisioning.outbox.models import DirectoryChange

    out = {s: DirectoryChange.objects.filter(status=s).count() for s in ("pending", "running")}
    later = DirectoryChange.objects.filter(kind=OuterRef("kind"), object_id=OuterRef("object_id"),
                                           status="applied", pk__gt=OuterRef("pk"))
    out["failed"] = DirectoryChange.objects.filter(status="failed").exclude(Exists(later)).count()
    return out


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
                    "differing": dict(list(d.differing_people.items())[:5]),
                    "unprepared_mailboxes": d.unprepared_mailboxes[:50]}
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


def c07_kill_worker_after_ldap_write(prefix: str, n: int, worker_pid: int, root: tuple[str, str, str],
                                     timeout: float = 60, crash: str = "worker", cluster: tuple | None = None) -> dict:
    """C-07: n people onboarded, their n directory changes sent as ONE task (so a worker claims them
    together and marks them together at the end). The rows are locked from the moment the worker
    has claimed them, so it writes the directory and then blocks marking them applied; once every
    entry is in the directory, kill -9 the worker's pool processes (crash="worker") or stop and
    start PostgreSQL (crash="database", C-09); then let go of the lock."""
    from unittest import mock

    from django.db import DatabaseError, connection

    from provisioning.outbox import services
    from provisioning.outbox.models import DirectoryChange

    with mock.patch.object(services, "dispatch"):  # our own seam: publish them below, as one task
        pks = onboard(prefix, n, one_transaction=True)
    rows = list(DirectoryChange.objects.filter(kind="person", object_id__in=pks).values_list("pk", flat=True))
    services.dispatch(rows)
    end = time.monotonic() + timeout
    while not DirectoryChange.objects.filter(pk__in=rows, status="running").exists():
        if time.monotonic() > end:
            raise TimeoutError("no worker claimed the rows")
        time.sleep(0.002)
    report: dict = {"rows": len(rows), "killed": [], "locked_rows": 0}
    try:
        _hold_then_crash(rows, pks, root, end, worker_pid, crash, cluster, report)
    except DatabaseError:
        assert crash == "database", "only the database crash may end this session"
        connection.close()  # the server restarted under this session
    report["running_after_crash"] = DirectoryChange.objects.filter(pk__in=rows, status="running").count()
    return report


def _hold_then_crash(rows, pks, root, end, worker_pid, crash, cluster, report) -> None:
    from django.db import connection, transaction

    from directory import admin
    from provisioning.outbox.models import DirectoryChange
    from provisioning.people.models import Person

    url, root_dn, root_pw = root
    with transaction.atomic():
        report["locked_rows"] = len(DirectoryChange.objects.select_for_update()
                                    .filter(pk__in=rows, status="running").values_list("pk", flat=True))
        uids = set(Person.objects.filter(pk__in=pks).values_list("uid", flat=True))
        base = "ou=people," + root_dn.split(",", 1)[1]
        while True:
            found = admin.dump(url, root_dn, root_pw, base, attributes=("uid",))
            if uids <= {a["uid"][0] for a in found.values() if a.get("uid")}:
                break
            if time.monotonic() > end:
                raise TimeoutError("the worker did not write the entries")
            time.sleep(0.01)
        if crash == "database":  # C-09: PostgreSQL goes away while the worker marks the rows
            from scripts.dev import postgres

            pg = postgres.Cluster(directory=Path(cluster[0]), port=cluster[1], password=cluster[2])
            postgres.stop_server(pg)
            time.sleep(1.0)
            postgres.start_server(pg)
            DirectoryChange.objects.count()  # this session is gone too: DatabaseError
        for pid in subprocess.run(["pgrep", "-P", str(worker_pid)], capture_output=True, text=True).stdout.split():
            os.kill(int(pid), signal.SIGKILL)
            report["killed"].append(int(pid))
        # the dead worker's UPDATE ... applied is already inside PostgreSQL, waiting on our lock: a
        # crashed host takes its database sessions with it, so end that session too (otherwise
        # PostgreSQL would finish the statement for the dead process once we let go)
        with connection.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                        "AND wait_event_type = 'Lock' AND query ILIKE %s",
                        [f"%{DirectoryChange._meta.db_table}%"])
            report["sessions_ended"] = len(cur.fetchall())
        time.sleep(0.5)


def set_password(prefix: str, password: str) -> str:
    """Test set-up: the first PREFIX person gets a password in the directory; returns the uid."""
    from directory import gateway
    from directory.passwords import hash_password
    from provisioning.people.models import Person

    uid = Person.objects.filter(employee_code__startswith=f"{prefix}-").order_by("employee_code")[0].uid
    gateway.person_set_password_hash(uid, hash_password(password))
    return uid


def login_seconds(uid: str, password: str) -> dict:
    """A web login through the real authentication backends (a search on the kept service connection,
    then the person's bind)."""
    from django.contrib.auth import authenticate

    t = time.monotonic()
    try:
        user = authenticate(None, username=uid, password=password)
        outcome = "ok" if user is not None else "refused"
    except Exception as exc:  # DirectoryUnavailable: what the login page shows as "directory unavailable"
        outcome = f"error: {exc.__class__.__name__}"
    return {"outcome": outcome, "seconds": time.monotonic() - t}


def login_seconds_warm_then_paused(uid: str, password: str, pid: int) -> dict:
    """As a long-running web worker sees it: one login (the thread's service connection is now bound to
    the first provider and kept), then that provider is paused (SIGSTOP, `pid`), then a timed login.
    The caller resumes it."""
    import os
    import signal

    before = login_seconds(uid, password)
    os.kill(pid, signal.SIGSTOP)
    return {"before": before["outcome"], **login_seconds(uid, password)}


def onboard_unsent(prefix: str, n: int) -> list[int]:
    """n people onboarded with their directory changes recorded but not published; the row ids."""
    from unittest import mock

    from provisioning.outbox import services
    from provisioning.outbox.models import DirectoryChange

    with mock.patch.object(services, "dispatch"):  # our own seam: the test publishes them itself
        pks = onboard(prefix, n, one_transaction=True)
    return list(DirectoryChange.objects.filter(kind="person", object_id__in=pks).values_list("pk", flat=True))


def publish_twice_at_once(rows: list[int]) -> None:
    """C-10: the same message twice, to the two slots of the directory worker at once."""
    from idm.celery import app
    from provisioning.outbox.services import APPLY_TASK

    app.send_task(APPLY_TASK, args=[rows])
    app.send_task(APPLY_TASK, args=[rows])


def status_changes_reversed(prefix: str) -> dict:
    """C-11: suspend, then reactivate, one person; the two changes delivered in the reverse order."""
    from unittest import mock

    from provisioning.outbox import services
    from provisioning.outbox.models import DirectoryChange
    from provisioning.people.models import Person
    from provisioning.people.services import person_set_status

    person = Person.objects.get(employee_code=f"{prefix}-0000")
    before = set(DirectoryChange.objects.values_list("pk", flat=True))
    with mock.patch.object(services, "dispatch"):
        person_set_status(actor=None, person=person, status="suspended")
        suspended = sorted(set(DirectoryChange.objects.values_list("pk", flat=True)) - before)
        person_set_status(actor=None, person=Person.objects.get(pk=person.pk), status="active")
        reactivated = sorted(set(DirectoryChange.objects.values_list("pk", flat=True)) - before - set(suspended))
    services.dispatch(reactivated)  # the later intent first
    time.sleep(1.0)
    services.dispatch(suspended)  # then the stale one
    return {"uid": person.uid, "suspended_rows": suspended, "reactivated_rows": reactivated}


def directory_status(uid: str, urls: list[str]) -> dict[str, str | None]:
    """vnAccountStatus of one person on each server, read through the gateway."""
    from django.conf import settings

    from directory import connection, gateway

    out = {}
    for url in urls:
        settings.IDM_LDAP_URLS = url
        connection.drop()
        entry = gateway.person_get(uid)
        out[url] = entry.status if entry else None
    return out


def first_uids(prefix: str, n: int) -> list[str]:
    from provisioning.people.models import Person

    return list(Person.objects.filter(employee_code__startswith=f"{prefix}-").order_by("employee_code")
                .values_list("uid", flat=True)[:n])


def repair_from(urls: list[str]) -> dict:
    """`reconcile --repair` (without --delete-extra) against the providers."""
    from django.conf import settings

    from directory import connection
    from provisioning.reconcile.services import compare, repair

    settings.IDM_LDAP_URLS = ",".join(urls)
    connection.drop()
    drift = compare()
    repair(drift, actor=None, source="fault test C-14")
    return {"repaired": drift.total}


def failed_rows(prefix: str) -> list[dict]:
    from provisioning.outbox.models import DirectoryChange
    from provisioning.people.models import Person

    pks = list(Person.objects.filter(employee_code__startswith=f"{prefix}-").values_list("pk", flat=True))
    return list(DirectoryChange.objects.filter(kind="person", object_id__in=pks, status="failed")
                .values("pk", "attempts", "last_error"))


def repair_and_delete_extra(urls: list[str], uids: list[str]) -> int:
    """`reconcile --repair --delete-extra`, the explicit flag, limited to these extra uids."""
    from django.conf import settings

    from directory import connection
    from provisioning.reconcile.services import compare, repair

    settings.IDM_LDAP_URLS = ",".join(urls)
    connection.drop()
    drift = compare()
    drift.extra_people = [u for u in drift.extra_people if u in uids]
    repair(drift, actor=None, source="fault test C-18", delete_extra=True)
    return len(drift.extra_people)


def import_commit_sent(prefix: str, n: int) -> int:
    """An n-row staff file uploaded, checked and its commit sent to the bulk workers; the batch id."""
    import io

    from idm.celery import app
    from provisioning.imports import services as imports
    from provisioning.imports.tasks import COMMIT
    from provisioning.units.models import Unit

    unit = Unit.objects.exclude(parent=None).order_by("code")[0].code
    lines = ["Mã cán bộ,Họ và tên,Đơn vị,Chức vụ"]
    lines += [f"{prefix}-{i:04d},Trần Thị {GIVENS[i % len(GIVENS)]},{unit},Chuyên viên" for i in range(n)]
    batch = imports.import_create(actor=None, fileobj=io.BytesIO("\n".join(lines).encode()),
                                  filename=f"{prefix}.csv", scope=None)
    imports.import_validate(batch.pk)
    app.send_task(COMMIT, args=[batch.pk])
    return batch.pk


def import_state(batch_id: int, prefix: str) -> dict:
    from provisioning.imports.models import ImportBatch

    rows = changes_of(prefix)
    return {"status": ImportBatch.objects.get(pk=batch_id).status, "people": people_in_sql(prefix)["count"],
            "applied": sum(1 for r in rows if r["status"] == "applied"), "rows": len(rows),
            "attempts": sorted({r["attempts"] for r in rows})}


def sigterm_when_first_applied(batch_id: int, prefix: str, pids: list[int], timeout: float = 120) -> dict:
    """C-08: SIGTERM to the workers as soon as the first of the import's directory changes is applied."""
    from provisioning.outbox.models import DirectoryChange
    from provisioning.people.models import Person

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        pks = Person.objects.filter(employee_code__startswith=f"{prefix}-").values("pk")
        if DirectoryChange.objects.filter(kind="person", object_id__in=pks, status="applied").exists():
            break
        time.sleep(0.01)
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    return import_state(batch_id, prefix)


def wait_stores(timeout: float = 120) -> int:
    """Until no active person's mailbox store is pending (C-12); returns how many are created."""
    from provisioning.mailboxes.models import MailboxStore

    end = time.monotonic() + timeout
    while MailboxStore.objects.filter(status="pending", person__status="active").exists():
        if time.monotonic() > end:
            left = list(MailboxStore.objects.filter(status="pending").values("address", "attempts", "last_error")[:5])
            raise TimeoutError(f"mailbox stores still pending after {timeout} s: {left}")
        time.sleep(0.2)
    return MailboxStore.objects.filter(status="created").count()


def mailboxes_of(prefix: str, urls: list[str]) -> list[dict]:
    """C-12: each PREFIX person's mailbox as the directory (each server), SQL and the pages see it."""
    from django.conf import settings

    from directory import connection, gateway
    from provisioning.mailboxes.models import MailboxStore
    from provisioning.mailboxes.stores import mailbox_being_prepared
    from provisioning.people.models import Person

    out = []
    for person in Person.objects.filter(employee_code__startswith=f"{prefix}-").order_by("employee_code"):
        store = MailboxStore.objects.filter(person=person, address=person.mail).first()
        row = {"uid": person.uid, "mail": person.mail, "being_prepared": mailbox_being_prepared(person),
               "store": store.status if store else None, "attempts": store.attempts if store else 0,
               "last_error": store.last_error if store else "", "directory": {}}
        for url in urls:
            settings.IDM_LDAP_URLS = url
            connection.drop()
            entry = gateway.person_get(person.uid)
            row["directory"][url] = [entry.mail, entry.mail_enabled] if entry else None
        out.append(row)
    return out


def wait_store_attempted(prefix: str, attempts: int = 2, timeout: float = 60) -> list[dict]:
    """Until every PREFIX person's store was tried (and refused) at least `attempts` times."""
    from provisioning.mailboxes.models import MailboxStore

    end = time.monotonic() + timeout
    while True:
        rows = list(MailboxStore.objects.filter(person__employee_code__startswith=f"{prefix}-")
                    .values("address", "status", "attempts", "last_error"))
        if rows and all(r["attempts"] >= attempts for r in rows):
            return rows
        if time.monotonic() > end:
            raise TimeoutError(f"stores not retried: {rows}")
        time.sleep(0.2)


def hr_officer(prefix: str, password: str) -> str:
    """An active HR officer over the whole province, with a password; returns the uid."""
    from accounts.models import Role, RoleAssignment
    from provisioning.people.models import Person
    from provisioning.units.models import Unit

    if not Person.objects.filter(employee_code__startswith=f"{prefix}-").exists():
        onboard(prefix, 1)
    person = Person.objects.get(employee_code=f"{prefix}-0000")
    RoleAssignment.objects.get_or_create(person=person, role=Role.HR_ADMIN, unit=Unit.objects.get(parent=None))
    wait_applied()
    return set_password(prefix, password)


def batches_named(filename: str) -> list[dict]:
    from provisioning.imports.models import ImportBatch

    return list(ImportBatch.objects.filter(filename=filename).order_by("pk").values(
        "pk", "status", "sha256", "total", "processed", "to_create", "created", "updated", "already", "failed",
        "rejected"))


def people_once(prefix: str) -> dict:
    """C-16: PREFIX people in SQL, and whether anyone is there twice (by employee code or by name and unit)."""
    from django.db.models import Count

    from provisioning.people.models import Person

    people = Person.objects.filter(employee_code__startswith=f"{prefix}-")
    twice = (people.values("family_name", "middle_name", "given_name", "unit_id", "position")
             .annotate(n=Count("pk")).filter(n__gt=1).count())
    return {"count": people.count(), "codes": people.values("employee_code").distinct().count(),
            "same_person_twice": twice}
