"""Issue 28 items 4-8, as LangGraph does them: parallel interrupts answered by id, the async twins of the
state API, `durability=`, the `__copy__` fork, and each finished task's result in the history. Each test
runs on InMemorySaver and SqliteSaver."""

import asyncio
import operator
from typing import Annotated

from typing_extensions import TypedDict

from wfkit import START, StateGraph


class S(TypedDict):
    log: Annotated[list, operator.add]


def writer(name):
    return lambda state: {"log": [name]}


def chain(saver, names=("a", "b"), **compile_kw):
    g = StateGraph(S)
    for name in names:
        g.add_node(name, writer(name))
    g.add_edge(START, names[0])
    for a, b in zip(names, names[1:]):
        g.add_edge(a, b)
    return g.compile(checkpointer=saver, **compile_kw)


def cfg(thread="t"):
    return {"configurable": {"thread_id": thread}}


# -- item 5: async twins -----------------------------------------------------------------------------
def test_aget_state_history_is_an_async_generator_listing_what_get_state_history_lists(saver):
    app = chain(saver)
    app.invoke({"log": []}, cfg())

    async def listed():
        listing = app.aget_state_history(cfg(), limit=3)
        assert hasattr(listing, "__anext__")
        return [(s.metadata["step"], s.next, s.values) async for s in listing]

    assert asyncio.run(listed()) == [(2, (), {"log": ["a", "b"]}), (1, ("b",), {"log": ["a"]}),
                                     (0, ("a",), {"log": []})]
    assert asyncio.run(listed()) == [(s.metadata["step"], s.next, s.values)
                                     for s in app.get_state_history(cfg(), limit=3)]


def test_aupdate_state_forks_as_update_state_does(saver):
    app = chain(saver)
    app.invoke({"log": []}, cfg())
    before_b = next(s for s in app.get_state_history(cfg()) if s.next == ("b",))
    fork = asyncio.run(app.aupdate_state(before_b.config, {"log": ["x"]}, as_node="a"))
    assert asyncio.run(app.aget_state(fork)).values == {"log": ["a", "x"]}
    assert asyncio.run(app.aget_state(fork, subgraphs=True)).next == ("b",)
    assert asyncio.run(app.ainvoke(None, fork)) == {"log": ["a", "x", "b"]}


def test_get_subgraphs_finds_graph_nodes_and_graphs_a_node_calls_by_whole_namespace_segments():
    inner, called, alone = chain(None, ("n",)), chain(None, ("m",)), chain(None, ("k",))
    research = StateGraph(S).add_node("review", inner).add_edge(START, "review").compile()

    def review(state):
        return called.invoke(state)

    parent = (StateGraph(S).add_node("research", research).add_node("research_review", alone)
              .add_node("review", review).add_node("plain", writer("p")).add_edge(START, "research").compile())
    found = list(parent.get_subgraphs(recurse=True))
    assert found == [("research", research), ("research|review", inner), ("research_review", alone),
                     ("review", called)]
    assert list(parent.get_subgraphs()) == [("research", research), ("research_review", alone), ("review", called)]
    for namespace, graph in found:
        assert list(parent.get_subgraphs(namespace=namespace, recurse=True)) == [(namespace, graph)]
    assert list(parent.get_subgraphs(namespace="research|review")) == []  # nested: only with recurse=True

    async def listed():
        return [pair async for pair in parent.aget_subgraphs(namespace="research|review", recurse=True)]

    assert asyncio.run(listed()) == [("research|review", inner)]
