"""LangGraph options wfkit does not implement are refused by name, never silently ignored; the harmless ones
are accepted; `subgraphs=True` gives LangGraph's chunk shape; `@task(retry_policy=)` retries."""

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from wfkit import END, START, InMemorySaver, RetryPolicy, StateGraph, entrypoint, task
from wfkit.errors import ArgumentTypeError, UnsupportedFeatureError


class S(TypedDict):
    log: Annotated[list, operator.add]


def graph():
    g = StateGraph(S)
    g.add_node("a", lambda s: {"log": ["a"]})
    g.add_edge(START, "a")
    g.add_edge("a", END)
    return g


STORE = "`store` must be a store (put/get/search), got str `'memory'`: pass e.g. store=InMemoryStore() from wfkit.store"
CACHE = "`cache` must be a cache (get/set/clear), got str `'memory'`: pass e.g. cache=InMemoryCache() from wfkit.cache"
POLICY = ("add_node('b', ...): `cache_policy` must be a CachePolicy, got int `60`: pass e.g. "
          "cache_policy=CachePolicy(ttl=60) (from wfkit.types)")


# store=, cache=, cache_policy= and defer= are supported now (see tests/test_store.py, tests/engine/test_cache.py,
# tests/engine/test_defer.py): what is not a store, a cache or a policy is refused by type
@pytest.mark.parametrize("make, message", [
    (lambda: graph().compile(store="memory"), STORE),
    (lambda: entrypoint(store="memory"), STORE),
    (lambda: graph().compile(cache="memory"), CACHE),
    (lambda: entrypoint(cache="memory"), CACHE),
    (lambda: graph().add_node("b", lambda s: {}, cache_policy=60), POLICY),
    (lambda: task(lambda x: x, cache_policy=60),
     POLICY.replace("add_node('b', ...)", "task `<lambda>`")),
])
def test_a_store_cache_or_policy_of_the_wrong_type_is_refused(make, message):
    with pytest.raises(ArgumentTypeError) as caught:
        make()
    assert str(caught.value) == message
    assert isinstance(caught.value, TypeError)


@pytest.mark.parametrize("make, message", [
    (lambda: list(graph().compile().stream({"log": []}, output_keys=["log"])),
     "stream(): `output_keys=` is not supported by wfkit; `output_keys` is not supported yet: pick the keys "
     "from the returned state"),
])
def test_an_option_wfkit_lacks_is_refused_with_the_way_around(make, message):
    with pytest.raises(UnsupportedFeatureError) as caught:
        make()
    assert str(caught.value) == message
    assert isinstance(caught.value, NotImplementedError)


@pytest.mark.parametrize("make, message", [
    (lambda: graph().compile(checkpointr=InMemorySaver()), "compile() got an unexpected keyword argument `checkpointr`"),
    (lambda: graph().compile().invoke({"log": []}, recursionlimit=5),
     "invoke() got an unexpected keyword argument `recursionlimit`"),
    (lambda: graph().add_node("b", lambda s: {}, retries=3), "add_node() got an unexpected keyword argument `retries`"),
    (lambda: task(lambda x: x, retries=3), "task() got an unexpected keyword argument `retries`"),
])
def test_a_misspelt_keyword_is_a_type_error(make, message):
    with pytest.raises(TypeError) as caught:
        make()
    assert str(caught.value) == message


def test_options_that_change_nothing_observable_are_accepted():
    g = graph()
    g.add_node("b", lambda s: {"log": ["b"]}, defer=False, cache_policy=None, input=S, retry=None)
    g.add_edge("a", "b")
    app = g.compile(store=None, cache=None, debug=False)
    config = {"configurable": {"thread_id": "t"}}
    assert app.invoke({"log": []}, durability="exit", stream_mode="values", context=None) == {"log": ["a", "b"]}
    assert list(app.stream({"log": []}, durability="sync", print_mode=())) == [{"a": {"log": ["a"]}},
                                                                             {"b": {"log": ["b"]}}]
    assert g.compile(checkpointer=InMemorySaver()).invoke({"log": []}, config, checkpoint_during=True)["log"] == ["a", "b"]


def test_subgraphs_true_puts_each_chunk_behind_its_namespace():
    app = graph().compile()
    assert list(app.stream({"log": []}, subgraphs=True)) == [((), {"a": {"log": ["a"]}})]
    assert list(app.stream({"log": []}, stream_mode=["values"], subgraphs=True)) == [
        ((), "values", {"log": []}), ((), "values", {"log": ["a"]})]


