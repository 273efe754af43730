"""Superstep semantics: one snapshot per superstep, writes applied together in LangGraph's order, joins,
Send, Command, parallel execution, the recursion limit, and errors that name the culprit."""

import asyncio
import operator
import threading
import warnings
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from wfkit import END, START, Command, GraphRecursionError, InvalidUpdateError, Send, StateGraph
from wfkit.errors import InvalidRouteError, WfkitWarning


class S(TypedDict):
    log: Annotated[list, operator.add]
    n: int


def writer(name):
    def node(state):
        return {"log": [name]}

    return node


def graph(*names):
    g = StateGraph(S)
    for name in names:
        g.add_node(name, writer(name))
    return g


def test_join_after_uneven_branches_fires_once_after_both():
    # START -> b, START -> a -> c ; [b, c] -> d : d waits for c, one superstep after b finished.
    g = graph("b", "a", "c", "d")
    g.add_edge(START, "b")
    g.add_edge(START, "a")
    g.add_edge("a", "c")
    g.add_edge(["b", "c"], "d")
    app = g.compile()
    assert app.invoke({"log": ["in"]}) == {"log": ["in", "a", "b", "c", "d"]}
    assert list(app.stream({"log": []}, stream_mode="values")) == [
        {"log": []}, {"log": ["a", "b"]}, {"log": ["a", "b", "c"]}, {"log": ["a", "b", "c", "d"]}]


def test_separate_edges_instead_of_join_run_the_target_twice():
    g = graph("b", "a", "c", "d")
    g.add_edge(START, "b")
    g.add_edge(START, "a")
    g.add_edge("a", "c")
    g.add_edge("b", "d")
    g.add_edge("c", "d")
    assert g.compile().invoke({"log": []}) == {"log": ["a", "b", "c", "d", "d"]}


def test_parallel_writes_to_reducer_key_apply_in_node_name_order_not_finish_order():
    release = threading.Event()

    def slow_a(state):
        release.wait(2)
        return {"log": ["a"]}

    def fast_z(state):
        release.set()
        return {"log": ["z"]}

    g = StateGraph(S)
    g.add_node("z", fast_z)
    g.add_node("a", slow_a)
    g.add_edge(START, "z")
    g.add_edge(START, "a")
    assert g.compile().invoke({"log": []})["log"] == ["a", "z"]


def test_send_writes_follow_pull_writes_in_send_order():
    g = StateGraph(S)
    g.add_node("p", writer("p"))
    g.add_node("w", lambda s: {"log": [s["log"][0] * 10]})
    g.add_node("z", writer("z"))
    g.add_edge(START, "p")
    g.add_conditional_edges("p", lambda s: [Send("w", {"log": [i]}) for i in (3, 1, 2)], ["w"])
    g.add_edge("p", "z")
    assert g.compile().invoke({"log": []})["log"] == ["p", "z", 30, 10, 20]


def test_every_task_of_a_superstep_reads_the_same_snapshot():
    seen = {}

    def reader(name):
        def node(state):
            seen[name] = list(state["log"])
            return {"log": [name]}

        return node

    g = StateGraph(S)
    for name in ("x", "y"):
        g.add_node(name, reader(name))
        g.add_edge(START, name)
    g.compile().invoke({"log": ["start"]})
    assert seen == {"x": ["start"], "y": ["start"]}


def test_conditional_edge_sees_the_nodes_own_writes():
    g = StateGraph(S)
    g.add_node("a", lambda s: {"n": 7})
    g.add_node("big", writer("big"))
    g.add_node("small", writer("small"))
    g.add_edge(START, "a")
    g.add_conditional_edges("a", lambda s: "big" if s["n"] > 5 else "small", ["big", "small"])
    assert g.compile().invoke({"n": 0})["log"] == ["big"]


def test_path_map_dict_translates_and_rejects_unknown_keys():
    g = StateGraph(S)
    g.add_node("grade", lambda s: None)
    g.add_node("accept", writer("accept"))
    g.add_node("revise", writer("revise"))
    g.add_edge(START, "grade")

    def decide(state):
        return state["n"] and "yes" or "maybe"

    g.add_conditional_edges("grade", decide, {"yes": "accept", "no": "revise"})
    app = g.compile()
    assert app.invoke({"n": 1})["log"] == ["accept"]
    with pytest.raises(InvalidRouteError) as info:
        app.invoke({"n": 0})
    assert str(info.value).startswith(
        "the path function `decide` of node `grade` returned `maybe`, which is none of `yes`, `no` "
        "(from the path_map of add_conditional_edges('grade', ...))")


def test_path_returning_a_list_fans_out():
    g = graph("a", "b", "c")
    g.add_node("root", lambda s: None)
    g.add_edge(START, "root")
    g.add_conditional_edges("root", lambda s: ["c", "a"], ["a", "b", "c"])
    assert g.compile().invoke({"log": []})["log"] == ["a", "c"]


