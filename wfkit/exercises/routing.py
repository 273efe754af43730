"""Checks of notebook 04 (routing): where a decision leads, and where a Command goes."""

from __future__ import annotations

from typing import Any

from wfkit.exercises import expect, exercise, given


@exercise("Your turn 1")
def your_turn_1(my_next: Any, router_workflow: Any) -> str:
    given(my_next)
    run = router_workflow.start({"input": "anything"})
    run.edit({"decision": "poem"}, as_node="llm_call_router")  # as if the router had decided "poem"
    planned = [task.name for task in run.next]
    expect(isinstance(my_next, str), "give one node name: a route leads to a single handler")
    expect([my_next] == planned, "read route_decision: which node name does it return for \"poem\"? The "
                                 "conditional edge plans that node for the next superstep")
    return f"the conditional edge turns \"poem\" into {planned[0]}, the only node of the next superstep"


@exercise("Your turn 2")
def your_turn_2(my_handler: Any, command_router: Any) -> str:
    given(my_handler)
    ran = [name for update in command_router.stream({"input": "A tale about a lighthouse keeper"},
                                                    stream_mode="updates") for name in update]
    expect(my_handler in ("llm_call_1", "llm_call_2", "llm_call_3"), "give one of the three handlers' names")
    expect(ran[-1] == my_handler, "not this handler: what kind of writing is a tale, and which handler does "
                                  "route_with_command's Command(goto=...) send that kind to?")
    return f"the run went {' → '.join(ran)}"
