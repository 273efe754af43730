"""`bulk_update_state` / `abulk_update_state` with `StateUpdate`, and `update_state` on a thread with no state
yet (it seeds it, from START): each compared with LangGraph 1.2.24."""

import asyncio
import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from wfkit import START, StateGraph
from wfkit.errors import InvalidUpdateError
from wfkit.types import StateUpdate


class S(TypedDict):
    foo: str
    baz: str
    x: Annotated[list, operator.add]


def graph(saver):
    g = StateGraph(S)
    g.add_node("a", lambda s: {"foo": "bar"})
    g.add_node("b", lambda s: {"baz": "q"})
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    return g.compile(checkpointer=saver)


def test_update_state_on_a_thread_with_no_state_seeds_it_as_the_input(saver):
    app = graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    app.update_state(config, {"x": ["u1"]})
    first = app.get_state(config)
    assert (first.values, first.next, first.metadata, first.parent_config) == (
        {"x": ["u1"]}, ("a",), {"source": "update", "step": 0, "parents": {}}, None)
    app.update_state(config, {"x": ["u2"]})
    state = app.get_state(config)
    assert (state.values, state.next, state.metadata) == (
        {"x": ["u1", "u2"]}, ("a",), {"source": "update", "step": 1, "parents": {}})


def test_bulk_update_state_writes_one_checkpoint_per_superstep(saver):
    app = graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    returned = app.bulk_update_state(config, [
        [StateUpdate({"foo": "bar"}, "a")],
        [StateUpdate({"foo": "up"}, "a"), StateUpdate({"baz": "new"}, "b")]])
    state = app.get_state(config)
    assert returned == state.config
    assert (state.values, state.next, state.metadata) == (
        {"foo": "up", "baz": "new", "x": []}, ("b",), {"source": "update", "step": 1, "parents": {}})
    assert len(list(app.get_state_history(config))) == 2


def test_abulk_update_state_is_the_same_awaited(saver):
    app = graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    asyncio.run(app.abulk_update_state(config, [[StateUpdate({"foo": "bar"}, "a"), StateUpdate({"x": [1]}, "b")]]))
    assert app.get_state(config).values == {"foo": "bar", "x": [1]}


def test_bulk_update_state_copies_a_checkpoint_alone_in_its_superstep(saver):
    app = graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    app.bulk_update_state(config, [[StateUpdate({"foo": "bar"}, "a")], [StateUpdate(None, "__copy__")]])
    assert app.get_state(config).metadata == {"source": "fork", "step": 1, "parents": {}}


@pytest.mark.parametrize("supersteps, error, message", [
    ([], ValueError, "bulk_update_state(): No supersteps provided; pass a list of supersteps, each a list of "
                     "StateUpdate(values, as_node)"),
    ([[], []], ValueError, "bulk_update_state(): No updates provided; give each superstep at least one "
                           "StateUpdate(values, as_node)"),
    ([[StateUpdate({"foo": "e"}), StateUpdate({"baz": "e"})]], InvalidUpdateError,
     "bulk_update_state(): superstep 0 has 2 updates and one has no as_node, so which node it comes from cannot "
     "be told: give each StateUpdate its as_node"),
    ([[StateUpdate(None, "__end__"), StateUpdate(None, "__copy__")]], InvalidUpdateError,
     "bulk_update_state(): superstep 0 has an update as_node='__end__' among 2; such an update goes alone in a "
     "superstep of its own: [StateUpdate(None, '__end__')]"),
])
def test_bulk_update_state_refuses_what_it_cannot_apply(saver, supersteps, error, message):
    app = graph(saver)
    with pytest.raises(error) as info:
        app.bulk_update_state({"configurable": {"thread_id": "t"}}, supersteps)
    assert str(info.value) == message
