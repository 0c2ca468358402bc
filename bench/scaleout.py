"""The scaled stack does what the embedded default does (issue 13), and how fast it imports.

One workload, run twice:
  * embedded: SQLite, one slapd, directory changes applied in this process (bench/common.py Stack);
  * scaled:   PostgreSQL, two slapd providers in multi-provider replication + a read-only consumer,
              three Celery worker processes (scripts/dev/scaled.py), changes applied by the workers.
The workload: the demo units, an N-person import, activations, transfers, suspensions, leavers,
mailbox decisions, then the same file imported again. Then both end states are compared: the SQL
rows (normalised: no ids of their own, no timestamps, no ciphertexts or keyed digests: the two
stacks have different keys) and the directory as `slapcat` prints it, on each provider and on the
consumer (operational attributes, password hashes and ou=services aside, entries sorted).

Then, on the scaled stack, an import of N more people with 1 worker and with 3 workers (seconds from
the commit task to the last directory change applied on a provider), and `ldapadd` of the same
entries into the same provider.

    python bench/scaleout.py [N] [--smoke]        (N default 10,000; --smoke: 40)
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, SMOKE, size

N = size(10_000, smoke=40)
TARGET = "end states identical"
# slapcat attributes that say when/where/by whom, not what
OPERATIONAL = {"entrycsn", "entryuuid", "createtimestamp", "modifytimestamp", "creatorsname", "modifiersname",
               "contextcsn", "structuralobjectclass", "pwdchangedtime", "pwdhistory", "pwdfailuretime",
               "pwdlastsuccess", "authtimestamp"}


# ---------------------------------------------------------------- the workload (runs inside Django)


def _wait_applied(mode: str, timeout: float = 3600) -> None:
    """Every directory change applied: here (embedded) or by the workers (scaled)."""
    from provisioning.outbox.models import DirectoryChange
    from provisioning.outbox.services import directory_changes_drain

    if mode == "embedded":
        directory_changes_drain()
    end = time.monotonic() + timeout
    while DirectoryChange.objects.filter(status__in=["pending", "running"]).exists():
        if time.monotonic() > end:
            raise SystemExit("directory changes still waiting after the timeout")
        time.sleep(0.1)
    failed = list(DirectoryChange.objects.filter(status="failed").values_list("kind", "object_id", "last_error")[:5])
    if failed:
        raise SystemExit(f"directory changes failed: {failed}")


def _import(mode: str, path: Path) -> float:
    """Upload, check and commit a staff file; seconds from the commit to the last change applied."""
    from idm.celery import app
    from provisioning.imports import services as imports
    from provisioning.imports.models import ImportBatch
    from provisioning.imports.tasks import COMMIT

    with open(path, "rb") as f:
        batch = imports.import_create(actor=None, fileobj=f, filename=path.name, scope=None)
    imports.import_validate(batch.pk)
    t0 = time.monotonic()
    if mode == "embedded":
        imports.import_commit(batch.pk)
    else:
        app.send_task(COMMIT, args=[batch.pk])
        while ImportBatch.objects.get(pk=batch.pk).status != ImportBatch.Status.DONE:
            time.sleep(0.1)
    _wait_applied(mode)
    return time.monotonic() - t0


def staff_file(tmp: Path, n: int, prefix: str = "QT") -> Path:
    """Written once and imported by both runs: an XLSX records when it was written, and the
    upload's size is in the audit trail."""
    from common import write_xlsx

    from scripts.dev import demo_data

    path = tmp / f"staff-{prefix}.xlsx"
    if not path.exists():
        write_xlsx(path, n, [u[0] for u in demo_data.UNITS], prefix=prefix)
    return path


