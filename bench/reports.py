"""Adoption reports at national scale: 1,000,000 people in 10,000 units, with mail usage.

    python bench/reports.py [N_PEOPLE] [--smoke] [--engine=sqlite|postgres]

Prints the daily snapshot rebuild (target < 60 s on this 2-core machine), and the server time of the
province overview and of a department's page (p95, target < 100 ms), each against a plain
`SELECT COUNT(*)` over the people measured in the same run (the floor any per-request count would pay).
People, periods and usage rows are bulk-inserted straight into SQL (this measures the reports)."""

from __future__ import annotations

import datetime as dt
import statistics
import time

from common import Stack, run_per_engine, size

N = size(1_000_000, smoke=2_000)
UNITS = 10_000 if N >= 100_000 else 60


def main() -> None:
    stack = Stack(nosync=True)
    try:
        from django.db import connection
        from django.test import Client
        from django.utils import timezone

        from accounts.models import User
        from provisioning.mailboxes.models import MailboxUsage
        from provisioning.people.models import Person, PersonPeriod
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
        with connection.cursor() as c:
            c.execute("ANALYZE")
        print(f"{Person.objects.count()} people in {len(units)} units generated in {time.perf_counter() - t0:.0f} s",
              flush=True)

        t = time.perf_counter()
        rows = snapshot_build(today)
        build = time.perf_counter() - t
        print(f"daily snapshot: {rows} unit rows in {build:.1f} s (target < 60 s)", flush=True)

        admin = User.objects.create_superuser("superadmin", password="bench password long", source="local")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(admin, backend="accounts.backends.LocalSuperadminBackend")

        client.get("/reports/")  # the first request imports the URL configuration: not a report's cost

        def p95(url: str, runs: int = 60) -> float:
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                r = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.status_code
            return statistics.quantiles(times, n=20)[-1]

        def count_ms(runs: int = 20) -> float:
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                Person.objects.filter(status="active").count()
                times.append((time.perf_counter() - t) * 1000)
            return statistics.quantiles(times, n=20)[-1]

        if "--profile" in __import__("sys").argv:
            import cProfile
            import pstats
            cProfile.runctx('client.get("/reports/")', globals(), locals(), "/tmp/note/prof.out")
            pstats.Stats("/tmp/note/prof.out").sort_stats("cumulative").print_stats(25)
        floor = count_ms()
        overview = p95("/reports/")
        unit = p95(f"/reports/units/{units[1].code}/")
        api = p95(f"/api/v1/reports/units/{province.code}/")
        print(f"reference: COUNT(*) of active people p95 {floor:.1f} ms")
        print(f"overview p95 {overview:.1f} ms ({overview / floor:.2f}x the count); unit page p95 {unit:.1f} ms; "
              f"JSON API p95 {api:.1f} ms (target < 100 ms)")
    finally:
        stack.close()


if __name__ == "__main__":
    run_per_engine(main)
