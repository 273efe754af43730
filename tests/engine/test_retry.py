"""Retries and timeouts (`engine.retry`): LangGraph's `RetryPolicy` fields and defaults, `TimeoutPolicy` on
nodes, tasks and entrypoints, a timed-out attempt failing its superstep with nothing stored for it (the thread
resumes), a sync node's timeout enforced, and a node's own `asyncio.CancelledError` made a
`NodeCancelledError`. Timeouts are tiny and the nodes wait on events that never fire: nothing depends on
how fast the machine is."""

import asyncio
import operator
import threading
from datetime import timedelta
from typing import Annotated
from unittest.mock import patch

import pytest
from typing_extensions import TypedDict

from wfkit import START, InMemorySaver, RetryPolicy, StateGraph, entrypoint, get_stream_writer, task
from wfkit.errors import ArgumentTypeError, ArgumentValueError, NodeCancelledError, NodeTimeoutError
from wfkit.types import TimeoutPolicy, default_retry_on


class S(TypedDict):
    log: Annotated[list, operator.add]


def timeout_message(error: NodeTimeoutError, node: str, what: str) -> str:
    idle = " without making progress" if error.kind == "idle" else ""
    return (f"Node '{node}' exceeded its {what} of {error.timeout:.3f}s{idle} (elapsed: {error.elapsed:.3f}s). "
            f"Nothing it wrote was kept: raise the timeout (add_node('{node}', ..., timeout=...)) or give it a "
            "RetryPolicy")


def test_retry_policy_has_langgraphs_fields_and_defaults():
    policy = RetryPolicy()
    assert policy == (0.5, 2.0, 128.0, 3, True, default_retry_on)
    assert policy._fields == ("initial_interval", "backoff_factor", "max_interval", "max_attempts", "jitter",
                              "retry_on")


def test_default_retry_on_retries_transient_errors_only():
    class Custom(Exception):
        pass

    policy = RetryPolicy()
    assert [policy.matches(e) for e in (ConnectionError("x"), Custom("x"), NodeTimeoutError(
        "n", 1.0, kind="run", run_timeout=0.5))] == [True, True, True]
    assert [policy.matches(e) for e in (ValueError("x"), KeyError("x"), RuntimeError("x"), OSError("x"))] == [
        False, False, False, False]


def test_retry_on_takes_a_type_a_sequence_or_a_predicate():
    assert RetryPolicy(retry_on=ValueError).matches(ValueError()) is True
    assert RetryPolicy(retry_on=(ValueError, KeyError)).matches(KeyError()) is True
    assert RetryPolicy(retry_on=()).matches(ValueError()) is False
    wants = RetryPolicy(retry_on=lambda e: "again" in str(e))
    assert (wants.matches(ValueError("try again")), wants.matches(ValueError("no"))) == (True, False)
    with pytest.raises(ArgumentTypeError) as info:
        RetryPolicy(retry_on=123).matches(ValueError())
    assert str(info.value) == (
        "RetryPolicy(retry_on=123): retry_on must be an Exception class, a list or tuple of Exception classes, "
        "or a callable taking the error and returning whether to retry")


def test_waits_back_off_up_to_max_interval_and_add_jitter():
    assert [RetryPolicy(initial_interval=1, backoff_factor=3, max_interval=5, jitter=False).wait(n)
            for n in (1, 2, 3)] == [1, 3, 5]
    with patch("random.uniform", return_value=0.25) as uniform:
        assert RetryPolicy(initial_interval=0.5).wait(1) == 0.75
    uniform.assert_called_once_with(0, 1)


def flaky_graph(policy, fails: int):
    calls = []

    def flaky(state):
        calls.append(1)
        if len(calls) <= fails:
            raise ConnectionError(f"down {len(calls)}")
        return {"log": [len(calls)]}

    g = StateGraph(S).add_node("flaky", flaky, retry_policy=policy).add_edge(START, "flaky")
    return g.compile(), calls


def test_sync_invoke_waits_with_time_sleep_as_langgraph():
    app, _ = flaky_graph(RetryPolicy(initial_interval=0.01, jitter=False), fails=2)
    with patch("time.sleep") as sleep:
        assert app.invoke({"log": []}) == {"log": [3]}
    assert [c.args[0] for c in sleep.call_args_list] == [0.01, 0.02]


