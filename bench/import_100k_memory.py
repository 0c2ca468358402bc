"""Peak memory of the importing process for a 100,000-row XLSX (target < 300 MB).

    python bench/import_100k_memory.py [N] [--smoke] [--engine=sqlite|postgres]

Runs `manage.py import_staff FILE --no-directory` in a child process (validation, preview rows
and the SQL commit of every row; the directory writes are the workers' job) and reads the
child's peak resident set size from the kernel (ru_maxrss)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time

from common import ROOT, Stack, load_demo_units, run_per_engine, size, write_xlsx

N = size(100000, smoke=50)


def main() -> None:
    stack = Stack(nosync=True)
    try:
        codes = load_demo_units()
        path = stack.tmp / "staff-100k.xlsx"
        t = time.perf_counter()
        write_xlsx(path, N, codes)
        print(f"generated {N} rows ({path.stat().st_size / 2**20:.1f} MB) in {time.perf_counter() - t:.0f} s")
        t = time.perf_counter()
        p = subprocess.run([sys.executable, str(ROOT / "manage.py"), "import_staff", str(path), "--no-directory"],
                           env=dict(os.environ), capture_output=True, text=True, cwd=ROOT)
        elapsed = time.perf_counter() - t
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(p.stdout.strip().splitlines()[-1] if p.stdout.strip() else p.stderr[-2000:])
        if p.returncode != 0:  # the memory of a failed import measures nothing
            sys.exit(f"import_staff failed (exit {p.returncode}): {p.stderr[-2000:]}")
        print(f"importing process: {elapsed:.0f} s, peak RSS {peak_mb:.0f} MB (target < 300 MB)")
    finally:
        stack.close()


if __name__ == "__main__":
    run_per_engine(main)
