"""Adoption reports at national scale: 1,000,000 people in 10,000 units, with mail usage and certificates.

    python bench/reports.py [N_PEOPLE] [--smoke] [--engine=sqlite|postgres]

Run without --engine, it runs once on SQLite and once on PostgreSQL (bench/common.py). Prints the daily
snapshot rebuild (target < 60 s on this 2-core machine), the server time of the province overview and of
a department's page (p95, target < 100 ms), each against a plain `SELECT COUNT(*)` over the people
measured in the same run (the floor any per-request count would pay), and the peak memory of the
Mailboxes CSV export streamed for one department and for the whole province (flat: about the same for
100 times the rows). People, periods, usage rows and certificates (70 % of people hold a personal one, a
few revoked or expired; a quarter of the units an organisational one) are bulk-inserted straight into
SQL: this measures the reports, not the import paths."""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
import tracemalloc

from common import Stack, run_per_engine, size

N = size(1_000_000, smoke=2_000)
UNITS = int(next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--units=")), 10_000 if N >= 100_000 else 60))


def main() -> None:
    stack = Stack(nosync=True)
    try:
        from django.db import connection
        from django.test import Client
        from django.utils import timezone

        from accounts.models import User
        from provisioning.certificates.models import Certificate
        from provisioning.mailboxes.models import MailboxUsage
        from provisioning.people.models import Person, PersonPeriod
        from provisioning.reports.selectors import figures
        from provisioning.reports.services import snapshot_build
        from provisioning.units.models import Unit, UnitVersion

        today = timezone.localdate()
        start = today - dt.timedelta(days=400)
        t0 = time.perf_counter()
        province = Unit.objects.create(code="000.00.00.H45", name="Tỉnh", kind="province", mail_domain="tinh.gov.vn",
                                       valid_from=start, path="/", depth=0)
        province.path = f"/{province.pk}/"
        province.save(update_fields=["path"])
        departments = max(UNITS // 100, 2)
        units = [province]
        for d in range(departments):
            dep = Unit.objects.create(code=f"D{d:04d}", name=f"Sở {d}", kind="department", parent=province,
                                      valid_from=start, path="/", depth=1)
            dep.path = f"{province.path}{dep.pk}/"
            dep.save(update_fields=["path"])
            units.append(dep)
            divisions = [Unit(code=f"D{d:04d}-{k:03d}", name=f"Phòng {d}.{k}", kind="division", parent=dep,
                              valid_from=start, path="/", depth=2) for k in range(UNITS // departments - 1)]
            Unit.objects.bulk_create(divisions)
            for u in divisions:
                u.path = f"{dep.path}{u.pk}/"
            Unit.objects.bulk_update(divisions, ["path"])
            units.extend(divisions)
        UnitVersion.objects.bulk_create(UnitVersion(unit=u, valid_from=start, name=u.name, kind=u.kind,
                                                    parent_id=u.parent_id, change="created") for u in units)
        leaves = [u for u in units if u.depth > 0]
        recent = timezone.now() - dt.timedelta(days=3)
        old = timezone.now() - dt.timedelta(days=90)
        for first in range(0, N, 20_000):
            people = []
            for i in range(first, min(N, first + 20_000)):
                people.append(Person(uid=f"u{i:07d}", employee_code=f"E{i:07d}", family_name="Nguyễn",
                                     given_name="An", unit=leaves[i % len(leaves)], status="active",
                                     category="cong_chuc" if i % 5 else "hop_dong", mail=f"u{i:07d}@tinh.gov.vn"))
            Person.objects.bulk_create(people, batch_size=5000)
            PersonPeriod.objects.bulk_create((PersonPeriod(person=p, unit_id=p.unit_id, status="active",
                                                           valid_from=start) for p in people), batch_size=5000)
            MailboxUsage.objects.bulk_create((MailboxUsage(day=today, address=p.mail, person=p, source="bench",
                                                           last_login=recent if int(p.uid[1:]) % 3 else old,
                                                           bytes_used=1 << 20) for p in people), batch_size=5000)
            Certificate.objects.bulk_create((_certificate(Certificate, p, int(p.uid[1:])) for p in people
                                             if int(p.uid[1:]) % 10 < 7), batch_size=5000)
        Certificate.objects.bulk_create((_certificate(Certificate, None, k, unit=u) for k, u in enumerate(units)
                                         if k % 4 == 0), batch_size=5000)
        with connection.cursor() as c:
            c.execute("ANALYZE")
        print(f"{Person.objects.count()} people in {len(units)} units, {Certificate.objects.count()} certificates "
              f"generated in {time.perf_counter() - t0:.0f} s", flush=True)

        t = time.perf_counter()
        rows = snapshot_build(today)
        build = time.perf_counter() - t
        print(f"daily snapshot: {rows} unit rows in {build:.1f} s (target < 60 s)", flush=True)

        admin = User.objects.create_superuser("superadmin", password="bench password long", source="local")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(admin, backend="accounts.backends.LocalSuperadminBackend")

        client.get("/reports/")  # the first request imports the URL configuration: not a report's cost

        cpu: dict[str, float] = {}

        def p95(url: str, runs: int = 60) -> float:
            """Server time (wall) p95; the median CPU time of this process is kept too, as a figure that
            other processes on the machine do not inflate."""
            times, cpus = [], []
            for _ in range(runs):
                t, c = time.perf_counter(), time.process_time()
                r = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
                times.append((time.perf_counter() - t) * 1000)
                cpus.append((time.process_time() - c) * 1000)
                assert r.status_code == 200, r.status_code
            cpu[url] = statistics.median(cpus)
            return statistics.quantiles(times, n=20)[-1]

        def count_ms(runs: int = 20) -> float:
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                Person.objects.filter(status="active").count()
                times.append((time.perf_counter() - t) * 1000)
            return statistics.quantiles(times, n=20)[-1]

        if "--profile" in sys.argv:
            import cProfile
            import pstats
            out = str(stack.tmp / "prof.out")
            for url in ("/reports/", f"/reports/units/{units[1].code}/", "/reports/ranking/?kind=division"):
                cProfile.runctx("client.get(url)", globals(), locals(), out)
                pstats.Stats(out).sort_stats("tottime").print_stats(15)
                from django.test.utils import CaptureQueriesContext
                with CaptureQueriesContext(connection) as ctx:
                    client.get(url)
                for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:12]:
                    print(q["time"], q["sql"][:300])
                print(len(ctx.captured_queries), "queries")
        floor = count_ms()
        overview = p95("/reports/")
        unit = p95(f"/reports/units/{units[1].code}/")
        api = p95(f"/api/v1/reports/units/{province.code}/")
        ranking = p95("/reports/ranking/?kind=division", runs=20)
        print(f"reference: COUNT(*) of active people p95 {floor:.1f} ms")
        print(f"overview p95 {overview:.1f} ms ({overview / floor:.2f}x the count); unit page p95 {unit:.1f} ms; "
              f"JSON API p95 {api:.1f} ms (target < 100 ms)", flush=True)
        print(f"ranking across the province, {len(units) - departments - 1} divisions: page p95 {ranking:.1f} ms")
        print("median CPU time of this process per request: " + ", ".join(f"{u} {ms:.1f} ms" for u, ms in cpu.items()))
        [top] = figures(today, province)
        print(f"province: {top.staff} staff, {top.mailbox_pct}% mailbox, {top.regular_pct}% regular, "
              f"{top.personal_cert} personal certificates ({top.cert_pct}%), {top.org_certs} organisational")

        def export_peak(unit_code: str) -> tuple[int, float]:
            """Rows and peak Python memory (MB) of the Mailboxes CSV export, read to the end as a browser would."""
            tracemalloc.start()
            r = client.get("/mailboxes/", {"export": "csv", "unit": unit_code})
            size = sum(chunk.count(b"\n") for chunk in r.streaming_content) - 1
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            return size, peak

        small_rows, small = export_peak(units[1].code)
        big_rows, big = export_peak(province.code)
        print(f"mailbox CSV export, streamed: {small_rows} rows peak {small:.1f} MB; {big_rows} rows peak {big:.1f} MB "
              f"({big_rows / max(small_rows, 1):.0f}x the rows, {big / small:.2f}x the memory; target flat, about 1x)")
    finally:
        stack.close()


def _certificate(model, person, i: int, unit=None):
    """A recorded certificate: personal (2 % revoked last week, 3 % expired) or the unit's organisational one."""
    now = dt.datetime.now(dt.UTC)
    expired, revoked = person is not None and i % 100 < 3, person is not None and 3 <= i % 100 < 5
    return model(kind="personal" if person else "organisation", person=person, unit_id=unit.pk if unit else
                 person.unit_id, serial=f"{'P' if person else 'O'}{i:X}", issuer="CN=bench CA", subject=f"CN={i}",
                 not_before=now - dt.timedelta(days=400), fingerprint=f"{'p' if person else 'o'}{i:063d}",
                 not_after=now - dt.timedelta(days=30) if expired else now + dt.timedelta(days=900),
                 spki_sha256=f"{i:064d}", der=b"-", status="revoked" if revoked else "active",
                 revoked_at=now - dt.timedelta(days=7) if revoked else None)


if __name__ == "__main__":
    run_per_engine(main)
