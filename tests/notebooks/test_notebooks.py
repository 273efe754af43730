"""The notebooks run top to bottom offline, each in under 30 s, and give the outputs saved in them.

Each notebook goes through `pytest --nbval` in a subprocess (a fresh kernel from this venv, no
ANTHROPIC_API_KEY): every code cell runs and its outputs are compared with the saved ones after the
replacements in `nbval_sanitize.cfg` (random ids, addresses, timestamps, SVG pictures). Cells whose output
legitimately varies (the order parallel tasks finish in) carry the `nbval-ignore-output` tag.

The other tests check what nbval cannot: that the saved notebooks are what `notebooks/.build/build.py` makes
from their sources, that they were saved executed (so nbval really compares), and that each shows what
issue 6 asks of it.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import subprocess
import sys
import time

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
SANITIZE = pathlib.Path(__file__).with_name("nbval_sanitize.cfg")
TIME_LIMIT = 30.0  # seconds per notebook, offline, kernel start included
EXPECTED = ["00_tour", "01_augmented_llm", "02_prompt_chaining", "03_parallelization", "04_routing",
            "05_orchestrator_worker", "06_evaluator_optimizer", "07_agent", "08_human_review",
            "09_persistence_and_time_travel", "10_streaming", "11_review_inbox",
            "12_langgraph_debugger"]


def offline_env() -> dict[str, str]:
    """This environment without a model key (the saved outputs are the offline model's) or a custom dot."""
    env = dict(os.environ)
    for name in ("ANTHROPIC_API_KEY", "WFKIT_DOT"):
        env.pop(name, None)
    return env


def nbval(notebook: pathlib.Path, env: dict[str, str] | None = None,
          sanitize: pathlib.Path = SANITIZE) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", str(notebook), "--nbval", "--nbval-current-env",
               "--nbval-sanitize-with", str(sanitize), "-p", "no:cacheprovider", "-q", "--no-header"]
    return subprocess.run(command, cwd=ROOT, env={**offline_env(), **(env or {})}, capture_output=True, text=True,
                          timeout=240)


def code_cells(notebook: pathlib.Path) -> list:
    return [c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]


def test_every_notebook_of_the_issue_is_there():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_offline_with_the_saved_outputs(notebook):
    started = time.perf_counter()
    result = nbval(notebook)
    took = time.perf_counter() - started
    assert result.returncode == 0, f"nbval failed on {notebook.name}:\n{result.stdout[-8000:]}\n{result.stderr[-2000:]}"
    assert " passed" in result.stdout and "skipped" not in result.stdout, result.stdout[-2000:]
    assert took < TIME_LIMIT, f"{notebook.name} took {took:.1f} s under nbval (limit {TIME_LIMIT:.0f} s)"


def test_the_review_inbox_notebook_runs_on_postgresql_when_wfkit_postgres_names_a_server(postgres_conninfo,
                                                                                        tmp_path):
    import psycopg

    # The saved outputs are SQLite's; on PostgreSQL only the line naming the store differs.
    sanitize = tmp_path / "sanitize.cfg"
    sanitize.write_text(SANITIZE.read_text() + "\n[the store the notebook picked]\nregex: threads kept in "
                        "PostgreSQL\nreplace: threads kept in SQLite\n")
    result = nbval(NOTEBOOK_DIR / "11_review_inbox.ipynb", {"WFKIT_POSTGRES": postgres_conninfo}, sanitize)
    assert result.returncode == 0, f"nbval failed on PostgreSQL:\n{result.stdout[-8000:]}\n{result.stderr[-2000:]}"
    assert " passed" in result.stdout and "skipped" not in result.stdout, result.stdout[-2000:]
    with psycopg.connect(postgres_conninfo) as conn:  # the threads went to the server, none to a file
        threads = [t for (t,) in conn.execute("SELECT thread_id FROM wfkit_threads ORDER BY thread_id")]
    assert threads == ["order-7", "order-8", *(f"ticket-{n:02d}" for n in range(21))]


def test_notebooks_are_built_from_their_sources():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOK_DIR / ".build" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    sources = build.sources()
    assert sorted(sources) == EXPECTED
    stale = [stem for stem, cells in sources.items() if not build.same_cells(stem, cells)]
    assert not stale, f"edit notebooks/.build/src/<name>.py, not the .ipynb, then run notebooks/.build/build.py: {stale}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_saved_executed_without_errors(notebook):
    cells = code_cells(notebook)
    unexecuted = [c.source.splitlines()[0] for c in cells if c.execution_count is None]
    assert not unexecuted, f"cells saved without running (nbval would not compare them): {unexecuted}"
    assert [c.execution_count for c in cells] == list(range(1, len(cells) + 1)), "not run top to bottom"
    errors = [o for c in cells for o in c.outputs if o.output_type == "error"]
    assert not errors, [f"{o.ename}: {o.evalue}" for o in errors]
    stderr = [o.text for c in cells for o in c.outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, stderr


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_draws_a_graph_steps_it_and_uses_both_apis(notebook):
    cells = code_cells(notebook)
    outputs = [o for c in cells for o in c.outputs if o.output_type in ("display_data", "execute_result")]
    assert any("image/svg+xml" in o.data and "DrawableGraph" in o.data.get("text/plain", "")
               for o in outputs), "no graph picture saved"
    assert any('class="wf-static wf-debugger-static"' in o.data.get("text/html", "")
               and o.data.get("text/plain", "").startswith("Debugger of") for o in outputs), "no Debugger saved"
    source = "\n".join(c.source for c in cells)
    assert "default_model()" in source
    assert "StateGraph(" in source and "@entrypoint" in source, "the Graph API and the Functional API"
