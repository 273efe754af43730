"""The guide's samples (../shared/conformance) run on wfkit and every check holds."""

import os
import pathlib
import subprocess
import sys

import pytest

RUN = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "conformance" / "run"


def test_every_guide_sample_runs_and_every_check_holds():
    if not RUN.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the conformance suite is missing at {RUN}")
        pytest.skip(f"no conformance suite at {RUN}")
    env = dict(os.environ, PYTHON=sys.executable)
    env.pop("ANTHROPIC_API_KEY", None)
    done = subprocess.run(["bash", str(RUN)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert [l for l in lines if l.startswith("check ")] == [f"check {n}: ok" for n in (2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16)]
    assert lines[-1] == "all guide samples ran and every check held"
