"""wfkit.store: LangGraph's InMemoryStore API (namespaces, filters, paging, TTL, semantic search with the
user's embedding function), exact values and messages; the store reaches nodes, tasks and entrypoints."""

import asyncio
import datetime
import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

import wfkit.store
from wfkit import START, InMemorySaver, StateGraph, entrypoint, task
from wfkit.engine.context import get_store
from wfkit.errors import ArgumentValueError, InvalidNamespaceError, UnsupportedFeatureError
from wfkit.store import BaseStore, InMemoryStore, SearchItem

T0 = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)


@pytest.fixture
def clock(monkeypatch):
    now = {"t": T0}
    monkeypatch.setattr(wfkit.store, "_now", lambda: now["t"])

    def advance(minutes: float) -> None:
        now["t"] += datetime.timedelta(minutes=minutes)

    return advance


def embed(texts):
    return [[t.count("cat"), t.count("dog"), 1.0] for t in texts]


def filled() -> InMemoryStore:
    store = InMemoryStore(index={"dims": 3, "embed": embed, "fields": ["text"]})
    store.put(("u", "1"), "a", {"text": "cat cat", "kind": "pet", "n": 3})
    store.put(("u", "1"), "b", {"text": "dog", "kind": "pet", "n": 5})
    store.put(("u", "2"), "c", {"text": "dog dog cat", "kind": "wild", "n": 1, "meta": {"x": 1}})
    store.put(("u", "2"), "d", {"kind": "none"})
    store.put(("v",), "e", {"text": "x"}, index=False)
    return store


def test_put_get_and_update_keep_created_at_and_move_updated_at(clock):
    store = InMemoryStore()
    store.put(("users", "u1"), "prefs", {"food": "pizza"})
    clock(5)
    store.put(("users", "u1"), "prefs", {"food": "sushi"})
    item = store.get(("users", "u1"), "prefs")
    assert item.dict() == {"namespace": ["users", "u1"], "key": "prefs", "value": {"food": "sushi"},
                           "created_at": "2025-01-01T00:00:00+00:00", "updated_at": "2025-01-01T00:05:00+00:00"}
    assert store.get(("users", "u1"), "missing") is None
    store.delete(("users", "u1"), "prefs")
    assert store.get(("users", "u1"), "prefs") is None
    assert store.list_namespaces() == []


def test_search_by_similarity_ranks_by_cosine_and_puts_unembedded_items_last():
    found = filled().search(("u",), query="cat")
    assert [(r.namespace, r.key, round(r.score, 4) if r.score is not None else None) for r in found] == [
        (("u", "1"), "a", 0.9487), (("u", "2"), "c", 0.5774), (("u", "1"), "b", 0.5), (("u", "2"), "d", None)]
    assert all(isinstance(r, SearchItem) for r in found)


def test_search_filters_fields_operators_nested_values_and_pages():
    store = filled()
    assert [r.key for r in store.search(("u",), filter={"kind": "pet"})] == ["a", "b"]
    assert [r.key for r in store.search(("u",), filter={"n": {"$gt": 2}})] == ["a", "b"]
    assert [r.key for r in store.search(("u",), filter={"n": {"$lte": 3}, "kind": {"$ne": "pet"}})] == ["c"]
    assert [r.key for r in store.search(("u",), filter={"meta": {"x": 1}})] == ["c"]
    assert [r.key for r in store.search((), limit=2, offset=1)] == ["b", "c"]
    assert [r.score for r in store.search(("u",))] == [None, None, None, None]
    with pytest.raises(ArgumentValueError) as caught:
        store.search(("u",), filter={"n": {"$near": 2}})
    assert str(caught.value) == ("search(filter=...): unknown operator `$near`; use one of $eq, $ne, $gt, $gte, $lt, "
                                 "$lte, e.g. {'score': {'$gt': 3}}")


def test_list_namespaces_with_prefix_suffix_wildcard_and_depth():
    store = filled()
    assert store.list_namespaces() == [("u", "1"), ("u", "2"), ("v",)]
    assert store.list_namespaces(prefix=("u",), max_depth=1) == [("u",)]
    assert store.list_namespaces(suffix=("2",)) == [("u", "2")]
    assert store.list_namespaces(prefix=("*", "1")) == [("u", "1")]
    assert store.list_namespaces(limit=1, offset=1) == [("u", "2")]


def test_async_twins_give_the_same_answers():
    store = filled()

    async def run():
        await store.aput(("w",), "k", {"text": "cat"})
        got = await store.aget(("w",), "k")
        found = await store.asearch(("w",), query="cat")
        spaces = await store.alist_namespaces(prefix=("w",))
        await store.adelete(("w",), "k")
        return got.value, [(r.key, round(r.score, 6)) for r in found], spaces, await store.aget(("w",), "k")

    assert asyncio.run(run()) == ({"text": "cat"}, [("k", 1.0)], [("w",)], None)


