"""The "debug" stream's checkpoint chunks name the configs the thread's history gives (as LangGraph's do):
a subgraph's carry `checkpoint_map`; under durability="exit" each names the parent of the checkpoint the run
started from, and a subgraph that finished stores no checkpoint."""

import operator
from typing import Annotated

from typing_extensions import TypedDict

from wfkit import END, START, StateGraph
from wfkit.checkpoint import InMemorySaver


class State(TypedDict):
    messages: Annotated[list[str], operator.add]


def chain(prefix: str, second=None) -> StateGraph:
    graph = StateGraph(State)
    graph.add_node(f"{prefix}_one", lambda s: {"messages": [f"{prefix}_one"]})
    graph.add_node(f"{prefix}_two", second or (lambda s: {"messages": [f"{prefix}_two"]}))
    graph.add_edge(START, f"{prefix}_one")
    graph.add_edge(f"{prefix}_one", f"{prefix}_two")
    graph.add_edge(f"{prefix}_two", END)
    return graph


def checkpoint_chunks(graph, config, durability, subgraphs=False):
    chunks = graph.stream({"messages": []}, config, stream_mode="debug", durability=durability, subgraphs=subgraphs)
    if subgraphs:
        return [(ns, c["payload"]) for ns, c in chunks if c["type"] == "checkpoint"]
    return [c["payload"] for c in chunks if c["type"] == "checkpoint"]


def test_exit_mode_chunks_name_the_parent_of_the_checkpoint_the_run_started_from():
    graph = chain("p").compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    first = checkpoint_chunks(graph, config, "exit")
    assert [c["parent_config"] for c in first] == [None, None, None, None]
    checkpoint_chunks(graph, config, "exit")
    third = checkpoint_chunks(graph, config, "exit")
    history = list(graph.get_state_history(config))
    assert len(history) == 3
    assert history[0].config["configurable"]["checkpoint_id"] == third[-1]["config"]["configurable"]["checkpoint_id"]
    # the second run started from the second checkpoint: its parent is the first run's
    assert [c["parent_config"] for c in third] == [history[2].config] * 4


def test_sync_mode_chunks_name_the_previous_checkpoint():
    graph = chain("p").compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    chunks = checkpoint_chunks(graph, config, "sync")
    history = list(graph.get_state_history(config))[::-1]
    assert [c["config"] for c in chunks] == [h.config for h in history]
    assert [c["parent_config"] for c in chunks] == [h.parent_config for h in history]
    assert chunks[0]["parent_config"] is None


def test_subgraph_chunks_carry_checkpoint_map():
    graph = chain("gp", chain("p").compile()).compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    chunks = checkpoint_chunks(graph, config, "sync", subgraphs=True)
    inner = [(ns, c) for ns, c in chunks if ns]
    assert len(inner) == 4
    ns = inner[0][1]["config"]["configurable"]["checkpoint_ns"]
    history = list(graph.get_state_history({"configurable": {"thread_id": "t", "checkpoint_ns": ns}}))[::-1]
    assert [c["config"] for _, c in inner] == [h.config for h in history]
    assert [c["parent_config"] for _, c in inner] == [h.parent_config for h in history]
    root = inner[0][1]["config"]["configurable"]["checkpoint_map"][""]
    assert inner[1][1]["config"]["configurable"]["checkpoint_map"] == {
        "": root, ns: inner[1][1]["config"]["configurable"]["checkpoint_id"]}


def test_exit_mode_stores_no_checkpoint_of_a_finished_subgraph():
    saver = InMemorySaver()
    graph = chain("gp", chain("p").compile()).compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "t"}}
    chunks = checkpoint_chunks(graph, config, "exit", subgraphs=True)
    ns = next(c["config"]["configurable"]["checkpoint_ns"] for n, c in chunks if n)
    assert list(graph.get_state_history({"configurable": {"thread_id": "t", "checkpoint_ns": ns}})) == []
    assert [h.values for h in graph.get_state_history(config)] == [
        {"messages": ["gp_one", "gp_one", "p_one", "p_two"]}]


class Inner(TypedDict):
    my_key: Annotated[str, operator.add]


def test_a_subgraph_with_a_checkpointer_of_its_own_keeps_to_the_parents_and_its_durability():
    inner_saver, saver = InMemorySaver(), InMemorySaver()
    inner = StateGraph(Inner)
    inner.add_node("one", lambda s: {"my_key": " one"})
    inner.add_edge(START, "one")
    graph = StateGraph(Inner)
    graph.add_node("inner", inner.compile(checkpointer=inner_saver))
    graph.add_edge(START, "inner")
    app = graph.compile(checkpointer=saver)
    assert app.invoke({"my_key": ""}, {"configurable": {"thread_id": "t"}}, durability="exit") == {"my_key": " one"}
    assert [c.checkpoint["channel_values"] for c in saver.list({"configurable": {"thread_id": "t"}})] == [
        {"my_key": " one"}]
    assert list(inner_saver.list({"configurable": {"thread_id": "t"}})) == []
    app.invoke({"my_key": ""}, {"configurable": {"thread_id": "u"}}, durability="sync")
    stored = [k.split("\x1f")[0] for k in saver._threads]
    assert stored.count("u") == 2  # the thread's own and its subgraph's
    assert list(inner_saver.list({"configurable": {"thread_id": "u"}})) == []