def test_task_retry_policy_retries_the_named_errors_only():
    attempts = []

    @task(retry_policy=RetryPolicy(max_attempts=3, initial_interval=0.001, retry_on=ConnectionError))
    def flaky(n):
        attempts.append(n)
        if len(attempts) < 3:
            raise ConnectionError("overloaded")
        return n * 10

    @task(retry_policy=RetryPolicy(max_attempts=2, initial_interval=0.001, retry_on=ConnectionError))
    async def broken(n):
        attempts.append(-n)
        raise ConnectionError("still overloaded")

    @task(retry_policy=RetryPolicy(max_attempts=5, initial_interval=0.001, retry_on=ConnectionError))
    def wrong(n):
        attempts.append("wrong")
        raise ValueError("not retried")

    @entrypoint()
    def wf(n):
        return flaky(n).result()

    assert wf.invoke(4) == 40 and attempts == [4, 4, 4]
    attempts.clear()

    @entrypoint()
    async def wf_broken(n):
        return await broken(n)

    with pytest.raises(ConnectionError) as caught:
        wf_broken.invoke(1)
    assert attempts == [-1, -1] and caught.value.__notes__[0] == "task `broken` failed 2 times (RetryPolicy max_attempts=2)"
    attempts.clear()
    @entrypoint()
    def wf_wrong(n):
        return wrong(n).result()

    with pytest.raises(ValueError):
        wf_wrong.invoke(1)  # an error retry_on does not name is not retried
    assert attempts == ["wrong"]


def test_command_to_the_parent_graph_from_a_graph_run_on_its_own_stops_it_naming_the_node():
    from wfkit import Command
    from wfkit.errors import ParentCommand

    g = StateGraph(S)
    g.add_node("a", lambda s: Command(graph=Command.PARENT, goto="elsewhere", update={"log": ["a"]}))
    g.add_edge(START, "a")
    with pytest.raises(ParentCommand) as caught:  # LangGraph raises its ParentCommand too
        g.compile().invoke({"log": []})
    assert str(caught.value) == (
        "node `a` returned Command(graph=Command.PARENT, ...), which routes in the graph that runs this one as a "
        "subgraph, and this graph ran on its own: add it as a node of a parent graph (add_node(name, "
        "compiled_graph)) or invoke it from a parent's node, or return the Command without graph= to route in "
        "this graph")
    assert (caught.value.command.goto, caught.value.command.update) == ("elsewhere", {"log": ["a"]})


def test_parent_command_carries_the_command_as_its_first_argument_as_langgraph_does():
    import copy

    from wfkit import Command
    from wfkit.errors import ParentCommand

    g = StateGraph(S)
    g.add_node("a", lambda s: Command(graph=Command.PARENT, goto="elsewhere", update={"log": ["a"]}))
    g.add_edge(START, "a")
    with pytest.raises(ParentCommand) as caught:
        g.compile().invoke({"log": []})
    sent = caught.value.args[0]  # LangGraph's test_timeout_with_parent_command reads it there
    assert (type(sent).__name__, sent.goto, sent.update) == ("Command", "elsewhere", {"log": ["a"]})
    assert caught.value.node == "a"
    copied = copy.copy(caught.value)
    assert (str(copied), copied.args[0].goto) == (str(caught.value), "elsewhere")


def test_command_to_a_graph_by_name_is_refused():
    from wfkit import Command

    g = StateGraph(S)
    g.add_node("a", lambda s: Command(graph="other", goto="elsewhere"))
    g.add_edge(START, "a")
    with pytest.raises(UnsupportedFeatureError) as caught:
        g.compile().invoke({"log": []})
    assert str(caught.value) == (
        "node `a` returned Command(graph='other'); wfkit sends a Command to the graph that runs this one as a "
        "subgraph (graph=Command.PARENT), not to a graph by name: return Command(graph=Command.PARENT, ...) instead")


def test_batch_returns_exceptions_in_place_when_asked():
    def check(state):
        if state["log"] == ["bad"]:
            raise ValueError("bad input")
        return {"log": ["ok"]}

    g = StateGraph(S)
    g.add_node("check", check)
    g.add_edge(START, "check")
    app = g.compile()
    results = app.batch([{"log": []}, {"log": ["bad"]}], return_exceptions=True)
    assert results[0] == {"log": ["ok"]} and type(results[1]) is ValueError and str(results[1]) == "bad input"
    with pytest.raises(ValueError, match="bad input"):
        app.batch([{"log": []}, {"log": ["bad"]}])
    with pytest.raises(ValueError) as caught:
        app.batch([{"log": []}], [None, None])
    assert str(caught.value) == "batch() got 1 inputs but 2 configs; pass one config for all, or one per input"


def test_invoke_with_another_stream_mode_returns_that_streams_chunks_as_langgraph():
    import asyncio

    app = graph().compile()
    assert app.invoke({"log": []}, stream_mode="updates") == list(app.stream({"log": []}, stream_mode="updates"))
    assert app.invoke({"log": []}, stream_mode=["values"]) == [("values", {"log": []}), ("values", {"log": ["a"]})]
    assert asyncio.run(app.ainvoke({"log": []}, stream_mode="updates")) == [{"a": {"log": ["a"]}}]
