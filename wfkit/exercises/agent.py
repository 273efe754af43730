"""Checks of notebook 07 (agent): a breakpoint before the tools, and a question that takes three tools."""

from __future__ import annotations

from typing import Any

from wfkit.exercises import expect, exercise, given
from wfkit.messages import HumanMessage


@exercise("Your turn 1")
def your_turn_1(reviewed_agent: Any) -> str:
    given(reviewed_agent)
    config = {"configurable": {"thread_id": "your-turn-1"}}
    reviewed_agent.invoke({"messages": [HumanMessage(content="Add 3 and 4.")]}, config)
    state = reviewed_agent.get_state(config)
    expect(state.next == ("tool_node",), "the run must stop before the node that runs the tools: which compile "
                                         "option stops *before* a node?")
    calls = state.values["messages"][-1].tool_calls
    expect([c["name"] for c in calls] == ["add"], "the last message should be the model's request for a tool")
    return "the run waits before tool_node, with the model's add call to review"


@exercise("Your turn 2")
def your_turn_2(my_question: Any, agent: Any) -> str:
    given(my_question)
    messages = agent.invoke({"messages": [HumanMessage(content=my_question)]})["messages"]
    calls = [c["name"] for m in messages for c in getattr(m, "tool_calls", [])]
    expect(len(calls) >= 3, f"the agent made {len(calls)} tool call(s): ask for more operations in a row")
    expect(messages[-1].content in ("The answer is 42.", "The answer is 42.0."),
           f"the agent answered {messages[-1].content!r}: change the numbers so the last operation gives 42")
    return f"{len(calls)} tool calls ({', '.join(calls)}), then {messages[-1].content!r}"
