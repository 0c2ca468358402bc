"""Imports do not starve directory changes (issue 15): with the Celery workers started as `make run`
and deploy/ start them (one process for directory changes, one for long work: idm/queues.py), a
suspension reaches the directory within seconds while two large imports are committing."""

from __future__ import annotations

import io
import itertools
import os
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from directory import gateway
from idm.celery import app
from provisioning.imports import services as imports
from provisioning.imports.models import ImportBatch
from provisioning.imports.tasks import COMMIT
from provisioning.outbox.models import DirectoryChange
from provisioning.people.models import PersonStatus
from provisioning.people.services import person_set_status
from scripts.dev import workers
from tests import factories

ROWS = 3000  # per import: enough to keep both bulk slots (and the directory's bulk queue) busy meanwhile
DEADLINE = 10  # seconds from the suspension's commit to the directory entry saying so
FAMILIES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"]
MIDDLES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc"]
GIVENS = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Lan", "Linh", "Nam"]


def staff_csv(prefix: str, n: int, unit_code: str) -> bytes:
    names = itertools.cycle(itertools.product(FAMILIES, MIDDLES, GIVENS))
    lines = ["Mã cán bộ,Họ và tên,Đơn vị,Chức vụ"]
    lines += [f"{prefix}-{i:05d},{' '.join(next(names))},{unit_code},Chuyên viên" for i in range(n)]
    return "\n".join(lines).encode()


def worker_env() -> dict:
    """The workers' environment: `make run`'s settings module, pointed at this session's servers
    and test database."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDM_") and k != "DJANGO_SETTINGS_MODULE"}
    return env | {
        "DJANGO_SETTINGS_MODULE": "idm.settings.base", "IDM_DATABASE_URL": url, "IDM_VAR_DIR": str(settings.VAR_DIR),
        "IDM_LDAP_URL": settings.IDM_LDAP_URL, "IDM_LDAP_BASE_DN": settings.IDM_LDAP_BASE_DN,
        "IDM_LDAP_BIND_DN": settings.IDM_LDAP_BIND_DN, "IDM_LDAP_BIND_PASSWORD": settings.IDM_LDAP_BIND_PASSWORD,
        "IDM_REDIS_URL": settings.CELERY_BROKER_URL, "IDM_FIELD_KEYS": ",".join(settings.IDM_FIELD_KEYS),
        "IDM_DIGEST_KEY": settings.IDM_DIGEST_KEY, "IDM_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}


def wait_for(what: str, check, timeout: float) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, f"{what}: not within {timeout} s"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_suspension_reaches_the_directory_within_seconds_while_two_large_imports_run(tmp_path, redis_server):
    unit = factories.unit(factories.province(), "000.00.03.H45", "Sở Tài chính")
    person = factories.person(unit)  # active, in the directory
    batches = []
    for prefix in ("A", "B"):
        batch = imports.import_create(actor=None, fileobj=io.BytesIO(staff_csv(prefix, ROWS, unit.code)),
                                      filename=f"{prefix}.csv", scope=None)
        batch = imports.import_validate(batch.pk)
        assert batch.to_create == ROWS, batch.file_error or batch.rejected
        batches.append(batch.pk)

    procs = workers.start(workers.commands(tmp_path, python=sys.executable), worker_env(), tmp_path)
    try:
        workers.wait_ready(app, ["directory", "bulk"], procs)
        for pk in batches:
            app.send_task(COMMIT, args=[pk])
        # both imports hold a bulk slot, and their directory changes are queued
        wait_for("both imports committing", lambda: ImportBatch.objects.filter(
            pk__in=batches, status=ImportBatch.Status.COMMITTING, processed__gt=0).count() == 2, 120)
        wait_for("the imports' directory changes queued",
                 lambda: DirectoryChange.objects.filter(bulk=True, status="pending").count() >= 500, 60)

        t0 = time.monotonic()
        person_set_status(actor=None, person=person, status=PersonStatus.SUSPENDED)
        end = t0 + 120  # past the deadline too, so that a failure says how late it was
        while (entry := gateway.person_get(person.uid)).status != PersonStatus.SUSPENDED and time.monotonic() < end:
            time.sleep(0.05)
        latency = time.monotonic() - t0
        imports_busy = (ImportBatch.objects.filter(pk__in=batches, status=ImportBatch.Status.COMMITTING).exists()
                        or DirectoryChange.objects.filter(bulk=True).exclude(status="applied").exists())
    finally:
        workers.stop(procs)
    print(f"the suspension reached the directory after {latency:.2f} s")
    assert entry.status == PersonStatus.SUSPENDED and latency <= DEADLINE, (
        f"the suspension reached the directory after {latency:.1f} s (at most {DEADLINE} s)")
    assert not entry.mail_enabled
    # the premise: the imports were still at work when it landed, else this test proved nothing
    assert imports_busy, f"the imports were done before the suspension landed: raise ROWS ({ROWS})"
