"""`add_node(defer=True)`: the node runs once, when nothing else is left to run (LangGraph's supersteps)."""

import operator
from typing import Annotated

from typing_extensions import TypedDict

from wfkit import END, START, InMemorySaver, Send, StateGraph


class State(TypedDict):
    topics: list
    jokes: Annotated[list, operator.add]
    log: Annotated[list, operator.add]


def step(name):
    def node(state):
        return {"log": [name]}
    return node


def map_reduce(**compile_options):
    g = StateGraph(State)
    g.add_node("plan", step("plan"))
    g.add_node("joke", lambda s: {"jokes": [f"joke about {s['topic']}"], "log": [f"joke {s['topic']}"]})
    for name in "abc":
        g.add_node(name, step(name))
    g.add_node("summary", lambda s: {"log": [f"summary of {len(s['jokes'])}"]}, defer=True)
    g.add_edge(START, "plan")
    g.add_conditional_edges("plan", lambda s: [Send("joke", {"topic": t}) for t in s["topics"]], ["joke"])
    g.add_edge("plan", "a")
    g.add_edge("a", "b")
    g.add_edge("b", "c")
    for source in ("joke", "a", "c"):
        g.add_edge(source, "summary")
    g.add_edge("summary", END)
    return g.compile(checkpointer=InMemorySaver(), **compile_options)


def test_a_deferred_node_waits_for_the_longest_branch_and_runs_once():
    app = map_reduce()
    config = {"configurable": {"thread_id": "t"}}
    assert app.invoke({"topics": ["x", "y"]}, config) == {
        "topics": ["x", "y"], "jokes": ["joke about x", "joke about y"],
        "log": ["plan", "a", "joke x", "joke y", "b", "c", "summary of 2"]}
    # the supersteps as LangGraph 1.2 stores them: `summary` is not among the next tasks until it runs
    assert [(s.metadata["step"], s.next) for s in app.get_state_history(config)] == [
        (5, ()), (4, ("summary",)), (3, ("c",)), (2, ("b",)), (1, ("joke", "joke", "a")), (0, ("plan",)),
        (-1, ("__start__",))]


def test_a_join_into_a_deferred_node_fires_at_the_end():
    g = StateGraph(State)
    for name in "abc":
        g.add_node(name, step(name))
    g.add_node("summary", lambda s: {"log": ["summary"]}, defer=True)
    g.add_edge(START, "a")
    g.add_edge(START, "b")
    g.add_edge("b", "c")
    g.add_edge(["a", "b"], "summary")
    assert list(g.compile().stream({"topics": []}, stream_mode="updates")) == [
        {"a": {"log": ["a"]}}, {"b": {"log": ["b"]}}, {"c": {"log": ["c"]}}, {"summary": {"log": ["summary"]}}]


def test_a_breakpoint_before_a_deferred_node_and_the_resume():
    app = map_reduce(interrupt_before=["summary"])
    config = {"configurable": {"thread_id": "t"}}
    assert list(app.stream({"topics": ["x"]}, config, stream_mode="updates"))[-1] == {"__interrupt__": ()}
    assert app.get_state(config).next == ("summary",)
    assert list(app.stream(None, config, stream_mode="updates")) == [{"summary": {"log": ["summary of 1"]}}]
