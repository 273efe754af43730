"""`update_state(config, [StateUpdate(...), ...], as_node="__copy__")`: copy the checkpoint (source "fork")
and apply the updates to the copy as one superstep, as LangGraph 1.2.24 does."""

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from wfkit import START, StateGraph
from wfkit.errors import InvalidUpdateError
from wfkit.types import StateUpdate


class S(TypedDict):
    log: Annotated[list, operator.add]


def graph(saver):
    g = StateGraph(S)
    for name in "abc":
        g.add_node(name, lambda s, name=name: {"log": [name]})
    g.add_edge(START, "a")
    g.add_edge(START, "b")
    g.add_edge("a", "c")
    return g.compile(checkpointer=saver)


def rows(app, config, count):
    return [(s.values, s.next, s.metadata["source"], s.metadata["step"], [(t.name, t.result) for t in s.tasks])
            for s in list(app.get_state_history(config))[:count]]


def test_a_copy_with_updates_is_a_fork_then_an_update_of_it(saver):
    app = graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"log": ["in"]}, config)
    before_c = list(app.get_state_history(config))[1]
    new = app.update_state(before_c.config, [StateUpdate({"log": ["b*"]}, "b"), StateUpdate({"log": ["a*"]}, "a")],
                           as_node="__copy__")
    assert rows(app, config, 2) == [
        ({"log": ["in", "a", "b", "b*", "a*"]}, ("c",), "update", 3, [("c", None)]),
        ({"log": ["in", "a", "b"]}, ("c",), "fork", 2, [("c", None)]),
    ]
    assert list(app.get_state_history(config))[1].parent_config == before_c.parent_config
    assert app.invoke(None, new) == {"log": ["in", "a", "b", "b*", "a*", "c"]}


def test_a_copy_updated_as_its_planned_node_shows_the_update_as_that_tasks_result(saver):
    app = graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"log": ["in"]}, config)
    before_c = list(app.get_state_history(config))[1]
    app.update_state(before_c.config, [StateUpdate({"log": ["c*"]}, "c")], as_node="__copy__")
    assert rows(app, config, 2) == [
        ({"log": ["in", "a", "b", "c*"]}, (), "update", 3, []),
        ({"log": ["in", "a", "b"]}, ("c",), "fork", 2, [("c", {"log": ["c*"]})]),
    ]


def test_a_copy_takes_none_or_a_list_of_state_updates(saver):
    app = graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"log": ["in"]}, config)
    head = app.get_state(config).config
    with pytest.raises(InvalidUpdateError) as raised:
        app.update_state(head, [{"log": ["x"]}], as_node="__copy__")
    assert str(raised.value) == (
        f"update_state(config, [{{'log': ['x']}}], as_node='__copy__') copies checkpoint "
        f"`{head['configurable']['checkpoint_id']}`: pass None to copy it as it is, or a list of "
        "StateUpdate(values, as_node) to apply to the copy as one superstep")
    assert len(list(app.get_state_history(config))) == 4
