"""Checks of notebook 06 (evaluator-optimizer): how often the loop goes round, and what stops it."""

from __future__ import annotations

from typing import Any

from wfkit.exercises import expect, exercise, given


@exercise("Your turn 1")
def your_turn_1(my_rounds: Any, optimizer_workflow: Any) -> str:
    given(my_rounds)
    ran = [name for update in optimizer_workflow.stream({"topic": "Owls"}, stream_mode="updates") for name in update]
    rounds = ran.count("llm_call_generator")
    expect(my_rounds == rounds, "not that many: step the Owls run in a Debugger and read what the grader says "
                                "after each joke")
    return f"{rounds} rounds: {' → '.join(ran)}"


@exercise("Your turn 2")
def your_turn_2(my_outcome: Any, optimizer_workflow: Any) -> str:
    from wfkit.errors import GraphRecursionError

    given(my_outcome)
    expect(my_outcome in ("finishes", "GraphRecursionError"), "answer \"finishes\" or \"GraphRecursionError\"")
    try:
        optimizer_workflow.invoke({"topic": "Owls"}, {"recursion_limit": 3})
        outcome = "finishes"
    except GraphRecursionError:
        outcome = "GraphRecursionError"
    expect(my_outcome == outcome, "count the supersteps the Owls run needs (each round of the loop is two) "
                                  "and compare them with the limit")
    return f"with recursion_limit=3 the Owls run {'finishes' if outcome == 'finishes' else 'stops with ' + outcome}"