def workload(mode: str, n: int, tmp: Path) -> dict:
    from common import load_demo_units

    from provisioning.people.models import Person, PersonStatus
    from provisioning.people.services import person_set_status, person_transfer, person_update
    from provisioning.units.models import Unit

    codes = load_demo_units()
    _wait_applied(mode)
    staff = staff_file(tmp, n)
    seconds = _import(mode, staff)
    units = {u.code: u for u in Unit.objects.all()}
    targets = codes[1:]
    for i, person in enumerate(Person.objects.order_by("employee_code")):
        if i % 4 == 0:
            person = person_set_status(actor=None, person=person, status=PersonStatus.ACTIVE)
        if i % 10 == 3:
            person = person_transfer(actor=None, person=person, unit=units[targets[(i // 10) % len(targets)]])
        if i % 25 in (1, 2):
            person = person_update(actor=None, person=person,
                                   mailbox_decision="withheld" if i % 25 == 1 else "issued")
        if i % 12 == 0:
            person = person_set_status(actor=None, person=person, status=PersonStatus.SUSPENDED)
        if i % 20 == 0:
            person = person_set_status(actor=None, person=person, status=PersonStatus.LEFT)
    _wait_applied(mode)
    _import(mode, staff)  # the same file again: the transferred people move back, nobody is added twice
    return {"import_seconds": seconds, "sql": sql_rows()}


def sql_rows() -> dict[str, list[str]]:
    """Every row of idm's own tables, as sorted JSON lines, without what differs between two stacks by
    nature: own ids, timestamps, ciphertexts and keyed digests, hash-chain values, worker bookkeeping."""
    from django.apps import apps
    from django.db import models

    skip_fields = {"claim", "attempts", "last_error", "password", "last_login", "stored_name", "sha256"}
    natural = {"Unit": "code", "Person": "employee_code", "User": "username"}
    out = {}
    for model in apps.get_models():
        if model._meta.app_label in ("sessions", "contenttypes", "admin", "auth", "django_celery_beat"):
            continue
        if model._meta.label == "provisioning.MailboxStore":  # the mail server's work; the embedded run has none
            continue
        fields = []
        for f in model._meta.concrete_fields:
            name = f.name
            if f.primary_key or isinstance(f, models.DateTimeField) or name in skip_fields \
                    or name.endswith(("_encrypted", "_digest", "hash", "_token", "signature", "_key")):
                continue
            fields.append(f)
        rows = []
        for obj in model.objects.all().select_related(*[f.name for f in fields if f.is_relation]):
            row = {}
            for f in fields:
                if f.is_relation:
                    target = getattr(obj, f.name)
                    key = natural.get(f.related_model.__name__)
                    row[f.name] = getattr(target, key) if target is not None and key else (
                        None if target is None else "<ref>")
                else:
                    row[f.name] = getattr(obj, f.attname)
            rows.append(json.dumps(row, sort_keys=True, default=str, ensure_ascii=False))
        if rows:
            out[model._meta.label] = sorted(rows)
    return out


# ---------------------------------------------------------------- the directory as slapcat sees it


def ldif_entries(text: str) -> dict[str, dict[str, list[str]]]:
    """slapcat output -> {dn: {attribute: sorted values}}, operational attributes, password hashes
    (salted: a value differs every time) and ou=services (accounts differ by stack) aside."""
    entries: dict[str, dict[str, list[str]]] = {}
    for block in text.strip().split("\n\n"):
        lines: list[str] = []
        for line in block.splitlines():
            if line.startswith(" ") and lines:
                lines[-1] += line[1:]
            elif line and not line.startswith("#"):
                lines.append(line)
        attrs: dict[str, list[str]] = {}
        dn = None
        for line in lines:
            name, _, value = line.partition(":")
            if value.startswith(":"):
                value = base64.b64decode(value[1:].strip()).decode("utf-8", "replace")
            else:
                value = value.strip()
            if name.lower() == "dn":
                dn = value.lower()
                continue
            key = name.lower()
            if key in OPERATIONAL:
                continue
            if key == "userpassword":
                value = "<set>"
            attrs.setdefault(key, []).append(value)
        if dn and ",ou=services," not in dn:
            entries[dn] = {k: sorted(v) for k, v in sorted(attrs.items())}
    return dict(sorted(entries.items()))


def diff(a: dict, b: dict, limit: int = 5) -> list[str]:
    out = []
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            out.append(f"  {key}: {str(a.get(key))[:300]} != {str(b.get(key))[:300]}")
            if len(out) >= limit:
                break
    return out


# ---------------------------------------------------------------- the two runs


def embedded_part(out: Path, tmp: Path) -> None:
    from common import Stack

    from scripts.dev import slapd

    stack = Stack(nosync=True)
    try:
        result = workload("embedded", N, tmp)
        result["ldap"] = ldif_entries(slapd.slapcat(stack.slapd_cfg))
        out.write_text(json.dumps(result, ensure_ascii=False))
    finally:
        stack.close()


def scaled_driver(step: str, n: int, tmp: str, prefix: str = "") -> object:
    """Called inside the scaled stack (ScaledStack.python) by main()."""
    if step == "workload":
        return workload("scaled", n, Path(tmp))
    return _import("scaled", staff_file(Path(tmp), n, prefix))


def main() -> None:
    import signal

    from scripts.dev import scaled, slapd

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a timed-out smoke run still stops its servers
    tmp = Path(tempfile.mkdtemp(prefix="idm-scaleout-"))
    t0 = time.monotonic()
    emb_file = tmp / "embedded.json"
    staff_file(tmp, N)
    # the embedded run in its own process (Django is set up once per process), while the scaled stack starts
    embedded_run = subprocess.Popen([sys.executable, __file__, "--part=embedded", f"--out={emb_file}", f"--tmp={tmp}",
                                     str(N)] + (["--smoke"] if SMOKE else []), cwd=ROOT)
    stack = scaled.ScaledStack(root=tmp / "stack", workers=3, web=False, mail=False)
    signal_stop = stack.close
    try:
        stack.start()
        if embedded_run.wait():
            raise SystemExit(f"the embedded run failed ({embedded_run.returncode})")
        embedded = json.loads(emb_file.read_text())
        print(f"embedded default (SQLite, one slapd, in-process): {N:,} people, workload done "
              f"in {time.monotonic() - t0:.0f} s (started beside the scaled stack)", flush=True)
        drive = ("import sys; sys.path.insert(0, 'bench'); import scaleout\n"
                 "result = scaleout.scaled_driver({step!r}, {n}, {tmp!r}, {prefix!r})")
        t1 = time.monotonic()
        result = stack.python(drive.format(step="workload", n=N, tmp=str(tmp), prefix=""), timeout=7200)
        waited = stack.wait_replicated(timeout=300)
        print(f"scaled stack (PostgreSQL, 2 providers + 1 consumer, 3 workers): workload done in "
              f"{time.monotonic() - t1:.0f} s, replicas in sync {waited:.2f} s later", flush=True)
        dumps = {c.directory.rsplit("/", 1)[-1]: ldif_entries(slapd.slapcat(c)) for c in stack.ldap}
        problems = []
        if result["sql"] != embedded["sql"]:
            for table in sorted(set(result["sql"]) | set(embedded["sql"])):
                a, b = embedded["sql"].get(table, []), result["sql"].get(table, [])
                if a != b:
                    problems.append(f"SQL {table}: embedded {len(a)} rows, scaled {len(b)} rows; first differences:")
                    problems += [f"    - {x[:300]}" for x in sorted(set(a) - set(b))[:3]]
                    problems += [f"    + {x[:300]}" for x in sorted(set(b) - set(a))[:3]]
        for name, entries in dumps.items():
            if entries != embedded["ldap"]:
                problems.append(f"directory {name} differs from the embedded slapd:")
                problems += diff(embedded["ldap"], entries)
        people = sum(1 for dn in embedded["ldap"] if ",ou=people," in dn)
        print(f"  SQL: {sum(len(v) for v in embedded['sql'].values()):,} rows in {len(embedded['sql'])} tables; "
              f"directory: {len(embedded['ldap']):,} entries ({people:,} people) on the embedded slapd and on "
              f"{', '.join(dumps)}", flush=True)
        if problems:
            print("\n".join(problems))
            raise SystemExit("the scaled stack's end state differs from the embedded default's")

        figures = {}
        for workers, prefix in ((1, "W1"), (3, "W3")):
            stack.start_workers(workers)
            figures[workers] = stack.python(drive.format(step="import", n=N, tmp=str(tmp), prefix=prefix),
                                            timeout=7200)
        ldapadd_s = ldapadd_same_entries(stack, "W3")
        print(f"\nimport of {N:,} people into the scaled stack (commit to the last change on a provider):")
        print(f"  {'1 worker':28s} {figures[1]:8.1f} s  {N / figures[1]:8.0f} people/s")
        print(f"  {'3 workers':28s} {figures[3]:8.1f} s  {N / figures[3]:8.0f} people/s")
        print(f"  {'ldapadd, same entries':28s} {ldapadd_s:8.1f} s  {N / ldapadd_s:8.0f} entries/s "
              "(directory only: no SQL, no audit, no uid allocation)")
        print(f"end state of {N:,}-person workload: SQL and slapcat of 2 providers + consumer equal to the "
              f"embedded default's; total {time.monotonic() - t0:.0f} s (target {TARGET})")
    finally:
        if embedded_run.poll() is None:
            embedded_run.terminate()
            embedded_run.wait(30)
        signal_stop()
        shutil.rmtree(tmp, ignore_errors=True)


def ldapadd_same_entries(stack, prefix: str) -> float:
    """Take the entries the last import made off the first provider and add them again with ldapadd."""
    c = stack.providers[0]
    auth = ["-x", "-H", c.url, "-D", c.root_dn, "-w", c.root_password]
    people = f"ou=people,{c.base_dn}"
    ldif = subprocess.run(["ldapsearch", *auth, "-LLL", "-o", "ldif-wrap=no", "-b", people,
                           f"(employeeNumber={prefix}-*)", "*"], capture_output=True, text=True, check=True).stdout
    dns = [line[4:] for line in ldif.splitlines() if line.startswith("dn: ")]
    r = subprocess.run(["ldapdelete", *auth, "-c", *dns], text=True, capture_output=True)
    if r.returncode:
        raise SystemExit(f"ldapdelete failed: {r.stderr[-1000:]} (of {len(dns)} entries: {dns[:3]})")
    stack.wait_replicated(timeout=300)
    path = Path(stack.root) / "same.ldif"
    path.write_text(ldif)
    t = time.monotonic()
    subprocess.run(["ldapadd", *auth, "-c", "-f", str(path)], capture_output=True, check=True)
    return time.monotonic() - t


if __name__ == "__main__":
    part = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--part=")), None)
    if part == "embedded":
        embedded_part(Path(next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--out="))),
                      Path(next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--tmp="))))
    else:
        os.environ.pop("DJANGO_SETTINGS_MODULE", None)
        main()
