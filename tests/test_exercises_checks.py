"""The checks behind the notebooks' "Your turn" cells (`wfkit.exercises`), without a kernel: what each
line says for an answer left as `...`, a function that forgot its `return`, a wrong and a right answer."""

from __future__ import annotations

from wfkit.exercises import verdict
from wfkit.exercises import prompt_chaining


def lines(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_a_function_left_as_dots_is_not_answered_and_one_without_return_is_told_so(capsys):
    def check_long_punchline(state):
        ...

    prompt_chaining.your_turn_2(check_long_punchline)

    def forgot(state):
        "Pass" if "?" in state["joke"] else "Fail"

    prompt_chaining.your_turn_2(forgot)
    assert lines(capsys) == [
        "✗ Your turn 2: not answered yet (replace each ... in the cell above with your answer)",
        "✗ Your turn 2: your function `forgot` returned None: it needs a `return` with its answer on every path"]


def test_hints_lead_without_telling(capsys):
    prompt_chaining.your_turn_2(lambda state: "Pass" if "?" in state["joke"] or "!" in state["joke"] else "Fail")
    prompt_chaining.your_turn_2(lambda state: "Pass" if len(state["joke"].split()) >= 12 else "Fail")
    prompt_chaining.your_turn_2(lambda state: "Pass" if ("?" in state["joke"] or "!" in state["joke"])
                                and len(state["joke"].split()) >= 12 else "Fail")
    assert lines(capsys) == [
        "✗ Your turn 2: not right: a short joke must fail even with a punchline: do you count the words?",
        "✗ Your turn 2: not right: a long joke with no '?' or '!' must fail: do you look for the punchline too?",
        "✓ Your turn 2: short punchlines fail, long ones pass, no punchline fails"]


def test_an_answer_left_inside_a_container_is_not_answered_and_code_that_raises_is_shown():
    from wfkit.exercises import given

    def test():
        given({"poem": ..., "joke": "x"})
        return "never"

    assert verdict("Your turn 1", test) == (
        "✗ Your turn 1: not answered yet (replace each ... in the cell above with your answer)")
    def raises():
        raise ValueError("no topic given")

    assert verdict("Your turn 1", raises) == "✗ Your turn 1: your code raised ValueError: no topic given"


def test_the_notebooks_count_supersteps_alike():
    """00 and 03 agree: superstep 0 applies the input, and "how many supersteps" counts those that run nodes."""
    import pathlib

    src = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / ".build" / "src"
    tour = (src / "00_tour.py").read_text()
    assert "So this run takes **two supersteps**" in tour and "Here there are three" not in tour
    assert "my_superstep_count = 2" in (src / "03_parallelization.py").read_text()
