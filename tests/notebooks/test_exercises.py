"""The "Your turn" exercises: saved unsolved (each check says "not answered yet"), and solved from the
solutions in `notebooks/.build/src/<name>.py` every check says it is right; a wrong answer is called wrong."""

from __future__ import annotations

import importlib.util
import os
import re

import nbformat
import pytest

from tests.notebooks.test_notebooks import NOTEBOOK_DIR, NOTEBOOKS

PATTERNS = ["02_prompt_chaining", "03_parallelization", "04_routing", "05_orchestrator_worker",
            "06_evaluator_optimizer", "07_agent"]


def _build():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOK_DIR / ".build" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    return build


def check_lines(nb) -> list[str]:
    return ["".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream").strip()
            for cell in nb.cells if "check" in cell.get("metadata", {}).get("tags", [])]


def run(cells) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    build = _build()
    nb = build.notebook("solved", cells)
    env_key = os.environ.pop("ANTHROPIC_API_KEY", None)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()
    finally:
        if env_key is not None:
            os.environ["ANTHROPIC_API_KEY"] = env_key
    return nb


@pytest.mark.parametrize("stem", PATTERNS)
def test_saved_exercises_are_unsolved_and_say_so(stem):
    nb = nbformat.read(NOTEBOOK_DIR / f"{stem}.ipynb", as_version=4)
    lines = check_lines(nb)
    assert 2 <= len(lines) <= 3, f"{stem} ends with 2-3 exercises"
    assert lines == [f"✗ Your turn {i}: not answered yet (replace each ... in the cell above with your answer)"
                     for i in range(1, len(lines) + 1)]


@pytest.mark.parametrize("stem", PATTERNS)
def test_solved_exercises_pass_their_checks(stem):
    lines = check_lines(run(_build().solved(stem)))
    assert lines and all(line.startswith(f"✓ Your turn {i}: ") for i, line in enumerate(lines, 1)), lines


def test_a_wrong_answer_is_called_wrong_with_a_hint_that_does_not_give_the_answer():
    cells = _build().solved("02_prompt_chaining")
    first = next(i for i, c in enumerate(cells) if "exercise" in c.metadata.get("tags", []))
    cells[first] = _build().code('my_nodes = ["polish_joke"]', tags=("exercise",))
    lines = check_lines(run(cells))
    assert lines[0] == ("✗ Your turn 1: not right: call check_punchline({'joke': 'Cats sit on keyboards.'}) "
                        "yourself: which way does its answer lead in the path map of add_conditional_edges, and "
                        "what follows there?")
    assert lines[1].startswith("✓ Your turn 2: ")


@pytest.mark.parametrize("stem", PATTERNS)
def test_the_cell_under_an_exercise_only_calls_its_check(stem):
    """The expected values live in `wfkit.exercises`, out of the learner's sight."""
    nb = nbformat.read(NOTEBOOK_DIR / f"{stem}.ipynb", as_version=4)
    checks = [c.source for c in nb.cells if "check" in c.get("metadata", {}).get("tags", [])]
    call = r"\w+\.your_turn_\d\((\w+(, )?)+\)"
    pattern = rf"(from wfkit\.exercises import \w+( as \w+)?\n\n)?{call}"
    assert checks and all(re.fullmatch(pattern, source) for source in checks), checks
