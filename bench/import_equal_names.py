"""The preview of a file where every row has the same name (issue 15): uid allocation must be linear.
Checks N and 2N rows of "Nguyễn Văn An" (annv, annv2, ... are proposed) and prints the cost per row at
both sizes and their ratio: about 1 when linear, about 2 when quadratic (before the fix 5k, 10k and
20k rows of one name took 5, 18 and 85 s).

    python bench/import_equal_names.py [N] [--smoke] [--engine=sqlite|postgres]

N defaults to 100,000 (so 2N is the default row limit, 200,000). CSV, so the figure is the check's,
not the XLSX parser's."""

from __future__ import annotations

import csv
import time

from common import Stack, load_demo_units, run_per_engine, size

N = size(100000, smoke=300)


def write_csv(path, n: int, unit_code: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Mã cán bộ", "Họ và tên", "Đơn vị", "Chức vụ"])
        for i in range(n):
            w.writerow([f"QT-{i:07d}", "Nguyễn Văn An", unit_code, "Chuyên viên"])


def preview(stack: Stack, n: int, unit_code: str) -> float:
    from provisioning.imports import services as imports

    path = stack.tmp / f"equal-{n}.csv"
    write_csv(path, n, unit_code)
    t = time.perf_counter()
    with open(path, "rb") as f:
        batch = imports.import_create(actor=None, fileobj=f, filename=path.name, scope=None)
    batch = imports.import_validate(batch.pk)
    elapsed = time.perf_counter() - t
    assert batch.to_create == n, (batch.status, batch.file_error, batch.to_create, batch.rejected)
    last = batch.rows.order_by("-row_number").values_list("proposed_uid", flat=True)[0]
    assert last == f"annv{n}", last
    return elapsed


def main() -> None:
    stack = Stack(nosync=True)
    try:
        codes = load_demo_units()
        small = preview(stack, N, codes[1])
        large = preview(stack, 2 * N, codes[1])
        per_small, per_large = small / N * 1e6, large / (2 * N) * 1e6
        print(f"preview of N equal names: N={N}: {small:.1f} s ({per_small:.0f} µs/row); "
              f"2N={2 * N}: {large:.1f} s ({per_large:.0f} µs/row)")
        print(f"  cost per row at 2N / at N = {per_large / per_small:.2f} (target <= 1.3: linear; quadratic is 2)")
    finally:
        stack.close()


if __name__ == "__main__":
    run_per_engine(main)
