"""Node error handlers (`engine.handler`) and `StateGraph.set_node_defaults`, as LangGraph runs them: the
handler takes over a node that still fails after its retries, in the same superstep, and routes with what it
returns instead of the node's edges."""

import operator
from typing import Annotated
from unittest.mock import patch

import pytest
from typing_extensions import TypedDict

from wfkit import END, START, Command, InMemorySaver, RetryPolicy, StateGraph
from wfkit.errors import GraphBuildError, NodeError


class S(TypedDict):
    log: Annotated[list, operator.add]


def boom(state):
    raise ValueError("boom")


def test_the_handler_runs_in_the_same_superstep_instead_of_the_nodes_edges():
    seen = []

    def handler(state, error: NodeError):
        seen.append(error)
        return {"log": [f"handled {error.node}: {error.error}"]}

    app = (StateGraph(S).add_node("a", boom, error_handler=handler).add_node("b", lambda s: {"log": ["b"]})
           .add_node("c", lambda s: {"log": ["c"]}).add_edge(START, "a").add_edge(START, "c").add_edge("a", "b")
           .compile(checkpointer=InMemorySaver()))
    config = {"configurable": {"thread_id": "t"}}
    assert app.invoke({"log": []}, config) == {"log": ["handled a: boom", "c"]}  # `b` never runs
    assert seen[0].node == "a" and type(seen[0].error) is ValueError
    assert app.get_state(config).next == ()


def test_the_handler_routes_with_a_command_after_the_retries_and_gets_the_config():
    attempts, configs = [], []

    def fails(state):
        attempts.append(1)
        raise ValueError("always")

    def handler(state, error: NodeError, config):
        configs.append(config["configurable"]["thread_id"])
        return Command(update={"log": ["handled"]}, goto="after")

    app = (StateGraph(S)
           .add_node("fails", fails, retry_policy=RetryPolicy(max_attempts=2, initial_interval=0, retry_on=ValueError),
                     error_handler=handler)
           .add_node("after", lambda s: {"log": ["after"]}).add_edge(START, "fails")
           .compile(checkpointer=InMemorySaver()))
    with patch("time.sleep"):
        assert app.invoke({"log": []}, {"configurable": {"thread_id": "x"}}) == {"log": ["handled", "after"]}
    assert (len(attempts), configs) == (2, ["x"])


def test_a_failing_handler_fails_the_run_with_its_own_error():
    def handler(state):
        raise RuntimeError("handler failed")

    app = StateGraph(S).add_node("a", boom, error_handler=handler).add_edge(START, "a").compile()
    with pytest.raises(RuntimeError) as info:
        app.invoke({"log": []})
    assert str(info.value) == "handler failed"
    assert info.value.__notes__ == ["while the error_handler of node `a` handled its error (ValueError: boom)",
                                    "while running node `a` in superstep 1"]


def test_set_node_defaults_gives_each_node_without_its_own_the_default():
    handled = []

    def default(state, error: NodeError):
        handled.append(("default", error.node))
        return {"log": ["default"]}

    def own(state, error: NodeError):
        handled.append(("own", error.node))
        return {"log": ["own"]}

    app = (StateGraph(S).set_node_defaults(error_handler=default)
           .add_node("a", boom).add_node("b", boom, error_handler=own)
           .add_edge(START, "a").add_edge(START, "b").compile())
    assert app.invoke({"log": []}) == {"log": ["default", "own"]}
    assert sorted(handled) == [("default", "a"), ("own", "b")]


def test_set_node_defaults_retry_applies_unless_the_node_has_its_own():
    attempts = {"a": 0, "b": 0}

    def counting(name):
        def fn(state):
            attempts[name] += 1
            raise ConnectionError(name)
        return fn

    app = (StateGraph(S).set_node_defaults(retry_policy=RetryPolicy(max_attempts=3, initial_interval=0))
           .add_node("a", counting("a")).add_node("b", counting("b"), retry_policy=RetryPolicy(max_attempts=1))
           .add_edge(START, "a").add_edge(START, "b").compile())
    with pytest.raises(ConnectionError):
        app.invoke({"log": []})
    assert attempts == {"a": 3, "b": 1}


def test_the_default_handlers_name_may_not_be_taken():
    builder = (StateGraph(S).set_node_defaults(error_handler=lambda s: s)
               .add_node("__default_error_handler__", lambda s: s).add_edge(START, "__default_error_handler__"))
    with pytest.raises(GraphBuildError) as info:
        builder.compile()
    assert str(info.value) == (
        "Auto-generated default error handler node `__default_error_handler__` already exists: the graph has a "
        "node of that name, which set_node_defaults(error_handler=...) needs; rename that node")
    with pytest.raises(GraphBuildError) as info:
        StateGraph(S).add_node("a", boom, error_handler=42)
    assert str(info.value) == ("the error_handler of `a` must be a function (sync or async) taking the state and, "
                               "in a parameter hinted NodeError, the error; got int")


def test_set_node_defaults_caches_every_node_without_a_policy_of_its_own():
    from wfkit.cache import InMemoryCache
    from wfkit.errors import ArgumentTypeError
    from wfkit.types import CachePolicy

    calls = []

    def a(state):
        calls.append("a")
        return {"log": ["a"]}

    def b(state):
        calls.append("b")
        return {"log": ["b"]}

    builder = StateGraph(S).set_node_defaults(cache_policy=CachePolicy())
    builder.add_node("a", a).add_node("b", b, cache_policy=CachePolicy(key_func=lambda state: "same"))
    builder.add_edge(START, "a").add_edge("a", "b").add_edge("b", END)
    app = builder.compile(cache=InMemoryCache())
    assert app.invoke({"log": []}) == {"log": ["a", "b"]}
    assert app.invoke({"log": ["x"]}) == {"log": ["x", "a", "b"]}  # a: new input; b: its own key, a hit
    assert app.invoke({"log": ["x"]}) == {"log": ["x", "a", "b"]}  # both hits
    assert calls == ["a", "b", "a"]
    with pytest.raises(ArgumentTypeError) as info:
        StateGraph(S).set_node_defaults(cache_policy=object())
    assert str(info.value).startswith("set_node_defaults(...): `cache_policy` must be a CachePolicy, got ")
    assert END == "__end__"