def test_command_updates_and_jumps():
    def c(state):
        return Command(update={"log": ["c"]}, goto="d")

    g = StateGraph(S)
    g.add_node("c", c, destinations=["d"])
    g.add_node("d", writer("d"))
    g.add_edge(START, "c")
    assert g.compile().invoke({"log": []})["log"] == ["c", "d"]


def test_command_goto_send():
    g = StateGraph(S)
    g.add_node("c", lambda s: Command(goto=[Send("w", {"log": ["x"]}), Send("w", {"log": ["y"]})]), destinations=["w"])
    g.add_node("w", lambda s: {"log": [s["log"][0].upper()]})
    g.add_edge(START, "c")
    assert g.compile().invoke({"log": []})["log"] == ["X", "Y"]


def test_two_writes_to_a_key_without_reducer_name_the_key_and_nodes():
    g = StateGraph(S)
    g.add_node("a", lambda s: {"n": 1})
    g.add_node("b", lambda s: {"n": 2})
    g.add_edge(START, "a")
    g.add_edge(START, "b")
    with pytest.raises(InvalidUpdateError) as info:
        g.compile().invoke({"n": 0})
    assert str(info.value) == (
        "key `n` received 2 writes in one superstep (from `a`, `b`) but has no reducer; declare it as "
        "`n: Annotated[<type>, <reducer>]` (e.g. operator.add) to merge them, or let only one node write it "
        "per superstep")


def test_node_returning_a_non_dict_is_an_invalid_update():
    g = StateGraph(S)
    g.add_node("a", lambda s: "oops")
    g.add_edge(START, "a")
    with pytest.raises(InvalidUpdateError) as info:
        g.compile().invoke({"n": 0})
    assert str(info.value) == (
        "node `a` returned str `'oops'`; a node must return a dict of state keys to update (e.g. {'log': ...}), "
        "a Command, or None")


def loop_graph():
    g = StateGraph(S)
    g.add_node("a", lambda s: {"n": s["n"] + 1})
    g.add_edge(START, "a")
    g.add_conditional_edges("a", lambda s: END if s["n"] >= 3 else "a", ["a", END])
    return g.compile()


def test_recursion_limit_counts_the_supersteps_that_run_nodes():
    app = loop_graph()
    assert app.invoke({"n": 0}, {"recursion_limit": 4}) == {"n": 3, "log": []}
    with pytest.raises(GraphRecursionError) as info:
        app.invoke({"n": 0}, {"recursion_limit": 3})
    assert str(info.value) == (
        "recursion limit of 3 supersteps reached without reaching END; if the graph really needs more steps, "
        "raise it with config={'recursion_limit': 50} (and check for a loop whose exit condition never holds)")


def test_default_recursion_limit_is_25():
    g = StateGraph(S)
    g.add_node("a", lambda s: {"n": s["n"] + 1})
    g.add_edge(START, "a")
    g.add_edge("a", "a")
    with pytest.raises(GraphRecursionError, match="recursion limit of 25 supersteps"):
        g.compile().invoke({"n": 0})


def test_node_exception_propagates_with_node_and_superstep_noted():
    def boom(state):
        raise ValueError("bad input")

    g = graph("a")
    g.add_node("boom", boom)
    g.add_edge(START, "a")
    g.add_edge("a", "boom")
    with pytest.raises(ValueError) as info:
        g.compile().invoke({"log": []})
    assert str(info.value) == "bad input"
    assert info.value.__notes__ == ["while running node `boom` in superstep 2"]


def test_sync_nodes_of_one_superstep_run_in_parallel_threads():
    # Eight nodes meet at a barrier: it only opens if all eight run at the same time.
    barrier = threading.Barrier(8, timeout=5)
    names = [f"n{i}" for i in range(8)]

    def meet(name):
        def node(state):
            barrier.wait()
            return {"log": [name]}

        return node

    g = StateGraph(S)
    for name in names:
        g.add_node(name, meet(name))
        g.add_edge(START, name)
    assert g.compile().invoke({"log": []})["log"] == names


def test_async_nodes_of_one_superstep_run_concurrently():
    arrived = []

    def meet(name):
        async def node(state):
            arrived.append(name)
            while len(arrived) < 3:  # would spin forever if the nodes ran one after another
                await asyncio.sleep(0.001)
            return {"log": [name]}

        return node

    g = StateGraph(S)
    for name in ("x", "y", "z"):
        g.add_node(name, meet(name))
        g.add_edge(START, name)
    app = g.compile()
    assert asyncio.run(asyncio.wait_for(app.ainvoke({"log": []}), 5))["log"] == ["x", "y", "z"]