def test_the_first_policy_that_matches_applies():
    app, calls = flaky_graph([RetryPolicy(retry_on=ValueError, max_attempts=9, initial_interval=0),
                              RetryPolicy(retry_on=ConnectionError, max_attempts=2, initial_interval=0, jitter=False)],
                             fails=5)
    with pytest.raises(ConnectionError) as info:
        app.invoke({"log": []})
    assert len(calls) == 2
    assert info.value.__notes__ == ["node `flaky` failed 2 times (RetryPolicy max_attempts=2)",
                                    "while running node `flaky` in superstep 1"]


def test_timeout_policy_coerces_seconds_and_refuses_nonpositive_ones():
    assert TimeoutPolicy.coerce(2) == TimeoutPolicy(run_timeout=2.0)
    assert TimeoutPolicy.coerce(timedelta(milliseconds=50)) == TimeoutPolicy(run_timeout=0.05)
    assert TimeoutPolicy.coerce(None) is None and TimeoutPolicy.coerce(TimeoutPolicy()) is None
    for make in (lambda: task(timeout=0), lambda: entrypoint(timeout=-1),
                 lambda: StateGraph(S).add_node("n", lambda s: s, timeout=TimeoutPolicy(idle_timeout=0))):
        with pytest.raises(ArgumentValueError) as info:
            make()
        assert str(info.value).startswith("TimeoutPolicy ") and "must be greater than 0, got " in str(info.value)
    with pytest.raises(ArgumentValueError) as info:
        TimeoutPolicy.coerce(0)
    assert str(info.value) == ("TimeoutPolicy run_timeout must be greater than 0, got 0: give the seconds a node "
                               "attempt may take, or None for no run_timeout")


def two_branches(slow, timeout):
    g = StateGraph(S).add_node("slow", slow, timeout=timeout).add_node("fast", lambda s: {"log": ["fast"]})
    return g.add_edge(START, "slow").add_edge(START, "fast").compile(checkpointer=InMemorySaver())


def test_a_timed_out_async_node_fails_its_superstep_and_the_thread_resumes():
    release = threading.Event()

    async def slow(state):
        get_stream_writer()("started")
        while not release.is_set():
            await asyncio.sleep(0.01)
        return {"log": ["slow"]}

    app = two_branches(slow, TimeoutPolicy(run_timeout=0.05))
    config = {"configurable": {"thread_id": "t"}}
    with pytest.raises(NodeTimeoutError) as info:
        list(app.stream({"log": []}, config, stream_mode="custom"))
    error = info.value
    assert (error.node, error.kind, error.timeout, error.run_timeout, error.idle_timeout) == ("slow", "run", 0.05, 0.05, None)
    assert str(error) == timeout_message(error, "slow", "run timeout")
    state = app.get_state(config)
    assert (state.values, state.next) == ({"log": ["fast"]}, ("slow",))  # nothing of `slow` kept
    release.set()
    assert app.invoke(None, config) == {"log": ["fast", "slow"]}


def test_a_sync_nodes_timeout_is_enforced_and_what_it_streams_late_is_dropped():
    release, finished = threading.Event(), threading.Event()

    def slow(state):
        release.wait()
        get_stream_writer()("too late")
        finished.set()
        return {"log": ["slow"]}

    app = two_branches(slow, 0.05)
    config = {"configurable": {"thread_id": "t"}}
    chunks = []
    with pytest.raises(NodeTimeoutError) as info:
        for chunk in app.stream({"log": []}, config, stream_mode=["custom", "updates"]):
            chunks.append(chunk)
    assert str(info.value) == timeout_message(info.value, "slow", "run timeout")
    release.set()
    assert finished.wait(5)
    assert chunks == [("updates", {"fast": {"log": ["fast"]}})]
    assert app.get_state(config).next == ("slow",)


def test_an_idle_timeout_counts_streamed_output_as_progress():
    async def chatty(state):
        writer = get_stream_writer()
        for i in range(3):
            await asyncio.sleep(0.01)
            writer(i)
        await asyncio.Event().wait()  # then silence

    app = StateGraph(S).add_node("chatty", chatty, timeout=TimeoutPolicy(idle_timeout=0.2)).add_edge(
        START, "chatty").compile()
    chunks = []
    with pytest.raises(NodeTimeoutError) as info:
        for chunk in app.stream({"log": []}, stream_mode="custom"):
            chunks.append(chunk)
    assert chunks == [0, 1, 2]
    assert (info.value.kind, info.value.idle_timeout) == ("idle", 0.2)
    assert str(info.value) == timeout_message(info.value, "chatty", "idle timeout")


