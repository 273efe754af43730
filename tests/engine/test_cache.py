"""Node and task caching (`CachePolicy`, `compile(cache=)`): a hit skips the node, applies its writes and
routes, and shows in "updates" as LangGraph's `"__metadata__": {"cached": True}`; TTL and clear_cache."""

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

import wfkit.cache
import wfkit.errors
from wfkit import END, START, Command, InMemorySaver, StateGraph, entrypoint, interrupt, task
from wfkit.cache import InMemoryCache, SqliteCache
from wfkit.errors import NoCacheError
from wfkit.types import CachePolicy


class State(TypedDict):
    x: int
    out: Annotated[list, operator.add]


@pytest.fixture(params=["memory", "sqlite"])
def cache(request):
    return InMemoryCache() if request.param == "memory" else SqliteCache(path=":memory:")


def build(cache, calls, policy=CachePolicy()):
    def double(state):
        calls.append("double")
        return {"out": [state["x"] * 2]}

    def other(state):
        calls.append("other")
        return {"out": ["o"]}

    g = StateGraph(State)
    g.add_node("double", double, cache_policy=policy)
    g.add_node("other", other)
    g.add_edge(START, "double")
    g.add_conditional_edges("double", lambda s: "other" if s["x"] > 1 else END, ["other", END])
    return g.compile(cache=cache)


def test_a_cache_hit_skips_the_node_and_is_marked_in_updates(cache):
    calls = []
    app = build(cache, calls)
    assert list(app.stream({"x": 2, "out": []}, stream_mode="updates")) == [
        {"double": {"out": [4]}}, {"other": {"out": ["o"]}}]
    # the hit's route (to `other`) is followed as if the node ran
    assert list(app.stream({"x": 2, "out": []}, stream_mode=["updates", "values"])) == [
        ("values", {"x": 2, "out": []}),
        ("updates", {"double": {"out": [4]}, "__metadata__": {"cached": True}}),
        ("values", {"x": 2, "out": [4]}),
        ("updates", {"other": {"out": ["o"]}}),
        ("values", {"x": 2, "out": [4, "o"]})]
    assert app.invoke({"x": 1, "out": []}) == {"x": 1, "out": [2]}
    assert calls == ["double", "other", "other", "double"]


def test_key_func_decides_what_counts_as_the_same_input(cache):
    calls = []
    app = build(cache, calls, CachePolicy(key_func=lambda state: str(state["x"] % 2)))
    assert app.invoke({"x": 2, "out": []}) == {"x": 2, "out": [4, "o"]}
    assert app.invoke({"x": 4, "out": []}) == {"x": 4, "out": [4, "o"]}  # same key: the cached writes
    assert calls == ["double", "other", "other"]


def test_entries_expire_after_ttl_seconds(cache, monkeypatch):
    now = {"t": 1000.0}
    monkeypatch.setattr(wfkit.cache, "_now", lambda: now["t"])
    calls = []
    app = build(cache, calls, CachePolicy(ttl=60))
    app.invoke({"x": 1, "out": []})
    now["t"] += 59
    app.invoke({"x": 1, "out": []})
    now["t"] += 2
    app.invoke({"x": 1, "out": []})
    assert calls == ["double", "double"]


def test_clear_cache_forgets_the_nodes_results(cache):
    calls = []
    app = build(cache, calls)
    app.invoke({"x": 1, "out": []})
    app.clear_cache(["other"])
    app.invoke({"x": 1, "out": []})
    app.clear_cache()
    app.invoke({"x": 1, "out": []})
    assert calls == ["double", "double"]
    with pytest.raises(NoCacheError) as caught:
        build(None, calls).clear_cache()
    assert str(caught.value) == ("graph `LangGraph` has no cache, so there is nothing to clear; compile it with "
                                 "cache=InMemoryCache() to cache node results")


def test_cached_tasks_are_reused_across_threads_and_resumes(cache):
    calls = []

    @task(cache_policy=CachePolicy())
    def double(x: int) -> int:
        calls.append(x)
        return 2 * x

    @entrypoint(checkpointer=InMemorySaver(), cache=cache)
    def workflow(xs: list) -> list:
        values = []
        for x in xs:
            values += [double(x).result(), interrupt("go on?")]
        return values

    for thread in ("t1", "t2"):
        config = {"configurable": {"thread_id": thread}}
        workflow.invoke([1, 2], config)
        workflow.invoke(Command(resume="a"), config)
        assert workflow.invoke(Command(resume="b"), config) == [2, "a", 4, "b"]
    assert calls == [1, 2]
    double.clear_cache(cache)
    config = {"configurable": {"thread_id": "t3"}}
    workflow.invoke([1], config)
    assert calls == [1, 2, 1]


def test_cached_values_come_back_as_json_copies(cache):
    @task(cache_policy=CachePolicy())
    def pair(x: int) -> dict:
        return {"x": x, "both": (x, x)}

    @entrypoint(cache=cache)
    def workflow(x: int) -> list:
        return [pair(x).result(), pair(x).result()]

    assert workflow.invoke(3) == [{"x": 3, "both": (3, 3)}, {"x": 3, "both": (3, 3)}]


def test_a_result_with_no_json_form_is_not_cached_and_says_so(cache):
    class Opaque:
        pass

    calls = []

    @task(cache_policy=CachePolicy())
    def make(x: int):
        calls.append(x)
        return Opaque()

    @entrypoint(cache=cache)
    def workflow(x: int) -> str:
        return type(make(x).result()).__name__

    with pytest.warns(wfkit.errors.WfkitWarning) as caught:
        assert workflow.invoke(1) == "Opaque"
    assert str(caught[0].message).startswith("a result for the cache namespace ('__pregel_ns_writes', "
                                             "'tests.engine.test_cache.test_a_result_with_no_json_form_is_not_cached"
                                             "_and_says_so.<locals>.make') was not cached: ")
    assert workflow.invoke(1) == "Opaque"
    assert calls == [1, 1]