def test_max_concurrency_caps_parallel_tasks():
    running, peak = [0], [0]
    lock = threading.Lock()

    def node(state):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        threading.Event().wait(0.02)
        with lock:
            running[0] -= 1
        return None

    g = StateGraph(S)
    for i in range(6):
        g.add_node(f"n{i}", node)
        g.add_edge(START, f"n{i}")
    g.compile().invoke({"log": []}, {"max_concurrency": 2})
    assert peak[0] == 2


def test_write_to_unknown_key_is_ignored_with_a_warning_naming_node_and_key():
    g = StateGraph(S)
    g.add_node("a", lambda s: {"zz": 1, "n": 2})
    g.add_edge(START, "a")
    with pytest.warns(WfkitWarning) as caught:
        out = g.compile().invoke({"n": 0})
    assert out == {"n": 2, "log": []}
    assert str(caught[0].message) == (
        "node `a` wrote to `zz`, which is not a key of the state `S`; the write is ignored (as LangGraph does). "
        "Add `zz` to the state schema to keep it.")


def test_unknown_destination_without_path_map_ends_with_a_warning():
    g = StateGraph(S)
    g.add_node("a", lambda s: {"n": 1})
    g.add_edge(START, "a")
    g.add_conditional_edges("a", lambda s: "nowhere")
    with pytest.warns(WfkitWarning) as caught:
        out = g.compile().invoke({"n": 0})
    assert out == {"n": 1, "log": []}
    assert str(caught[0].message).startswith("node `a` routed to `nowhere`, which is not a node of this graph")


def test_join_that_never_fires_warns_at_the_end():
    g = graph("a", "b", "c")
    g.add_edge(START, "a")
    g.add_conditional_edges("a", lambda s: END, ["b", END])
    g.add_edge(["a", "b"], "c")
    with pytest.warns(WfkitWarning) as caught:
        out = g.compile().invoke({"log": []})
    assert out["log"] == ["a"]
    assert str(caught[0].message) == (
        "the join add_edge(['a', 'b'], 'c') never fired: it saw `a` but not `b` before the run ended")


def test_no_warning_for_a_clean_run():
    g = graph("a")
    g.add_edge(START, "a")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert g.compile().invoke({"log": []})["log"] == ["a"]


def test_retry_policy_retries_the_named_exceptions():
    from wfkit import RetryPolicy

    attempts = []

    def flaky(state):
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionError("try again")
        return {"n": len(attempts)}

    g = StateGraph(S)
    g.add_node("flaky", flaky, retry_policy=RetryPolicy(max_attempts=3, initial_interval=0.001, retry_on=ConnectionError))
    g.add_edge(START, "flaky")
    assert g.compile().invoke({"n": 0})["n"] == 3
    attempts.clear()
    g2 = StateGraph(S)
    g2.add_node("flaky", flaky, retry_policy=RetryPolicy(max_attempts=2, initial_interval=0.001, retry_on=ConnectionError))
    g2.add_edge(START, "flaky")
    with pytest.raises(ConnectionError) as info:
        g2.compile().invoke({"n": 0})
    assert info.value.__notes__ == [
        "node `flaky` failed 2 times (RetryPolicy max_attempts=2)", "while running node `flaky` in superstep 1"]


def test_compiled_graph_as_a_node_runs_as_a_subgraph():
    inner = StateGraph(S)
    inner.add_node("double", lambda s: {"n": s["n"] * 2})
    inner.add_edge(START, "double")
    outer = StateGraph(S)
    outer.add_node("sub", inner.compile())
    outer.add_node("after", lambda s: {"log": [s["n"]]})
    outer.add_edge(START, "sub")
    outer.add_edge("sub", "after")
    assert outer.compile().invoke({"n": 21}) == {"n": 42, "log": [42]}


def test_batch_runs_each_input():
    g = StateGraph(S)
    g.add_node("inc", lambda s: {"n": s["n"] + 1})
    g.add_edge(START, "inc")
    assert [o["n"] for o in g.compile().batch([{"n": 1}, {"n": 10}])] == [2, 11]


def test_join_into_end_finishes_the_run():
    g = graph("a", "b")
    g.add_edge(START, "a")
    g.add_edge(START, "b")
    g.add_edge(["a", "b"], END)
    assert g.compile().invoke({"log": []})["log"] == ["a", "b"]


