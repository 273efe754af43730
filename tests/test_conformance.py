"""The guide's samples (../shared/conformance) run on wfkit and every check holds."""

import os
import pathlib
import subprocess
import sys

import pytest

SHARED = pathlib.Path(__file__).resolve().parents[1].parent / "shared"
RUN = SHARED / "conformance" / "run"


def missing_suite(shared: pathlib.Path, ci: bool) -> tuple[str, str] | None:
    """What to do when the suite is not at `shared/conformance/run`: ("skip" | "fail", why), or None when it
    is there. A clone with no `../shared` at all is a user's, outside the project's layout: skipped, even on
    CI. Where `../shared` exists the suite belongs there, so CI fails without it."""
    run = shared / "conformance" / "run"
    if run.exists():
        return None
    if not shared.exists():
        return "skip", f"no {shared} next to this clone (a clone outside the project's layout), so no conformance suite"
    if ci:
        return "fail", f"the conformance suite is missing at {run}"
    return "skip", f"no conformance suite at {run}"


def test_a_clone_without_shared_skips_even_on_ci(tmp_path):
    shared = tmp_path / "shared"
    assert missing_suite(shared, ci=True) == (
        "skip", f"no {shared} next to this clone (a clone outside the project's layout), so no conformance suite")
    assert missing_suite(shared, ci=False) == missing_suite(shared, ci=True)


def test_a_shared_folder_without_the_suite_fails_on_ci_and_skips_elsewhere(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    run = shared / "conformance" / "run"
    assert missing_suite(shared, ci=True) == ("fail", f"the conformance suite is missing at {run}")
    assert missing_suite(shared, ci=False) == ("skip", f"no conformance suite at {run}")
    run.parent.mkdir()
    run.write_text("")
    assert missing_suite(shared, ci=True) is None


def test_every_guide_sample_runs_and_every_check_holds():
    missing = missing_suite(SHARED, bool(os.environ.get("CI")))
    if missing is not None:
        action, why = missing
        (pytest.fail if action == "fail" else pytest.skip)(why)
    env = dict(os.environ, PYTHON=sys.executable)
    env.pop("ANTHROPIC_API_KEY", None)
    done = subprocess.run(["bash", str(RUN)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert [l for l in lines if l.startswith("check ")] == [f"check {n}: ok" for n in (2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16)]
    assert lines[-1] == "all guide samples ran and every check held"
