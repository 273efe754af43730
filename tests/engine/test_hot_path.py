"""The facts a compiled graph precomputes for the engine's hot path (which nodes run inline, which keys have
a reducer `prepare`, whether any node is deferred), the per-task context's rarely used fields, and the
fast paths they open (one task, one write) giving what the general paths give."""

from __future__ import annotations

import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from wfkit import END, START, RetryPolicy, StateGraph
from wfkit.engine import algo
from wfkit.engine.algo import Outcome, Plan, Task
from wfkit.engine.context import TaskContext
from wfkit.errors import ReducerError
from wfkit.messages import add_messages
from wfkit.types import Overwrite


class S(TypedDict):
    messages: Annotated[list, add_messages]
    log: Annotated[list, operator.add]
    x: int


def _node(state: S) -> dict:
    return {"x": 1}


async def _async_node(state: S) -> dict:
    return {"x": 1}


def _spec():
    g = StateGraph(S)
    g.add_node("plain", _node)
    g.add_node("slow", _async_node)
    g.add_node("retried", _node, retry_policy=RetryPolicy(max_attempts=2))
    g.add_node("handled", _node, error_handler=lambda state: {"x": 2})
    g.add_node("later", _node, defer=True)
    g.add_edge(START, "plain")
    g.add_edge("plain", "slow")
    g.add_edge("plain", "retried")
    g.add_edge(["slow", "retried"], "handled")
    g.add_edge("handled", "later")
    g.add_edge("later", END)
    return g.compile().spec


def test_spec_knows_its_inline_nodes_prepare_keys_deferred_nodes_and_edge_routes():
    spec = _spec()
    assert spec.plain_nodes == frozenset({"plain", "later"})
    assert spec.prepare_keys == frozenset({"messages"})
    assert spec.deferring is True
    assert spec.edge_routes["plain"] == (("slow", "edge"), ("retried", "edge"))
    assert spec.edge_routes["later"] == ((END, "edge"),)


def test_a_graph_without_deferred_nodes_or_prepared_keys_says_so():
    class C(TypedDict):
        x: int

    spec = StateGraph(C).add_node("a", lambda s: {"x": 1}).add_edge(START, "a").compile().spec
    assert (spec.prepare_keys, spec.deferring, spec.plain_nodes) == (frozenset(), False, frozenset({"a"}))


def test_task_context_rare_fields_start_as_defaults_and_copy_keeps_those_set():
    ctx = TaskContext("a", 3, "t1", print, take_answer=len)
    assert (ctx.calls, ctx.nested_runs, ctx.pushed, ctx.runtime, ctx.attempt, ctx.beat, ctx.closed) == (
        None, 0, None, None, 1, None, False)
    assert (ctx.take_answer, ctx.config, ctx.resume_values, ctx.interrupt_count) == (len, {}, (), 0)
    ctx.pushed, ctx.attempt = [("x", 1)], 2
    assert ctx.nested_namespace() == "a:t1" and ctx.nested_namespace() == "a:t1|1"
    other = ctx.copy(closed=True, step=4)
    assert (other.node, other.step, other.task_id, other.pushed, other.attempt, other.nested_runs, other.closed,
            other.take_answer, other.started) == ("a", 4, "t1", [("x", 1)], 2, 2, True, len, ctx.started)
    other.attempt = 3
    assert (ctx.attempt, ctx.closed, ctx.step) == (2, False, 3)  # the copy's changes stay its own


def _task(name: str) -> Task:
    return Task(name, name, "pull", 0, {}, ())


@pytest.mark.parametrize("writes, expected", [
    ([("x", 5)], {"messages": [], "log": ["a"], "x": 5}),
    ([("log", ["b"])], {"messages": [], "log": ["a", "b"], "x": 0}),
    ([("log", {"__overwrite__": ["c"]})], {"messages": [], "log": ["c"], "x": 0}),
    ([("log", Overwrite(["d"]))], {"messages": [], "log": ["d"], "x": 0}),
    ([("x", 5), ("log", ["b"])], {"messages": [], "log": ["a", "b"], "x": 5}),
])
def test_one_write_is_applied_as_the_general_path_applies_it(writes, expected):
    spec = _spec()
    values = {"messages": [], "log": ["a"], "x": 0}
    new, updated, delta = algo.apply_writes(spec, values, [Outcome(_task("n"), writes)])
    assert (new, updated, delta) == (expected, tuple(k for k, _ in writes), [("n", k, v) for k, v in writes])
    assert values == {"messages": [], "log": ["a"], "x": 0}


def test_one_write_its_reducer_refuses_names_the_key_and_the_writer():
    with pytest.raises(ReducerError) as info:
        algo.apply_writes(_spec(), {"log": ["a"]}, [Outcome(_task("n"), [("log", 3)])])
    assert str(info.value) == ("node `n` wrote int `3` to key `log`, whose reducer `operator.add` expected a list "
                               "(like the key's current value) and raised TypeError; write a list, e.g. {'log': [3]}")


def test_next_plan_without_joins_or_deferred_nodes_keeps_the_plan_shape():
    class C(TypedDict):
        x: int

    spec = (StateGraph(C).add_node("a", _node).add_node("b", _node).add_node("c", _node)
            .add_edge(START, "a").add_edge("a", "c").add_conditional_edges("a", lambda s: "b", ["b", END])
            .compile().spec)
    outcome = Outcome(_task("a"), [], [("c", "edge"), ("b", "branch"), ("nowhere", "branch")])
    plan = algo.next_plan(spec, Plan(), [outcome])
    assert (plan.pull, plan.push, plan.joins, plan.deferred) == (
        {"b": ["branch:a"], "c": ["edge:a"]}, [], {}, {})
    assert list(plan.pull) == ["b", "c"]
