"""invoke / stream / astream: chunks in order for every mode, and sync calls inside a running event loop."""

import asyncio
import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from wfkit import START, StateGraph, get_stream_writer


class S(TypedDict):
    log: Annotated[list, operator.add]
    n: int


def chain():
    def a(state):
        get_stream_writer()({"progress": "a working"})
        return {"log": ["a"], "n": 1}

    def b(state):
        return None

    g = StateGraph(S)
    g.add_node("a", a)
    g.add_node("b", b)
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    return g.compile()


def test_updates_stream_is_default_and_shows_none_for_a_silent_node():
    assert list(chain().stream({"n": 0})) == [{"a": {"log": ["a"], "n": 1}}, {"b": None}]


def test_values_stream_emits_input_then_each_superstep_that_wrote():
    assert list(chain().stream({"n": 0}, stream_mode="values")) == [
        {"log": [], "n": 0}, {"log": ["a"], "n": 1}]


def test_custom_stream_carries_stream_writer_values():
    assert list(chain().stream({"n": 0}, stream_mode="custom")) == [{"progress": "a working"}]


def test_list_of_modes_gives_mode_chunk_pairs_in_order():
    assert list(chain().stream({"n": 0}, stream_mode=["updates", "custom", "values"])) == [
        ("values", {"log": [], "n": 0}),
        ("custom", {"progress": "a working"}),
        ("updates", {"a": {"log": ["a"], "n": 1}}),
        ("values", {"log": ["a"], "n": 1}),
        ("updates", {"b": None}),
    ]


def test_debug_stream_has_task_and_task_result_records_as_langgraph_names_them():
    chunks = list(chain().stream({"n": 0}, stream_mode="debug"))
    # no checkpointer: no checkpoint records (LangGraph 1.x)
    assert [(c["type"], c["step"], c["payload"].get("name")) for c in chunks] == [
        ("task", 1, "a"), ("task_result", 1, "a"), ("task", 2, "b"), ("task_result", 2, "b")]
    task = chunks[0]["payload"]
    assert task["input"] == {"log": [], "n": 0} and task["triggers"] == ("branch:to:a",)
    assert chunks[1]["payload"]["result"] == {"log": ["a"], "n": 1}
    assert chunks[3]["payload"]["result"] == {}


def test_debug_stream_has_checkpoint_records_with_a_checkpointer():
    from wfkit import InMemorySaver

    app = chain().builder.compile(checkpointer=InMemorySaver())
    chunks = list(app.stream({"n": 0}, {"configurable": {"thread_id": "t"}}, stream_mode="debug"))
    kept = [c for c in chunks if c["type"] == "checkpoint"]
    assert [(c["step"], c["payload"]["metadata"]["source"]) for c in kept] == [
        (-1, "input"), (0, "loop"), (1, "loop"), (2, "loop")]
    assert [c["payload"]["next"] for c in kept] == [["__start__"], ["a"], ["b"], []]
    # each names its parent, and its tasks carry the ids of the task events that follow
    assert kept[0]["payload"]["parent_config"] is None
    assert [c["payload"]["parent_config"]["configurable"]["checkpoint_id"] for c in kept[1:]] == [
        c["payload"]["config"]["configurable"]["checkpoint_id"] for c in kept[:-1]]
    assert [t["id"] for c in kept[1:] for t in c["payload"]["tasks"]] == [
        c["payload"]["id"] for c in chunks if c["type"] == "task"]


def test_debug_triggers_name_sends_and_joins_as_langgraph():
    from wfkit import Send

    g = StateGraph(S)
    for name in ("a", "b", "c"):
        g.add_node(name, lambda s: None)
    g.add_edge(START, "a")
    g.add_edge(START, "b")
    g.add_edge(["a", "b"], "c")
    g.add_conditional_edges("c", lambda s: [Send("a", {"n": 5})] if s["n"] == 0 else [])
    tasks = [(c["step"], c["payload"]["name"], c["payload"]["triggers"])
             for c in g.compile().stream({"n": 0}, stream_mode="debug") if c["type"] == "task"]
    assert tasks[2:] == [(2, "c", ("branch:to:c", "join:a+b:c")), (3, "a", ("__pregel_push",))]


