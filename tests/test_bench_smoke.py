"""Every benchmark runs: `make test` smoke-runs each script in bench/ at a tiny size (`--smoke`), so a
benchmark cannot rot unnoticed. Scripts are found, not listed: a new one is smoke-run too."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
# a script runs (helpers such as common.py do not) and ends with its figure against its target
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if 'if __name__ == "__main__":' in p.read_text(encoding="utf-8"))
FIGURE = re.compile(r"\d.*\(target ", re.MULTILINE)


def test_the_scripts_are_found():
    assert {p.name for p in SCRIPTS} >= {"import_10k.py", "import_100k_memory.py", "staff_list.py"}
    assert "common.py" not in {p.name for p in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_the_benchmark_runs_at_a_tiny_size_and_prints_its_figure(script):
    # as on a fresh clone: nothing from the test settings or a developer's shell
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDM_") and k != "DJANGO_SETTINGS_MODULE"}
    proc = subprocess.Popen([sys.executable, str(script), "--smoke"], cwd=BENCH.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # scaleout starts two whole stacks (one with PostgreSQL, three slapd and three worker processes)
    limit = 300 if script.stem == "scaleout" else 180
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        proc.terminate()  # the script stops its own servers on SIGTERM (bench/common.py)
        out, err = proc.communicate(timeout=30)
        pytest.fail(f"{script.name} --smoke ran over {limit} s (hung, or ignores --smoke: see bench/common.py size())"
                    f"\n{out[-3000:]}\n{err[-3000:]}")
    assert proc.returncode == 0, f"{script.name} exited {proc.returncode}\n{out[-3000:]}\n{err[-3000:]}"
    assert FIGURE.search(out), f"{script.name} printed no figure line '... (target ...)':\n{out[-3000:]}"
