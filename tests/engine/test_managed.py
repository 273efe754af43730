"""Managed values: `remaining_steps: RemainingSteps` counts the supersteps a run may still execute, as
LangGraph's does (the numbers below were measured on LangGraph 1.2 with the same graphs)."""

import operator
from typing import Annotated

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from wfkit import END, START, InMemorySaver, StateGraph
from wfkit.errors import GraphRecursionError
from wfkit.managed import RemainingSteps


class S(TypedDict):
    log: Annotated[list, operator.add]
    remaining_steps: RemainingSteps


def ping_pong(**compile_kw):
    def route(s):
        return "a" if s["remaining_steps"] > 2 else END

    g = StateGraph(S)
    g.add_node("a", lambda s: {"log": [("a", s["remaining_steps"])]})
    g.add_node("b", lambda s: {"log": [("b", s["remaining_steps"])]})
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    g.add_conditional_edges("b", route)
    return g.compile(**compile_kw)


def test_remaining_steps_is_the_limit_minus_the_supersteps_run():
    app = ping_pong()
    assert app.invoke({"log": []}, {"recursion_limit": 6}) == {"log": [("a", 5), ("b", 4), ("a", 3), ("b", 2)]}
    assert app.invoke({"log": []}, {"recursion_limit": 5}) == {"log": [("a", 4), ("b", 3), ("a", 2), ("b", 1)]}
    assert app.invoke({"log": []})["log"][:2] == [("a", 24), ("b", 23)]  # the default limit is 25
    assert list(app.stream({"log": []}, {"recursion_limit": 7}, stream_mode="updates")) == [
        {"a": {"log": [("a", 6)]}}, {"b": {"log": [("b", 5)]}}, {"a": {"log": [("a", 4)]}},
        {"b": {"log": [("b", 3)]}}, {"a": {"log": [("a", 2)]}}, {"b": {"log": [("b", 1)]}}]


def test_remaining_steps_is_never_stored_and_an_input_for_it_is_ignored():
    app = ping_pong(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}, "recursion_limit": 5}
    assert app.invoke({"log": [], "remaining_steps": 100}, config)["log"][0] == ("a", 4)
    assert "remaining_steps" not in app.get_state(config).values
    assert all("remaining_steps" not in h.values for h in app.get_state_history(config))


def test_a_resumed_run_counts_from_where_it_resumes():
    app = ping_pong(checkpointer=InMemorySaver(), interrupt_before=["b"])
    config = {"configurable": {"thread_id": "t"}, "recursion_limit": 8}
    assert app.invoke({"log": []}, config) == {"log": [("a", 7)]}
    assert app.invoke(None, config) == {"log": [("a", 7), ("b", 9), ("a", 8)]}


def test_a_loop_that_ignores_it_still_stops_with_the_recursion_error():
    g = StateGraph(S)
    g.add_node("a", lambda s: {"log": [s["remaining_steps"]]})
    g.add_edge(START, "a")
    g.add_edge("a", "a")
    with pytest.raises(GraphRecursionError):
        g.compile().invoke({"log": []}, {"recursion_limit": 3})


def test_a_pydantic_state_gets_it_too():
    class P(BaseModel):
        seen: list = []
        remaining_steps: RemainingSteps = 0

    g = StateGraph(P)
    g.add_node("a", lambda s: {"seen": [s.remaining_steps]})
    g.add_edge(START, "a")
    assert g.compile().invoke({}, {"recursion_limit": 4}) == {"seen": [3]}
