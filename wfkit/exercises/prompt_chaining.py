"""Checks of notebook 02 (prompt chaining): where the gate sends a draft, and a gate of your own."""

from __future__ import annotations

from typing import Any, Callable

from wfkit.exercises import call, exercise, expect, given

DRAFT = "Cats sit on keyboards."


@exercise("Your turn 1")
def your_turn_1(my_nodes: Any, chain: Any) -> str:
    given(my_nodes)
    run = chain.start({"topic": "cats"})
    run.edit({"joke": DRAFT}, as_node="generate_joke")  # as if generate_joke had written this draft
    ran = [task.name for record in run.run() for task in record.tasks]
    expect(not isinstance(my_nodes, str), "give a list of node names, e.g. [\"a\", \"b\"]")
    expect("generate_joke" not in my_nodes, "list only the nodes that run *after* generate_joke")
    expect(list(my_nodes) == ran, f"call check_punchline({{'joke': {DRAFT!r}}}) yourself: which way does its "
                                  "answer lead in the path map of add_conditional_edges, and what follows there?")
    return f"the gate says Fail, so the chain goes on: {' → '.join(ran)}"


@exercise("Your turn 2")
def your_turn_2(check_long_punchline: Callable) -> str:
    short = call(check_long_punchline, {"joke": "Why? Because!"})
    long = call(check_long_punchline, {"joke": "Why did the cats sit on the keyboard? To keep an eye on the mouse!"})
    flat = call(check_long_punchline, {"joke": "The cats sat on the keyboard to keep an eye on the mouse all day long."})
    for said in (short, long, flat):
        expect(said in ("Pass", "Fail"), f"a gate answers with a key of the path map, \"Pass\" or \"Fail\", not {said!r}")
    expect(short == "Fail", "a short joke must fail even with a punchline: do you count the words?")
    expect(flat == "Fail", "a long joke with no '?' or '!' must fail: do you look for the punchline too?")
    expect(long == "Pass", "a joke of 12 words or more with a '?' or '!' must pass: are both conditions met "
                           "with `and`?")
    return "short punchlines fail, long ones pass, no punchline fails"
