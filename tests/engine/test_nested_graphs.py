"""A compiled graph invoked or streamed by a node's code is a subgraph of that node's task, as in LangGraph
(issue 10, item 11): its chunks stream under the node's namespace with subgraphs=True, it keeps to the
parent's thread whatever checkpointer it was compiled with, and its interrupt() pauses the parent."""

import asyncio
import re

import pytest
from typing_extensions import TypedDict

from wfkit import Command, InMemorySaver, START, StateGraph, entrypoint, get_stream_writer, interrupt
from wfkit.errors import SubgraphOnlyError


class S(TypedDict):
    x: int


def sub_a(s):
    get_stream_writer()(("sub_a", s["x"]))
    return {"x": s["x"] + 1}


def chain(checkpointer=None):
    g = StateGraph(S)
    g.add_node("sub_a", sub_a)
    g.add_node("sub_b", lambda s: {"x": s["x"] * 10})
    g.add_edge(START, "sub_a")
    g.add_edge("sub_a", "sub_b")
    return g.compile(checkpointer=checkpointer)


def parent_of(call, checkpointer=None):
    g = StateGraph(S)
    g.add_node("call", call)
    g.add_node("after", lambda s: {"x": s["x"] + 1})
    g.add_edge(START, "call")
    g.add_edge("call", "after")
    return g.compile(checkpointer=checkpointer)


def ids_out(chunks):
    """Namespaces with the task id part replaced (it is a uuid with a checkpointer)."""
    return [(tuple(re.sub(r":.*", ":<id>", part) for part in c[0]),) + tuple(c[1:]) for c in chunks]


def test_a_graph_invoked_in_a_node_streams_under_the_nodes_namespace():
    sub = chain()
    app = parent_of(lambda s: {"x": sub.invoke({"x": s["x"]})["x"]})
    assert app.invoke({"x": 1}) == {"x": 21}
    assert list(app.stream({"x": 1}, stream_mode=["updates", "custom"], subgraphs=True)) == [
        (("call:call",), "custom", ("sub_a", 1)),
        (("call:call",), "updates", {"sub_a": {"x": 2}}),
        (("call:call",), "updates", {"sub_b": {"x": 20}}),
        ((), "updates", {"call": {"x": 20}}),
        ((), "updates", {"after": {"x": 21}}),
    ]
    assert list(app.stream({"x": 1}, stream_mode="values", subgraphs=True)) == [
        ((), {"x": 1}), (("call:call",), {"x": 1}), (("call:call",), {"x": 2}), (("call:call",), {"x": 20}),
        ((), {"x": 20}), ((), {"x": 21})]
    # without subgraphs=True none of the subgraph's chunks, its custom writes included (as LangGraph)
    assert list(app.stream({"x": 1}, stream_mode=["updates", "custom"])) == [
        ("updates", {"call": {"x": 20}}), ("updates", {"after": {"x": 21}})]


def test_a_nodes_further_graphs_get_a_numbered_namespace_and_streams_inside_a_node_count_too():
    sub = chain()

    def twice(s):
        values = [c for c in sub.stream({"x": s["x"]}, stream_mode="values")]
        return {"x": sub.invoke({"x": values[-1]["x"]})["x"]}

    app = parent_of(twice)
    assert list(app.stream({"x": 1}, stream_mode="updates", subgraphs=True)) == [
        (("call:call",), {"sub_a": {"x": 2}}), (("call:call",), {"sub_b": {"x": 20}}),
        (("call:call", "1"), {"sub_a": {"x": 21}}), (("call:call", "1"), {"sub_b": {"x": 210}}),
        ((), {"call": {"x": 210}}), ((), {"after": {"x": 211}})]


def test_graphs_nested_in_nodes_of_graphs_nested_in_nodes():
    grandchild = chain()
    child = parent_of(lambda s: grandchild.invoke(s))
    app = parent_of(lambda s: child.invoke(s))
    assert list(app.stream({"x": 1}, stream_mode="updates", subgraphs=True)) == [
        (("call:call", "call:call"), {"sub_a": {"x": 2}}), (("call:call", "call:call"), {"sub_b": {"x": 20}}),
        (("call:call",), {"call": {"x": 20}}), (("call:call",), {"after": {"x": 21}}),
        ((), {"call": {"x": 21}}), ((), {"after": {"x": 22}})]