def test_items_expire_after_their_ttl_and_reads_refresh_it(clock):
    store = InMemoryStore(ttl={"default_ttl": 10, "refresh_on_read": True})
    store.put(("s",), "default", {"v": 1})
    store.put(("s",), "own", {"v": 2}, ttl=30)
    store.put(("s",), "forever", {"v": 3}, ttl=None)
    clock(8)
    assert store.get(("s",), "default").value == {"v": 1}  # read: expires 10 minutes from now
    clock(8)
    assert [r.key for r in store.search(("s",))] == ["default", "own", "forever"]
    clock(11)
    assert [r.key for r in store.search(("s",), refresh_ttl=False)] == ["own", "forever"]
    clock(30)
    assert [r.key for r in store.search(("s",))] == ["forever"]
    assert store.get(("s",), "default") is None


@pytest.mark.parametrize("namespace, message", [
    (("a.b",), "put(): namespace label 'a.b' in ('a.b',) contains a period ('.'); labels are non-empty strings "
               "without '.', e.g. ('users', 'u1')"),
    (("",), "put(): namespace label '' in ('',) is empty; labels are non-empty strings without '.', e.g. "
            "('users', 'u1')"),
    ((1,), "put(): namespace label 1 in (1,) is a int, not a str; labels are non-empty strings without '.', e.g. "
           "('users', 'u1')"),
    ((), "put(): the namespace is empty; give at least one label, e.g. ('memories',)"),
    (("langgraph", "x"), "put(): a namespace cannot start with 'langgraph' (reserved), got ('langgraph', 'x'); "
                         "pick another first label"),
    ("users", "put(): a namespace must be a tuple of str labels, got str `'users'`: e.g. ('users', 'u1')"),
])
def test_a_bad_namespace_is_refused_naming_the_label(namespace, message):
    with pytest.raises(InvalidNamespaceError) as caught:
        InMemoryStore().put(namespace, "k", {"v": 1})
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_batch_ops_are_refused_by_name():
    with pytest.raises(UnsupportedFeatureError) as caught:
        InMemoryStore().batch([])
    assert str(caught.value) == ("store.batch(ops) is not supported by wfkit (it has no GetOp / PutOp / SearchOp "
                                 "objects): call put, get, search, delete and list_namespaces instead")


def test_bad_index_and_embeddings_are_refused_with_the_fix():
    with pytest.raises(UnsupportedFeatureError) as caught:
        InMemoryStore(index={"dims": 3, "embed": "openai:text-embedding-3-small"})
    assert str(caught.value) == (
        "InMemoryStore(index={'embed': 'openai:text-embedding-3-small'}): wfkit does not load embedding models by "
        "name (that would download one); pass a function that turns a list of texts into a list of vectors instead")
    store = InMemoryStore(index={"dims": 2, "embed": embed})
    with pytest.raises(ArgumentValueError) as caught:
        store.put(("d",), "k", {"text": "cat"})
    assert str(caught.value) == ("the store's embed function returned 1 vectors of lengths [3] for 1 texts; it must "
                                 "return one vector of `dims`=2 numbers per text")


class Count(TypedDict):
    count: Annotated[int, operator.add]


def test_nodes_taking_store_get_the_graphs_store_across_threads():
    store = InMemoryStore()

    def remember(state: Count, config, store: BaseStore):
        store.put(("memories", config["configurable"]["thread_id"]), "last", {"count": state["count"]})
        return {"count": 1}

    def recall(state: Count, store):  # `store` second: not mistaken for the config
        return {"count": len(store.search(("memories",))) * 10 + (get_store() is store)}

    g = StateGraph(Count).add_sequence([remember, recall])
    g.add_edge(START, "remember")
    app = g.compile(checkpointer=InMemorySaver(), store=store)
    assert app.store is store
    assert app.invoke({"count": 5}, {"configurable": {"thread_id": "t1"}}) == {"count": 17}
    assert app.invoke({"count": 0}, {"configurable": {"thread_id": "t2"}}) == {"count": 22}
    assert [(i.namespace, i.value) for i in store.search(("memories",))] == [
        (("memories", "t1"), {"count": 5}), (("memories", "t2"), {"count": 0})]
    assert StateGraph(Count).add_node("n", recall).add_edge(START, "n").compile().store is None


def test_entrypoints_and_tasks_taking_store_get_it():
    store = InMemoryStore()

    @task
    def save(text: str, *, store) -> str:
        store.put(("notes",), text, {"text": text})
        return text

    @entrypoint(store=store)
    def workflow(texts: list, *, store) -> list:
        saved = [save(t).result() for t in texts]
        return saved + [item.key for item in store.search(("notes",))]

    assert workflow.invoke(["a", "b"]) == ["a", "b", "a", "b"]
