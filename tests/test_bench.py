"""The benchmark command runs (a quick smoke run: speed is judged by the benchmark, not by this test)."""

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_bench_quick_runs_every_workload_and_reports_the_targets():
    done = subprocess.run([sys.executable, "-m", "bench", "--quick"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "== Targets of issue 7 ==" in out
    for target in ("per-node overhead", "per-superstep overhead", "checkpointer memory", "listing that history",
                   "8 slow sync nodes", "`import wfkit`", "30-node graph to SVG", "Debugger step"):
        assert target in out, target
