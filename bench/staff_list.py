"""The staff list with 100,000 people: time per page (target < 200 ms) and queries per page.

    python bench/staff_list.py [N] [--smoke] [--engine=sqlite|postgres]

People are bulk-inserted straight into SQL (this measures the list, not the import)."""

from __future__ import annotations

import random
import statistics
import time

from common import GIVENS, MIDDLES, POSITIONS, SURNAMES, Stack, load_demo_units, run_per_engine, size

N = size(100000, smoke=300)


def main() -> None:
    stack = Stack(nosync=True)
    try:
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from accounts.models import User
        from provisioning.people.models import Person
        from provisioning.units.models import Unit

        load_demo_units()
        units = list(Unit.objects.all())
        rnd = random.Random(7)
        batch = []
        for i in range(N):
            f, m, g = rnd.choice(SURNAMES), rnd.choice(MIDDLES), rnd.choice(GIVENS)
            p = Person(uid=f"u{i:06d}", employee_code=f"QT-{i:06d}", family_name=f, middle_name=m, given_name=g,
                       unit=units[i % len(units)], position=rnd.choice(POSITIONS), mail=f"u{i:06d}@quangtri.gov.vn",
                       status=rnd.choice(["active"] * 8 + ["staged", "suspended", "left"]))
            p.search_text, p.sort_key = p.searchable(), p.collation_key()
            batch.append(p)
            if len(batch) == 5000:
                Person.objects.bulk_create(batch)
                batch = []
        Person.objects.bulk_create(batch)
        with connection.cursor() as c:
            c.execute("ANALYZE")
        admin = User.objects.create_superuser("superadmin", password="bench password long", source="local")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(admin, backend="accounts.backends.LocalSuperadminBackend")
        dept = Unit.objects.get(code="000.00.05.H45")
        cases = {
            "first page": {},
            "page 1000": {"page": 1000},
            "search 'nguyen van an'": {"q": "nguyen van an"},
            "search by code": {"q": "QT-054321"},
            "unit subtree (Sở Y tế)": {"unit": dept.code},
            "status suspended": {"status": "suspended"},
            "unit + status + search": {"unit": dept.code, "status": "active", "q": "thi"},
        }
        print(f"{Person.objects.count()} people, {len(units)} units")
        medians, queries = [], []
        for name, params in cases.items():
            times = []
            for _ in range(7):
                with CaptureQueriesContext(connection) as q:
                    t = time.perf_counter()
                    r = client.get("/people/", params)
                    times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200
            medians.append(statistics.median(times))
            queries.append(len(q.captured_queries))
            print(f"  {name:28s} median {medians[-1]:6.1f} ms, max {max(times):6.1f} ms, {queries[-1]} queries")
        print(f"slowest page: median {max(medians):.1f} ms, at most {max(queries)} queries per page "
              f"(target < 200 ms per page, bounded queries)")
    finally:
        stack.close()


if __name__ == "__main__":
    run_per_engine(main)
