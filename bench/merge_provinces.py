"""Two provinces of 30,000 people each merged into one (issue 12): the preview (target < 30 s) and the
apply end to end — every person readdressed in the new domain with the old address kept, every
directory entry updated, the merged province closed — against a bulk import of the same number of
people measured in the same run (target: the apply within 2x the import).

    python bench/merge_provinces.py [N_PER_PROVINCE] [--smoke] [--engine=sqlite|postgres]

Both provinces are loaded through the staff import; the directory is written by a real Celery worker.
IDM_BENCH_PROFILE=1 prints a cProfile of the SQL part (plan_apply)."""

from __future__ import annotations

import os
import time

from common import Stack, load_demo_units, run_per_engine, size, write_xlsx

N = size(30_000, smoke=20)


def main() -> None:
    stack = Stack(nosync=True, worker=True)
    try:
        from django.utils import timezone

        from provisioning.imports import services as imports
        from provisioning.outbox.models import DirectoryChange
        from provisioning.people.models import Person
        from provisioning.reconcile.services import compare
        from provisioning.reorg.services import plan_apply, plan_merge_create, plan_preview
        from provisioning.units.models import Unit
        from provisioning.units.services import unit_create

        def settle() -> None:
            while DirectoryChange.objects.exclude(status="applied").exists():
                stack.check_worker()
                time.sleep(0.05)

        def load(path, codes, prefix) -> float:
            write_xlsx(path, N, codes, prefix=prefix)
            t = time.perf_counter()
            with open(path, "rb") as f:
                batch = imports.import_create(actor=None, fileobj=f, filename=path.name, scope=None)
            batch = imports.import_commit(imports.import_validate(batch.pk).pk)
            settle()
            assert batch.created == N, (batch.created, batch.rejected, batch.failed)
            return time.perf_counter() - t

        qt_codes = load_demo_units()
        qb = unit_create(actor=None, code="000.00.00.H44", name="Ủy ban nhân dân tỉnh Quảng Bình", kind="province",
                         parent=None, mail_domain="quangbinh.gov.vn")
        qb_codes = [qb.code] + [unit_create(actor=None, code=f"000.00.{i:02d}.H44", name=f"Sở số {i} Quảng Bình",
                                            kind="department", parent=qb).code for i in range(1, 21)]
        settle()
        load(stack.tmp / "quangtri.xlsx", qt_codes, "QT")
        import_time = load(stack.tmp / "quangbinh.xlsx", qb_codes, "QB")
        print(f"{Person.objects.count()} people in {Unit.objects.count()} units", flush=True)

        qt = Unit.objects.get(code=qt_codes[0])
        plan = plan_merge_create(actor=None, sources=[qb], target=qt, effective=timezone.localdate(),
                                 note="Nghị quyết 202/2025/QH15")
        t = time.perf_counter()
        preview = plan_preview(plan)
        preview_time = time.perf_counter() - t
        t = time.perf_counter()
        if os.environ.get("IDM_BENCH_PROFILE"):
            import cProfile
            import pstats
            prof = cProfile.Profile()
            prof.runcall(plan_apply, actor=None, plan=plan)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
        else:
            plan_apply(actor=None, plan=plan)
        sql_time = time.perf_counter() - t
        from django.db.models import Count

        print("outbox after the SQL part:", dict(DirectoryChange.objects.exclude(status="applied").values_list("kind")
                                                  .annotate(n=Count("pk")).order_by()), flush=True)
        settle()
        apply_time = time.perf_counter() - t
        moved = Person.objects.filter(mail__endswith="@quangbinh.gov.vn").count()
        assert moved == 0, moved
        assert compare().total == 0
        print(f"preview: {len(preview.people)} people, {len(preview.units)} units, {len(preview.conflicts)} "
              f"address conflicts resolved, in {preview_time:.1f} s (target < 30 s)")
        print(f"import of {N} people (SQL and directory): {import_time:.1f} s")
        print(f"merge applied end to end (SQL, audit, directory): {apply_time:.1f} s (SQL {sql_time:.1f} s) = "
              f"{apply_time / import_time:.2f}x the import (target <= 2x)")
    finally:
        stack.close()


if __name__ == "__main__":
    run_per_engine(main)
