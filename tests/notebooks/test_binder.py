"""`binder/` gives mybinder what it needs to open the notebooks, checked the closest way short of Docker.

The slow test builds a fresh virtual environment outside the repository from `binder/requirements.txt`
(as repo2docker does, from the repository's root), runs `binder/postBuild` in it, and runs copies of the
notebooks there under `pytest --nbval-lax`: every cell must run, with the wfkit installed from the
requirements, not the one in this checkout. pip's cache makes repeated runs quick.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, (f"`{' '.join(map(str, command))}` failed ({result.returncode}):\n"
                                    f"{result.stdout[-6000:]}\n{result.stderr[-4000:]}")
    return result


def test_binder_folder_uses_pip_only():
    # With an environment.yml the conda buildpack wins and requirements.txt is ignored; apt.txt would need
    # Ubuntu packages this test cannot check. Neither is needed: Graphviz comes from the graphviz-pure wheel.
    assert sorted(p.name for p in BINDER.iterdir()) == ["postBuild", "requirements.txt", "runtime.txt"]
    requirements = BINDER.joinpath("requirements.txt").read_text().split()
    assert requirements == [".[lab,langgraph]", "jupyterlab>=4"]  # notebook 12 needs LangGraph
    assert re.fullmatch(r"python-3\.(1[0-9])\n", BINDER.joinpath("runtime.txt").read_text())
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable (git keeps the mode)"
    assert post_build.read_text().startswith("#!/bin/bash\n")
    assert "set -euo pipefail" in post_build.read_text()


@pytest.mark.slow
@pytest.mark.timeout(900)  # a cold pip cache downloads JupyterLab and its dependencies
def test_fresh_binder_environment_runs_every_notebook(tmp_path):
    venv = tmp_path / "binder-venv"
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items()
           if k not in ("ANTHROPIC_API_KEY", "WFKIT_DOT", "PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), "/usr/local/bin", "/usr/bin", "/bin"])
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")  # postBuild's `jupyter trust` writes here
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]

    run([sys.executable, "-m", "venv", str(venv)], timeout=120)
    run(pip + ["-r", str(BINDER / "requirements.txt")], cwd=ROOT, env=env, timeout=900)
    post_build = run(["bash", str(BINDER / "postBuild")], cwd=ROOT, env=env, timeout=120)
    assert "graphs render to SVG" in post_build.stdout and str(venv) in post_build.stdout
    assert (tmp_path / "jupyter-data" / "nbsignatures.db").exists(), "postBuild did not trust the notebooks"
    run(pip + ["pytest", "nbval"], env=env, timeout=600)  # test tools stay out of binder/

    work = tmp_path / "notebooks"
    work.mkdir()
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for notebook in notebooks:
        shutil.copy(notebook, work)
    where = run([str(python), "-c", "import wfkit; print(wfkit.__file__)"], cwd=work, env=env).stdout
    assert where.startswith(str(venv)), f"wfkit came from {where}, not from the binder environment"

    result = run([str(python), "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
                  "-q", str(work)], cwd=work, env=env, timeout=600)
    cells = sum(1 for notebook in notebooks for _ in _code_cells(notebook))
    assert f"{cells} passed" in result.stdout, result.stdout[-3000:]


def _code_cells(notebook: pathlib.Path):
    import nbformat

    return [c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]