def test_debug_task_result_of_a_failed_task_gives_its_exception_before_it_is_raised():
    g = StateGraph(S)
    g.add_node("a", lambda s: 1 / 0)
    g.add_edge(START, "a")
    chunks = []
    with pytest.raises(ZeroDivisionError) as info:
        for chunk in g.compile().stream({"n": 0}, stream_mode="debug"):
            chunks.append(chunk)
    assert [c["type"] for c in chunks] == ["task", "task_result"]
    # as in LangGraph: the exception itself, the very one the run raises
    assert chunks[1]["payload"]["error"] is info.value
    assert (str(chunks[1]["payload"]["error"]), chunks[1]["payload"]["result"]) == ("division by zero", {})


def test_unknown_stream_mode_is_refused():
    with pytest.raises(ValueError) as info:
        list(chain().stream({"n": 0}, stream_mode="tokens"))
    assert str(info.value) == "unknown stream_mode `tokens`; use one of values, updates, checkpoints, tasks, debug, messages, custom (or a list of them)"


def test_astream_matches_stream():
    async def collect():
        return [c async for c in chain().astream({"n": 0}, stream_mode=["updates", "values"])]

    assert asyncio.run(collect()) == list(chain().stream({"n": 0}, stream_mode=["updates", "values"]))


def test_sync_invoke_and_stream_work_inside_a_running_event_loop():
    # What a Jupyter cell does: call the sync API while the kernel's loop is running.
    async def cell():
        app = chain()
        return app.invoke({"n": 0}), list(app.stream({"n": 0}))

    out, chunks = asyncio.run(cell())
    assert out == {"log": ["a"], "n": 1}
    assert chunks == [{"a": {"log": ["a"], "n": 1}}, {"b": None}]


def test_ainvoke_with_async_nodes():
    async def a(state):
        await asyncio.sleep(0)
        return {"n": state["n"] + 41}

    g = StateGraph(S)
    g.add_node("a", a)
    g.add_edge(START, "a")
    assert asyncio.run(g.compile().ainvoke({"n": 1})) == {"n": 42, "log": []}
    assert g.compile().invoke({"n": 1}) == {"n": 42, "log": []}


def test_stream_error_is_raised_after_the_chunks_before_it():
    def bad(state):
        raise RuntimeError("nope")

    g = StateGraph(S)
    g.add_node("a", lambda s: {"n": 1})
    g.add_node("bad", bad)
    g.add_edge(START, "a")
    g.add_edge("a", "bad")
    seen = []
    with pytest.raises(RuntimeError, match="nope"):
        for chunk in g.compile().stream({"n": 0}):
            seen.append(chunk)
    assert seen == [{"a": {"n": 1}}]


def test_a_subgraphs_tokens_and_custom_writes_stream_only_with_subgraphs_true():
    # measured on LangGraph 1.2.24: without subgraphs=True a subgraph's custom writes and model tokens are
    # left out of the parent's stream; with it they come under the subgraph's namespace
    from wfkit.llm import ScriptedModel

    def inner(state):
        get_stream_writer()({"progress": "inner"})
        return {"log": [ScriptedModel(["Hello from inside"]).invoke("hi").content]}

    sub = StateGraph(S)
    sub.add_node("inner", inner)
    sub.add_edge(START, "inner")
    parent = StateGraph(S)
    parent.add_node("sub", sub.compile())
    parent.add_edge(START, "sub")
    app = parent.compile()
    modes = ["custom", "messages", "updates"]
    assert list(app.stream({"log": []}, stream_mode=modes)) == [("updates", {"sub": {"log": ["Hello from inside"]}})]
    chunks = []
    for ns, mode, chunk in app.stream({"log": []}, stream_mode=modes, subgraphs=True):
        if mode == "messages":
            chunk = (chunk[0].content, chunk[1]["langgraph_node"], chunk[1]["langgraph_checkpoint_ns"])
        chunks.append((ns, mode, chunk))
    # langgraph_checkpoint_ns: the task's own namespace under its subgraph's, as LangGraph gives it
    assert chunks == [
        (("sub:sub",), "custom", {"progress": "inner"}),
        (("sub:sub",), "messages", ("Hello", "inner", "sub:sub|inner:inner")),
        (("sub:sub",), "messages", (" from", "inner", "sub:sub|inner:inner")),
        (("sub:sub",), "messages", (" inside", "inner", "sub:sub|inner:inner")),
        (("sub:sub",), "updates", {"inner": {"log": ["Hello from inside"]}}),
        ((), "updates", {"sub": {"log": ["Hello from inside"]}}),
    ]


