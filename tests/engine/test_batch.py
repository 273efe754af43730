"""`batch` / `abatch`: many threads at once, bounded, each stopping at its interrupts, results in input order,
progress as events, and the node calls handed to the executor the user gives."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading

import pytest
from typing_extensions import Annotated, TypedDict

import operator

from wfkit import END, START, Command, Send, StateGraph, interrupt
from wfkit.engine.events import BatchProgress
from wfkit.errors import MissingThreadError


class State(TypedDict):
    n: int
    approved: bool
    done: str


def _approval_graph(saver, calls=None, **compile_kw):
    def propose(state):
        if state["n"] < 0:
            raise ValueError(f"n must be >= 0, got {state['n']}")
        if calls is not None:
            calls.append(state["n"])
        return {"n": state["n"] * 10}

    def review(state):
        return {"approved": interrupt({"act": f"send {state['n']}"}) is True}

    def act(state):
        return {"done": f"sent {state['n']}" if state["approved"] else "skipped"}

    g = StateGraph(State)
    g.add_node("propose", propose)
    g.add_node("review", review)
    g.add_node("act", act)
    g.add_edge(START, "propose")
    g.add_edge("propose", "review")
    g.add_edge("review", "act")
    g.add_edge("act", END)
    return g.compile(checkpointer=saver, **compile_kw)


def _configs(n, prefix="t"):
    return [{"configurable": {"thread_id": f"{prefix}{i}"}} for i in range(n)]


class CountingExecutor(concurrent.futures.Executor):
    """Hands every task to a thread pool and counts them (and the threads they ran on)."""

    def __init__(self, workers=2):
        self.pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="counted")
        self.submitted = 0
        self.threads = set()
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        with self._lock:
            self.submitted += 1

        def counted():
            self.threads.add(threading.current_thread().name.rpartition("_")[0])
            return fn(*args, **kwargs)

        return self.pool.submit(counted)

    def shutdown(self, wait=True, **kw):
        self.pool.shutdown(wait)


def test_batch_stops_each_thread_at_its_interrupt_and_returns_results_in_input_order(saver):
    app = _approval_graph(saver)
    results = app.batch([{"n": i} for i in range(5)], _configs(5), max_concurrency=2)
    assert [r["n"] for r in results] == [0, 10, 20, 30, 40]
    assert [[i.value for i in r["__interrupt__"]] for r in results] == [[{"act": f"send {i * 10}"}] for i in range(5)]
    assert [app.get_state(c).next for c in _configs(5)] == [("review",)] * 5


def test_a_batch_resumed_with_commands_finishes_each_thread(saver):
    app = _approval_graph(saver)
    app.batch([{"n": i} for i in range(3)], _configs(3))
    results = app.batch([Command(resume=True), Command(resume=False), Command(resume=True)], _configs(3))
    assert [r["done"] for r in results] == ["sent 0", "skipped", "sent 20"]


def test_batch_reports_progress_as_events(saver):
    app = _approval_graph(saver)
    events = []
    app.batch([{"n": 1}, {"n": -1}], _configs(2), max_concurrency=1, return_exceptions=True,
              on_progress=events.append)
    assert events[0] == BatchProgress(0, 2)
    assert [(e.done, e.total, e.index, e.status, e.thread_id) for e in events[1:]] == [
        (1, 2, 0, "interrupted", "t0"), (2, 2, 1, "error", "t1")]
    assert str(events[2].error) == "n must be >= 0, got -1"


def test_a_failed_input_is_returned_in_its_place_or_raised_after_all_have_ended(saver):
    app = _approval_graph(saver)
    results = app.batch([{"n": -1}, {"n": 2}], _configs(2), return_exceptions=True)
    assert isinstance(results[0], ValueError) and str(results[0]) == "n must be >= 0, got -1"
    assert results[1]["n"] == 20
    with pytest.raises(ValueError) as caught:
        app.batch([{"n": 3}, {"n": -2}, {"n": -3}], _configs(3, "u"))
    assert str(caught.value) == "n must be >= 0, got -2"  # the first failure, in input order
    assert app.get_state(_configs(1, "u")[0]).next == ("review",)  # the others ran to their interrupt


def test_batch_checks_max_concurrency():
    app = _approval_graph(None)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError) as caught:
            app.batch([{"n": 1}], max_concurrency=bad)
        assert str(caught.value) == (f"batch(max_concurrency={bad!r}): give the number of runs allowed at once, "
                                     f"an int >= 1 (or None: all at once)")


def test_batch_without_thread_ids_on_a_checkpointed_graph_names_the_fix(saver):
    app = _approval_graph(saver)
    with pytest.raises(MissingThreadError) as caught:
        app.batch([{"n": 1}])
    assert str(caught.value) == ("this graph has a checkpointer, so each run needs a thread: pass "
                                 "config={'configurable': {'thread_id': 'some-id'}}")


def test_max_concurrency_bounds_the_runs_going_at_once():
    running, peak = [0], [0]
    lock = threading.Lock()

    async def slow(state):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        await asyncio.sleep(0.01)
        with lock:
            running[0] -= 1
        return {"n": state["n"] + 1}

    g = StateGraph(State)
    g.add_node("slow", slow)
    g.add_edge(START, "slow")
    app = g.compile()
    assert [r["n"] for r in app.batch([{"n": i} for i in range(6)], max_concurrency=2)] == [1, 2, 3, 4, 5, 6]
    assert peak[0] == 2
    peak[0] = 0
    assert [r["n"] for r in app.batch([{"n": i} for i in range(6)], {"max_concurrency": 3})] == [1, 2, 3, 4, 5, 6]
    assert peak[0] == 3


def test_every_node_call_of_a_batch_goes_through_the_executor_given(saver):
    calls = []
    app = _approval_graph(saver, calls)
    counting = CountingExecutor()
    results = app.batch([{"n": i} for i in range(4)], _configs(4), executor=counting)
    assert [r["n"] for r in results] == [0, 10, 20, 30]
    assert counting.submitted == 8  # propose and review, per thread
    assert counting.threads == {"counted"}
    assert sorted(calls) == [0, 1, 2, 3]
    counting.shutdown()


def test_a_thread_pool_executor_runs_the_batch(saver):
    app = _approval_graph(saver)
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        results = app.batch([{"n": i} for i in range(3)], _configs(3), executor=pool)
        assert [r["n"] for r in results] == [0, 10, 20]
        done = app.batch([Command(resume=True)] * 3, _configs(3), executor=pool)
    assert [r["done"] for r in done] == ["sent 0", "sent 10", "sent 20"]


class Fan(TypedDict):
    items: list
    out: Annotated[list, operator.add]


def _fan_out(executor=None):
    def split(state):
        return {}

    def work(arg):
        return {"out": [arg * 2]}

    g = StateGraph(Fan)
    g.add_node("split", split)
    g.add_node("work", work)
    g.add_edge(START, "split")
    g.add_conditional_edges("split", lambda s: [Send("work", x) for x in s["items"]], ["work"])
    return g.compile(executor=executor)


def test_a_send_fan_out_goes_through_the_executor_given_at_compile_or_in_the_config():
    counting = CountingExecutor()
    assert _fan_out(counting).invoke({"items": [1, 2, 3]})["out"] == [2, 4, 6]
    assert counting.submitted == 5  # split, its routing function, and each of the three Sends
    other = CountingExecutor()
    assert _fan_out().invoke({"items": [5, 6]}, {"executor": other})["out"] == [10, 12]
    assert other.submitted == 4
    counting.shutdown()
    other.shutdown()


def test_an_executor_that_is_not_one_is_refused():
    with pytest.raises(TypeError) as caught:
        _fan_out(executor=4)
    assert str(caught.value) == ("compile(executor=...) must be a concurrent.futures.Executor (a "
                                 "ThreadPoolExecutor, or a Dask or Ray executor), got int `4`")


def test_abatch_is_the_same_run_from_async_code(saver):
    app = _approval_graph(saver)
    results = asyncio.run(app.abatch([{"n": 1}, {"n": 2}], _configs(2)))
    assert [r["n"] for r in results] == [10, 20]
