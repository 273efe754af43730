"""CompiledStateGraph.copy: a copy with what compile() was given replaced, as LangGraph's Pregel.copy (the
values asserted are what the same program gives on LangGraph 1.2.24)."""

import pytest
from typing_extensions import TypedDict

from wfkit import START, InMemorySaver, StateGraph
from wfkit.errors import ArgumentTypeError, GraphBuildError, UnsupportedFeatureError


class S(TypedDict):
    foo: str


def _graph(**compile_kw):
    builder = StateGraph(S)
    builder.add_node("a", lambda s: {"foo": s["foo"] + "a"})
    builder.add_node("b", lambda s: {"foo": s["foo"] + "b"})
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    return builder.compile(**compile_kw)


def test_copy_with_a_checkpointer_keeps_threads_and_leaves_the_original_alone():
    graph = _graph()
    saver = InMemorySaver()
    copy = graph.copy({"checkpointer": saver})
    config = {"configurable": {"thread_id": "1"}}
    assert copy.invoke({"foo": "y"}, config) == {"foo": "yab"}
    assert copy.get_state(config).values == {"foo": "yab"}
    assert copy.checkpointer is saver and graph.checkpointer is None
    assert graph.invoke({"foo": "x"}) == {"foo": "xab"}


def test_copy_takes_keywords_and_langgraphs_attribute_names():
    graph = _graph(checkpointer=InMemorySaver())
    paused = graph.copy({"interrupt_before_nodes": ["b"]})
    config = {"configurable": {"thread_id": "2"}}
    assert paused.invoke({"foo": "z"}, config) == {"foo": "za"}
    assert paused.get_state(config).next == ("b",)
    assert graph.interrupt_before == frozenset()
    assert graph.copy(name="other").name == "other" and graph.name == "LangGraph"
    assert graph.copy().invoke({"foo": "q"}, {"configurable": {"thread_id": "3"}}) == {"foo": "qab"}


def test_a_copy_with_a_new_checkpointer_does_not_see_the_old_threads():
    graph = _graph(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"foo": "1"}, config)
    fresh = graph.copy(checkpointer=InMemorySaver())
    assert fresh.get_state(config).values == {}
    assert graph.get_state(config).values == {"foo": "1ab"}


def test_copy_with_a_bound_config():
    graph = _graph().copy({"config": {"configurable": {"thread_id": "9"}}, "checkpointer": InMemorySaver()})
    assert graph.invoke({"foo": "w"}) == {"foo": "wab"}
    assert graph.get_state({}).values == {"foo": "wab"}


def test_copy_refuses_what_it_cannot_replace_by_name():
    with pytest.raises(UnsupportedFeatureError) as err:
        _graph().copy({"nodes": {}, "channels": {}})
    assert str(err.value) == (
        "copy(): wfkit cannot replace `nodes`, `channels` of a compiled graph; it can replace `checkpointer`, "
        "`store`, `cache`, `name`, `interrupt_before`, `interrupt_after`, `config`, `context_schema`, `executor` — "
        "to change nodes, edges or channels, build the graph again with the StateGraph and compile it")
    with pytest.raises(GraphBuildError) as err:
        _graph().copy(interrupt_after=["nope"])
    assert str(err.value) == ("copy(): `interrupt_after` names `nope`, which is not a node of graph `LangGraph`; "
                              "its nodes are `a`, `b`")
    with pytest.raises(ArgumentTypeError) as err:
        _graph().copy(checkpointer="memory")
    assert str(err.value).startswith("`checkpointer` must be a checkpointer, True, False or None, got ")
    with pytest.raises(ArgumentTypeError) as err:
        _graph().copy(["checkpointer"])
    assert str(err.value) == ("copy(): `update` must be a dict of attributes to replace, got list: "
                              "e.g. graph.copy({'checkpointer': InMemorySaver()})")


def test_a_node_copies_with_fields_replaced():
    graph = _graph()
    node = graph.nodes["a"]
    assert node.copy({}) == node
    assert node.copy({"metadata": {"k": 1}}).metadata == {"k": 1}
    with pytest.raises(ArgumentTypeError) as err:
        node.copy({"bound": None})
    assert str(err.value).startswith("node `a`.copy(): no field `bound`; its fields are `name`, `fn`, `input`, ")