def test_subgraphs_true_streams_the_subgraphs_own_chunks_under_its_namespace():
    def inner(state):
        get_stream_writer()({"progress": "inner"})
        return {"log": ["inner"]}

    sub = StateGraph(S)
    sub.add_node("inner", inner)
    sub.add_edge(START, "inner")
    parent = StateGraph(S)
    parent.add_node("pre", lambda s: {"log": ["pre"]})
    parent.add_node("sub", sub.compile())
    parent.add_edge(START, "pre")
    parent.add_edge("pre", "sub")
    app = parent.compile()
    # LangGraph 1.2 gives the same chunks in the same order (its namespace holds a uuid task id)
    assert list(app.stream({"log": []}, stream_mode=["updates", "values", "custom"], subgraphs=True)) == [
        ((), "values", {"log": []}),
        ((), "updates", {"pre": {"log": ["pre"]}}),
        ((), "values", {"log": ["pre"]}),
        (("sub:sub",), "values", {"log": ["pre"]}),
        (("sub:sub",), "custom", {"progress": "inner"}),
        (("sub:sub",), "updates", {"inner": {"log": ["inner"]}}),
        (("sub:sub",), "values", {"log": ["pre", "inner"]}),
        ((), "updates", {"sub": {"log": ["pre", "inner"]}}),
        ((), "values", {"log": ["pre", "pre", "inner"]}),
    ]
    assert list(app.stream({"log": []}, stream_mode=["updates", "custom"])) == [  # as LangGraph: no subgraph chunks
        ("updates", {"pre": {"log": ["pre"]}}), ("updates", {"sub": {"log": ["pre", "inner"]}})]

    grand = StateGraph(S)  # a subgraph inside a subgraph: the namespace grows
    grand.add_node("outer", parent.compile())
    grand.add_edge(START, "outer")
    updates = [c for c in grand.compile().stream({"log": []}, stream_mode="updates", subgraphs=True)]
    assert updates == [
        (("outer:outer",), {"pre": {"log": ["pre"]}}),
        (("outer:outer", "sub:sub"), {"inner": {"log": ["inner"]}}),
        (("outer:outer",), {"sub": {"log": ["pre", "inner"]}}),
        ((), {"outer": {"log": ["pre", "pre", "inner"]}}),
    ]


def test_a_node_with_a_writer_parameter_gets_the_stream_writer():
    from wfkit.types import StreamWriter

    def first(state: S, writer: StreamWriter):
        writer(("first", state["log"]))
        return {"log": ["first"]}

    def second(state, config, writer):  # with the config too: it is not taken for the writer
        writer(("second", config["configurable"]["k"]))
        return {"log": ["second"]}

    async def third(state, writer):
        writer("third")
        return {"log": ["third"]}

    g = StateGraph(S)
    g.add_sequence([first, second, third])
    g.add_edge(START, "first")
    chunks = list(g.compile().stream({"log": []}, {"configurable": {"k": 1}}, stream_mode=["custom", "updates"]))
    assert chunks == [("custom", ("first", [])), ("updates", {"first": {"log": ["first"]}}),
                      ("custom", ("second", 1)), ("updates", {"second": {"log": ["second"]}}),
                      ("custom", "third"), ("updates", {"third": {"log": ["third"]}})]