def test_an_async_node_awaiting_ainvoke_or_astream():
    sub = chain()

    async def call(s):
        first = await sub.ainvoke({"x": s["x"]})
        last = [c async for c in sub.astream({"x": first["x"]}, stream_mode="values")][-1]
        return {"x": last["x"]}

    async def chunks():
        return [c async for c in parent_of(call).astream({"x": 1}, stream_mode="updates", subgraphs=True)]

    assert asyncio.run(chunks()) == [
        (("call:call",), {"sub_a": {"x": 2}}), (("call:call",), {"sub_b": {"x": 20}}),
        (("call:call", "1"), {"sub_a": {"x": 21}}), (("call:call", "1"), {"sub_b": {"x": 210}}),
        ((), {"call": {"x": 210}}), ((), {"after": {"x": 211}})]


def test_inside_a_running_event_loop_as_in_jupyter():
    sub = chain()
    app = parent_of(lambda s: {"x": sub.invoke({"x": s["x"]})["x"]})

    async def cell():  # a notebook cell: sync calls while a loop runs in this thread
        return list(app.stream({"x": 1}, stream_mode="updates", subgraphs=True))

    assert asyncio.run(cell())[:2] == [(("call:call",), {"sub_a": {"x": 2}}), (("call:call",), {"sub_b": {"x": 20}})]


@pytest.mark.parametrize("own", [None, "saver", True])
def test_a_nested_graph_keeps_to_the_parents_thread_and_its_interrupt_pauses_the_parent(own):
    def ask(s):
        return {"x": s["x"] + interrupt({"q": s["x"]})}

    g = StateGraph(S)
    g.add_node("ask", ask)
    g.add_node("b", lambda s: {"x": s["x"] * 10})
    g.add_edge(START, "ask")
    g.add_edge("ask", "b")
    sub = g.compile(checkpointer=InMemorySaver() if own == "saver" else own)
    app = parent_of(lambda s: {"x": sub.invoke({"x": s["x"]})["x"]}, InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    paused = app.invoke({"x": 2}, config)
    assert (paused["x"], [i.value for i in paused["__interrupt__"]]) == (2, [{"q": 2}])
    state = app.get_state(config)
    assert (state.values, state.next, [i.value for i in state.interrupts]) == ({"x": 2}, ("call",), [{"q": 2}])
    name = "call" if own is True else "call:<id>"  # checkpointer=True: the namespace is the node's name
    assert ids_out(app.stream(Command(resume=5), config, stream_mode="updates", subgraphs=True)) == [
        ((name,), {"ask": {"x": 7}}), ((name,), {"b": {"x": 70}}), ((), {"call": {"x": 70}}),
        ((), {"after": {"x": 71}})]
    assert app.get_state(config).values == {"x": 71}


def test_a_graph_compiled_with_checkpointer_true_runs_only_as_a_subgraph():
    sub = chain(checkpointer=True)
    assert parent_of(lambda s: sub.invoke(s)).invoke({"x": 1}) == {"x": 21}
    with pytest.raises(SubgraphOnlyError, match=re.escape(
            "graph `LangGraph` was compiled with checkpointer=True, which makes it a subgraph that keeps to its "
            "parent's thread, so it cannot run on its own; run it from a node of a graph that has a checkpointer, "
            "or compile it with checkpointer=InMemorySaver() to run it alone")):
        sub.invoke({"x": 1})
    assert issubclass(SubgraphOnlyError, RuntimeError)  # LangGraph raises a RuntimeError
    assert chain(checkpointer=False).invoke({"x": 1}) == {"x": 20}


def test_an_entrypoint_invoking_an_entrypoint_and_a_graph():
    @entrypoint()
    def multiply(inputs: dict) -> int:
        return inputs["a"] * inputs["b"]

    sub = chain()

    @entrypoint(checkpointer=InMemorySaver())
    def main(inputs: dict) -> dict:
        return {"product": multiply.invoke({"a": inputs["x"], "b": inputs["y"]}), "graph": sub.invoke({"x": 1})["x"]}

    config = {"configurable": {"thread_id": "e"}}
    assert ids_out(main.stream({"x": 6, "y": 7}, config, stream_mode="updates", subgraphs=True)) == [
        (("main:<id>",), {"multiply": 42}), (("main:<id>", "1"), {"sub_a": {"x": 2}}),
        (("main:<id>", "1"), {"sub_b": {"x": 20}}), ((), {"main": {"product": 42, "graph": 20}})]


def test_a_subgraph_nodes_own_keys_are_left_out_without_a_warning():
    import warnings

    class Sub(TypedDict):
        x: int
        private: str

    g = StateGraph(Sub)
    g.add_node("inner", lambda s: {"x": s["x"] + 1, "private": "p"})
    g.add_edge(START, "inner")
    parent = StateGraph(S)
    parent.add_node("sub", g.compile())
    parent.add_edge(START, "sub")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # LangGraph drops them silently: so does wfkit
        assert list(parent.compile().stream({"x": 1})) == [{"sub": {"x": 2}}]
