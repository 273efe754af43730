"""`update_state(config, input, as_node="__input__")`: the input stored as `invoke(input)` stores it (a
checkpoint of source "input" planning START), so a run can be replayed as updates; compared with LangGraph
1.2.24."""

import pytest
from typing_extensions import TypedDict

from wfkit import START, StateGraph
from wfkit.errors import InvalidUpdateError
from wfkit.types import StateUpdate


class S(TypedDict):
    foo: str


def graph(saver):
    g = StateGraph(S)
    g.add_node("agent", lambda s: {"foo": "agent"})
    g.add_node("tool", lambda s: {"foo": "tool"})
    g.add_edge(START, "agent")
    g.add_edge("agent", "tool")
    return g.compile(checkpointer=saver)


def summary(app, config):
    return [(s.values, s.next, s.metadata["source"], s.metadata["step"]) for s in app.get_state_history(config)]


def test_a_run_replayed_as_updates_has_the_runs_values_next_and_steps(saver):
    app = graph(saver)
    ran, replayed = {"configurable": {"thread_id": "ran"}}, {"configurable": {"thread_id": "replayed"}}
    assert app.invoke({"foo": "in"}, ran) == {"foo": "tool"}
    app.bulk_update_state(replayed, [[StateUpdate({"foo": "in"}, "__input__")],
                                     [StateUpdate({"foo": "in"}, "__start__")],
                                     [StateUpdate({"foo": "agent"}, "agent")],
                                     [StateUpdate({"foo": "tool"}, "tool")]])
    assert summary(app, replayed) == [
        ({"foo": "tool"}, (), "update", 2),
        ({"foo": "agent"}, ("tool",), "update", 1),
        ({"foo": "in"}, ("agent",), "update", 0),
        ({}, ("__start__",), "input", -1),
    ]
    assert [row[:2] + row[3:] for row in summary(app, ran)] == [row[:2] + row[3:] for row in summary(app, replayed)]


def test_an_input_update_plans_start_beside_the_tasks_not_run_yet_and_continues_the_steps(saver):
    app = graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    app.update_state(config, {"foo": "x"})
    app.update_state(config, {"foo": "y"}, as_node="__input__")
    app.update_state(config, {"foo": "z"}, as_node="__input__")  # replaces the input not run yet
    state = app.get_state(config)
    assert (state.values, state.next, state.metadata) == (
        {"foo": "x"}, ("__start__", "agent"), {"source": "input", "step": 2, "parents": {}})
    assert [t.name for t in state.tasks] == ["__start__", "agent"]
    with pytest.raises(InvalidUpdateError):  # both write `foo`, which has no reducer, as in LangGraph
        app.invoke(None, config)


def test_an_input_update_on_a_new_thread_runs_from_start(saver):
    app = graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    app.update_state(config, {"foo": "in"}, as_node="__input__")
    assert summary(app, config) == [({}, ("__start__",), "input", -1)]
    assert app.invoke(None, config) == {"foo": "tool"}


def test_an_input_update_goes_alone_and_needs_an_input(saver):
    app = graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    with pytest.raises(InvalidUpdateError) as raised:
        app.bulk_update_state(config, [[StateUpdate({"foo": "a"}, "__input__"), StateUpdate({"foo": "b"}, "agent")]])
    assert str(raised.value) == (
        "update as_node='__input__' among 2 updates of one superstep: the input goes alone in a superstep of its "
        "own: [StateUpdate(input, '__input__')]")
    with pytest.raises(InvalidUpdateError) as raised:
        app.update_state(config, None, as_node="__input__")
    assert str(raised.value) == (
        "update_state(config, None, as_node='__input__') has no input to store: pass the graph's input, e.g. "
        "update_state(config, {'foo': ...}, as_node='__input__')")
    assert summary(app, config) == []
