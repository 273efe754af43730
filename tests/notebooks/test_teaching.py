"""What the notebooks leave for the learner after Run All (issue 32): widgets that still wait for a click,
and a folder that holds only the notebooks."""

from __future__ import annotations

import re

import nbformat

from tests.notebooks.test_notebooks import NOTEBOOK_DIR


def test_run_all_leaves_the_main_review_demo_of_08_waiting_for_the_learner():
    cells = [c for c in nbformat.read(NOTEBOOK_DIR / "08_human_review.ipynb", as_version=4).cells
             if c.cell_type == "code"]
    demo = next(i for i, c in enumerate(cells) if c.source.startswith("from wfkit.widgets import Debugger"))
    shown = [o.data["text/plain"] for o in cells[demo].outputs if o.output_type == "execute_result"]
    assert shown and shown[0].startswith("Debugger of `LangGraph`: step 2 · waiting for 1 answer(s)"), shown
    later = "\n".join(c.source for c in cells[demo + 1:])
    assert not re.search(r"\bdebugger\.(review|run|pending|aresume|_on_answers)", later), later
    panel = next(i for i, c in enumerate(cells) if "panel = ReviewPanel(run)" in c.source)
    assert not re.search(r"\b(panel|run)\.(approve|reject|answer|submit|resume)", "\n".join(
        c.source for c in cells[panel + 1:])), "a later cell answers the standalone ReviewPanel"


def test_the_learners_folder_holds_only_the_notebooks_and_their_pictures():
    import subprocess
    import sys

    shown = sorted(p.name for p in NOTEBOOK_DIR.iterdir() if not p.name.startswith("."))  # Lab hides dot names
    assert [name for name in shown if not name.endswith(".ipynb")] == ["img"]
    assert (NOTEBOOK_DIR / ".build" / "build.py").exists() and (NOTEBOOK_DIR / ".build" / "src").is_dir()
    source = (NOTEBOOK_DIR / ".build" / "src" / "09_persistence_and_time_travel.py").read_text()
    assert 'pathlib.Path(tempfile.gettempdir()) / "wfkit-notebook-09" / "checkpoints.db"' in source
    assert "checkpoints-09.db" not in source
    assert not list(NOTEBOOK_DIR.glob("*.db*"))


def test_the_readme_says_that_flags_after_dev_lab_reach_jupyterlab():
    readme = (NOTEBOOK_DIR.parent / "README.md").read_text()
    assert ("Flags after `lab` go to JupyterLab, and after `test` to pytest: `bash .ci/dev lab --no-browser "
            "--port 8899`\nserves the notebooks on port 8899 without opening a browser" in readme)
    dev = (NOTEBOOK_DIR.parent / ".ci" / "dev").read_text()
    assert 'exec "$venv/bin/python" -m jupyterlab "${root[@]}" notebooks/ "$@"' in dev