def test_overwrite_bypasses_the_reducer_and_drops_later_writes_as_langgraph_does():
    from wfkit import InMemorySaver
    from wfkit.types import Overwrite

    g = StateGraph(S)
    g.add_node("a", lambda s: {"log": ["a"]})
    g.add_node("b", lambda s: {"log": Overwrite(["b"])})
    g.add_node("c", lambda s: {"log": ["c"]})
    for node in "abc":
        g.add_edge(START, node)
    app = g.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "o"}}
    assert app.invoke({"log": ["in"]}, config) == {"log": ["b"]}  # a, then b overwrites, c is dropped
    assert [s.values for s in app.get_state_history(config)] == [{"log": ["b"]}, {"log": ["in"]}, {"log": []}]

    g2 = StateGraph(S)
    g2.add_node("a", lambda s: {"log": {"__overwrite__": ["x"]}})  # the dict forms LangGraph also reads
    g2.add_node("b", lambda s: {"log": {"type": "__overwrite__", "value": ["y"]}})
    g2.add_edge(START, "a")
    g2.add_edge("a", "b")
    app2 = g2.compile(checkpointer=InMemorySaver())
    assert app2.invoke({"log": ["in"]}, config) == {"log": ["y"]}
    assert [s.values for s in app2.get_state_history(config)][:2] == [{"log": ["y"]}, {"log": ["x"]}]

    g3 = StateGraph(S)
    g3.add_node("a", lambda s: {"log": Overwrite(["a"])})
    g3.add_node("b", lambda s: {"log": Overwrite(["b"])})
    g3.add_edge(START, "a")
    g3.add_edge(START, "b")
    with pytest.raises(InvalidUpdateError) as caught:
        g3.compile().invoke({"log": []})
    assert str(caught.value).startswith(
        "key `log` received two Overwrite values in one superstep (from `a` and `b`); at most one node may "
        "overwrite a key per superstep")


class Siblings(TypedDict):
    a: str
    s: str


def failing_step(cancelled: list, release: threading.Event | None = None):
    from wfkit import InMemorySaver

    async def waits(state):
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append("waits")
            raise

    def quick(state):
        if release is not None:
            release.wait(5)
        return {"s": "sync"}

    def bad(state):
        raise ValueError("bad")

    g = StateGraph(Siblings).add_node("waits", waits).add_node("quick", quick).add_node("bad", bad)
    for name in ("waits", "quick", "bad"):
        g.add_edge(START, name)
    return g.compile(checkpointer=InMemorySaver())


def test_a_failing_task_stops_its_async_siblings_as_langgraph_does():
    cancelled, release = [], threading.Event()
    app = failing_step(cancelled, release)
    config = {"configurable": {"thread_id": "t"}}
    with pytest.raises(ValueError):
        asyncio.run(app.ainvoke({"a": "", "s": ""}, config))  # it waits for neither `waits` nor `quick`
    release.set()
    state = app.get_state(config)
    # (`waits` never ends on its own: returning at all shows it was stopped; it may be stopped before it starts)
    assert (cancelled in ([], ["waits"]), state.values, state.next) == (True, {"a": "", "s": ""}, ("waits", "quick", "bad"))


def test_a_sync_call_keeps_what_a_finished_sync_sibling_returned():
    cancelled = []
    app = failing_step(cancelled)
    config = {"configurable": {"thread_id": "t"}}
    with pytest.raises(ValueError):
        app.invoke({"a": "", "s": ""}, config)
    state = app.get_state(config)
    # `quick` is waited for (a thread cannot be stopped) and kept: a resume runs only `waits` and `bad`
    assert (state.values, state.next) == ({"a": "", "s": "sync"}, ("waits", "bad"))


def test_a_label_missing_from_the_path_map_is_also_a_key_error_with_a_readable_message():
    g = StateGraph(S)
    g.add_node("a", lambda s: None)
    g.add_conditional_edges(START, lambda s: "zzz", {"b": "a"})
    with pytest.raises(KeyError) as info:  # what LangGraph raises, so the same `except` works
        g.compile().invoke({"n": 1})
    assert isinstance(info.value, (InvalidRouteError, ValueError))
    assert str(info.value) == (
        "the path function `<lambda>` of node `__start__` returned `zzz`, which is none of `b` (from the path_map "
        "of add_conditional_edges('__start__', ...)); return one of those, or add it to the path_map")


def test_a_run_that_writes_no_state_key_returns_none_as_langgraph():
    g = StateGraph(S)
    g.add_node("a", lambda s: {"n": 2})
    g.add_conditional_edges(START, lambda s: END, [END, "a"])
    app = g.compile()
    assert app.invoke({}) is None
    assert app.invoke({"n": 1}) == {"log": [], "n": 1}
    quiet = StateGraph(S)
    quiet.add_node("a", lambda s: {})
    quiet.add_edge(START, "a")
    assert quiet.compile().invoke({}) is None
    from wfkit import InMemorySaver

    kept = quiet.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "1"}}
    assert kept.invoke({"n": 3}, config) == {"log": [], "n": 3}
    assert kept.invoke({}, config) is None  # the thread has a state, but this run changed nothing
