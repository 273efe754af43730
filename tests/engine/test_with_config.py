"""`CompiledStateGraph.with_config(...)`: a copy of the graph whose runs and state calls use the bound config
merged under each call's, as LangGraph's (`graph.compile().with_config(recursion_limit=10)`)."""

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from wfkit import END, START, InMemorySaver, StateGraph, get_config
from wfkit.errors import GraphRecursionError
from wfkit.graph.bound_config import merge_configs


class S(TypedDict):
    n: Annotated[int, operator.add]


def loop_graph(saver=None):
    seen = []

    def count(state):
        seen.append({k: v for k, v in get_config().items() if k in ("tags", "metadata", "recursion_limit")}
                    | {"who": get_config().get("configurable", {}).get("who")})
        return {"n": 1}

    g = StateGraph(S).add_node("count", count).add_edge(START, "count")
    g.add_conditional_edges("count", lambda s: END if s["n"] >= 5 else "count")
    return g.compile(checkpointer=saver), seen


def test_with_config_binds_a_recursion_limit_and_leaves_the_original_graph_alone():
    graph, _ = loop_graph()
    bound = graph.with_config(recursion_limit=3)
    assert bound is not graph and graph.config is None and bound.config == {"recursion_limit": 3}
    with pytest.raises(GraphRecursionError):
        bound.invoke({"n": 0})
    assert graph.invoke({"n": 0}) == {"n": 5}
    assert bound.invoke({"n": 0}, {"recursion_limit": 10}) == {"n": 5}  # the call's config wins


def test_the_bound_config_reaches_the_nodes_and_the_state_calls_merged_under_the_calls_config():
    graph, seen = loop_graph(InMemorySaver())
    bound = graph.with_config({"configurable": {"thread_id": "t", "who": "bound"}, "tags": ["b", "a"]},
                              metadata={"x": 1})
    assert bound.invoke({"n": 4}, {"tags": ["c", "a"], "metadata": {"y": 2}}) == {"n": 5}
    assert seen == [{"tags": ["a", "b", "c"], "metadata": {"x": 1, "y": 2}, "who": "bound"}]
    # no thread_id given: the bound one names the thread for get_state / update_state / the history
    assert bound.get_state({}).values == {"n": 5}
    assert graph.get_state({"configurable": {"thread_id": "t"}}).values == {"n": 5}
    bound.update_state(None, {"n": 10})
    assert bound.get_state(None).values == {"n": 15}
    assert len(list(bound.get_state_history({}))) == len(list(graph.get_state_history({"configurable": {"thread_id": "t"}})))
    assert bound.with_config(configurable={"who": "again"}).config == {
        "configurable": {"thread_id": "t", "who": "again"}, "tags": ["a", "b"], "metadata": {"x": 1}}


def test_merge_configs_merges_as_langgraph_does():
    assert merge_configs({"configurable": {"a": 1}, "tags": ["x"], "recursion_limit": 5, "callbacks": [1]}, None,
                         {"configurable": {"b": 2}, "tags": ["x", "w"], "recursion_limit": 7, "callbacks": [2]}) == {
        "configurable": {"a": 1, "b": 2}, "tags": ["w", "x"], "recursion_limit": 7, "callbacks": [1, 2]}