def test_a_timeout_is_retried_by_the_default_retry_policy():
    attempts = []

    async def flaky(state):
        attempts.append(1)
        if len(attempts) == 1:
            await asyncio.Event().wait()
        return {"log": [len(attempts)]}

    app = StateGraph(S).add_node("flaky", flaky, timeout=0.05, retry_policy=RetryPolicy(initial_interval=0)).add_edge(
        START, "flaky").compile()
    assert asyncio.run(app.ainvoke({"log": []})) == {"log": [2]}


def test_task_and_entrypoint_timeouts():
    @task(timeout=0.05)
    def stuck(n):
        threading.Event().wait(2)
        return n

    @task(timeout=TimeoutPolicy(run_timeout=1.0))
    async def quick(*, timeout):
        return timeout

    @entrypoint()
    def flow(n):
        return stuck(n).result()

    @entrypoint()
    async def keeps_the_argument(n):
        return await quick(timeout=n)

    with pytest.raises(NodeTimeoutError) as info:
        flow.invoke(1)
    assert str(info.value) == timeout_message(info.value, "stuck", "run timeout")
    assert asyncio.run(keeps_the_argument.ainvoke(5)) == 5

    @entrypoint(timeout=0.05)
    async def slow_flow(n):
        await asyncio.Event().wait()

    with pytest.raises(NodeTimeoutError) as info:
        slow_flow.invoke(1)
    assert info.value.node == "slow_flow"


def test_a_node_raising_cancelled_error_fails_the_run_with_node_cancelled_error():
    async def cancels(state):
        raise asyncio.CancelledError()

    def cancels_sync(state):
        raise asyncio.CancelledError()

    for fn in (cancels, cancels_sync):
        app = StateGraph(S).add_node("c", fn).add_edge(START, "c").compile()
        with pytest.raises(NodeCancelledError) as info:
            app.invoke({"log": []})
        assert (str(info.value), info.value.node) == ("Node 'c' raised asyncio.CancelledError", "c")
        assert isinstance(info.value.__cause__, asyncio.CancelledError)


def test_task_future_cancel_stops_the_call_and_a_resume_calls_it_again():
    from wfkit import Command, interrupt

    calls, cancels = [], []

    @task()
    async def mapper(n):
        calls.append(n)
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancels.append(n)
            raise
        return str(n) * 2

    @task()
    async def quick(n):
        return str(n) * 2

    @entrypoint(checkpointer=InMemorySaver())
    async def flow(ns):
        futures = [quick(ns[0]), mapper(ns[1])]
        await asyncio.sleep(0.01)
        assert futures[1].cancel() is True
        done = await asyncio.gather(futures[0])
        with pytest.raises(asyncio.CancelledError):
            await futures[1]
        assert futures[1].cancelled() is True
        return [d + interrupt("question") for d in done]

    config = {"configurable": {"thread_id": "t"}}

    async def run():
        chunks = [c async for c in flow.astream([0, 1], config)]
        return chunks, await flow.ainvoke(Command(resume="!"), config)

    chunks, result = asyncio.run(run())
    assert chunks[0] == {"quick": "00"} and list(chunks[1]) == ["__interrupt__"]
    assert result == ["00!"]
    assert (calls, cancels) == ([1, 1], [1, 1])


def test_a_timeout_for_one_send_is_refused_by_name():
    from wfkit import Send
    from wfkit.errors import UnsupportedFeatureError

    with pytest.raises(UnsupportedFeatureError) as info:
        Send("slow", {}, timeout=0.05)
    assert str(info.value) == ("Send('slow', ..., timeout=...): a timeout for one Send is not supported by wfkit; "
                               "give the node its timeout with add_node('slow', ..., timeout=...)")
    with pytest.raises(ArgumentValueError):
        Send("slow", {}, timeout=0)
    assert Send("slow", 1) == Send("slow", 1, None) and repr(Send("slow", 1)) == "Send(node='slow', arg=1)"
