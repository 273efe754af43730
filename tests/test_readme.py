"""The README's Python examples run, and its first lines give the two set-up commands."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_starts_with_the_two_commands():
    lines = README.read_text().splitlines()
    assert lines[2:6] == [
        "```bash",
        "bash .ci/dev lab     # fresh machine: set up, then open the notebooks in JupyterLab (offline unless ANTHROPIC_API_KEY is set)",
        "bash .ci/dev test    # fresh machine: set up, then run every test (unit, notebooks, real browser, guide conformance)",
        "```",
    ]


def test_readme_python_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README has no python example"
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})


def test_readme_first_screen_says_the_widgets_work_on_langgraph_graphs():
    first_screen = "\n".join(README.read_text().splitlines()[:40])
    assert 'They work on graphs built with **LangGraph itself** as well as on\n  wfkit\'s own (`pip install "wfkit[langgraph]"`' in first_screen
