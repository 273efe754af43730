"""A saver given a config dict answers as LangGraph's: list / get / get_tuple (and their async forms) give
CheckpointTuples (the values below are what the same program gives on LangGraph 1.2.24, but LangGraph's
internal `branch:to:` channels, which wfkit does not have)."""

import asyncio
import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from wfkit import START, InMemorySaver, StateGraph
from wfkit.checkpoint.tuples import CheckpointTuple
from wfkit.errors import ArgumentTypeError, ThreadKeyMissingError
from wfkit.types import StateUpdate


class S(TypedDict):
    foo: str
    items: Annotated[list, operator.add]


@pytest.fixture(params=["memory", "sqlite"])
def saver(request, tmp_path):
    if request.param == "memory":
        return InMemorySaver()
    from wfkit.checkpoint.sqlite import SqliteSaver

    return SqliteSaver(str(tmp_path / "t.db"))


def _run(saver):
    builder = StateGraph(S)
    builder.add_node("a", lambda s: {"foo": "a", "items": [1]})
    builder.add_node("b", lambda s: {"items": [2]})
    builder.add_edge(START, "a")
    builder.add_edge("a", "b")
    graph = builder.compile(checkpointer=saver)
    graph.invoke({"foo": "x", "items": [0]}, {"configurable": {"thread_id": "1"}})
    return graph


CFG = {"configurable": {"thread_id": "1"}}


def test_list_with_a_config_gives_checkpoint_tuples_newest_first(saver):
    _run(saver)
    tuples = list(saver.list(CFG))
    assert [type(t) for t in tuples] == [CheckpointTuple] * 4
    assert [(t.metadata["source"], t.metadata["step"]) for t in tuples] == [
        ("loop", 2), ("loop", 1), ("loop", 0), ("input", -1)]
    assert [t.checkpoint["channel_values"] for t in tuples] == [
        {"foo": "a", "items": [0, 1, 2]}, {"foo": "a", "items": [0, 1]}, {"foo": "x", "items": [0]}, {"items": []}]
    ids = [t.config["configurable"]["checkpoint_id"] for t in tuples]
    assert tuples[0].config == {"configurable": {"thread_id": "1", "checkpoint_ns": "", "checkpoint_id": ids[0]}}
    assert [t.parent_config for t in tuples] == [t.config for t in tuples[1:]] + [None]
    assert [t.metadata["step"] for t in saver.list(CFG, limit=2)] == [2, 1]
    assert [t.metadata["step"] for t in saver.list(CFG, before=tuples[1].config)] == [0, -1]
    assert [t.metadata["step"] for t in saver.list(CFG, filter={"source": "loop"})] == [2, 1, 0]
    assert [c.id for c in saver.list("1")] == ids  # wfkit's own call, by thread id, still gives its records


def test_get_tuple_and_get_name_the_newest_or_the_given_checkpoint(saver):
    _run(saver)
    newest = saver.get_tuple(CFG)
    assert newest.pending_writes == []
    assert newest.checkpoint["id"] == saver.get(CFG)["id"] == newest.config["configurable"]["checkpoint_id"]
    assert saver.get_tuple(newest.parent_config).checkpoint["channel_values"] == {"foo": "a", "items": [0, 1]}
    assert saver.get_tuple({"configurable": {"thread_id": "nope"}}) is None
    assert saver.get({"configurable": {"thread_id": "nope"}}) is None
    assert saver.get("1").id == newest.checkpoint["id"]  # wfkit's own call


def test_bulk_updates_make_one_checkpoint_per_superstep(saver):
    graph = _run(saver)
    config = {"configurable": {"thread_id": "2"}}
    graph.bulk_update_state(config, [[StateUpdate({"foo": "bar"}, "a")],
                                     [StateUpdate({"foo": "u"}, "a"), StateUpdate({"items": [5]}, "b")]])
    assert len(list(saver.list(config))) == 2


def test_async_forms():
    saver = InMemorySaver()
    _run(saver)

    async def read():
        return ((await saver.aget_tuple(CFG)).metadata["step"], (await saver.aget(CFG))["channel_values"],
                [c.metadata["step"] async for c in saver.alist(CFG, limit=2)])

    assert asyncio.run(read()) == (2, {"foo": "a", "items": [0, 1, 2]}, [2, 1])


def test_a_config_without_a_thread_is_refused_by_name():
    saver = InMemorySaver()
    with pytest.raises(ThreadKeyMissingError) as err:
        saver.get_tuple({"configurable": {}})
    assert err.value.args[0] == ("get_tuple(): the config names no thread, got {'configurable': {}}; pass "
                                 "{'configurable': {'thread_id': 'some-id'}}")
    with pytest.raises(ArgumentTypeError) as err:
        list(saver.list(CFG, before="abc"))
    assert str(err.value) == ("list(): `before` must be a config dict naming a checkpoint, got 'abc': "
                              "e.g. before=snapshot.config")


def test_a_saver_no_graph_was_compiled_with_shows_no_values():
    saver = InMemorySaver()
    _run(saver)
    bare = InMemorySaver()
    bare.put(saver.get("1"))
    assert bare.get_tuple(CFG).checkpoint["channel_values"] == {}
