"""`Command(graph=Command.PARENT, goto=..., update=...)` from a subgraph's node routes in the parent graph, as in
LangGraph (issue 28 item 3, the multi-agent hand-off): the subgraph stops there, and the parent's task that ran
it takes the Command as its own return, its update through the parent's reducers."""

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from wfkit import Command, InMemorySaver, START, SqliteSaver, StateGraph


class Log(TypedDict):
    log: Annotated[list, operator.add]


def hand_off(s):
    return Command(graph=Command.PARENT, goto="bob", update={"log": ["handoff"]})


def agent():
    """pre -> agent, which hands off to the parent's `bob`; `after` never runs."""
    sub = StateGraph(Log)
    sub.add_node("pre", lambda s: {"log": ["pre"]})
    sub.add_node("agent", hand_off)
    sub.add_node("after", lambda s: {"log": ["after"]})
    sub.add_edge(START, "pre")
    sub.add_edge("pre", "agent")
    sub.add_edge("agent", "after")
    return sub.compile()


@pytest.fixture(params=[None, "memory", "sqlite"])
def maybe_saver(request, tmp_path):
    if request.param == "sqlite":
        with SqliteSaver(str(tmp_path / "c.db")) as saver:
            yield saver
    else:
        yield InMemorySaver() if request.param else None


@pytest.mark.parametrize("as_node", [True, False])
def test_a_subgraphs_command_to_the_parent_routes_there_with_its_update(maybe_saver, as_node):
    sub = agent()
    p = StateGraph(Log)
    p.add_node("alice", sub if as_node else (lambda s: {"log": sub.invoke({"log": []})["log"]}))
    p.add_node("bob", lambda s: {"log": ["bob"]})
    p.add_node("never", lambda s: {"log": ["never"]})
    p.add_edge(START, "alice")
    p.add_edge("alice", "never")  # the Command replaces the node's return, not its edges: both run
    app = p.compile(checkpointer=maybe_saver)
    config = {"configurable": {"thread_id": "t"}}
    assert app.invoke({"log": ["x"]}, config) == {"log": ["x", "handoff", "bob", "never"]}
    if maybe_saver is not None:
        assert [(h.next, h.metadata["step"]) for h in app.get_state_history(config)] == [
            ((), 2), (("bob", "never"), 1), (("alice",), 0), (("__start__",), -1)]


def test_a_command_to_the_parent_from_two_levels_down_routes_in_the_middle_graph():
    middle = StateGraph(Log)
    middle.add_node("inner", agent())
    middle.add_node("bob", lambda s: {"log": ["middle bob"]})
    middle.add_edge(START, "inner")
    top = StateGraph(Log)
    top.add_node("mid", middle.compile())
    top.add_node("bob", lambda s: {"log": ["top bob"]})
    top.add_edge(START, "mid")
    # the middle graph's output (its whole log) goes through the top graph's reducer
    assert top.compile().invoke({"log": []}) == {"log": ["handoff", "middle bob"]}
