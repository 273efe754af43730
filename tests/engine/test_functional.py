"""The Functional API: @task futures in parallel, @entrypoint invoke/stream, previous and final."""

import threading

import pytest

from wfkit import InMemorySaver, entrypoint, interrupt, task, Command
from wfkit.errors import TaskOutsideEntrypointError


@task
def double(x):
    return x * 2


def test_a_task_called_outside_an_entrypoint_raises_a_runtime_error_naming_it():
    @task
    async def fetch(x):
        return x

    for fn, name in ((double, "double"), (fetch, "fetch")):
        with pytest.raises(TaskOutsideEntrypointError) as info:
            fn(1)
        assert isinstance(info.value, RuntimeError)
        assert str(info.value) == (
            f"task `{name}` was called outside an entrypoint: a @task runs only inside an @entrypoint function "
            f"or a graph node. Call it from one, or call the undecorated function: {name}.fn(...)")
    assert double.fn(4) == 8


def test_a_task_called_in_a_graph_node_runs_there():
    from typing_extensions import TypedDict

    from wfkit import START, StateGraph

    class X(TypedDict):
        x: int

    g = StateGraph(X)
    g.add_node("a", lambda s: {"x": double(s["x"]).result()})
    g.add_edge(START, "a")
    assert g.compile().invoke({"x": 3}) == {"x": 6}


def test_entrypoint_invoke_returns_the_functions_value():
    @entrypoint()
    def wf(x):
        return double(double(x).result()).result()

    assert wf.invoke(3) == 12


def test_stream_updates_keyed_by_task_then_entrypoint():
    @entrypoint()
    def wf(x):
        return double(double(x).result()).result() + 1

    assert list(wf.stream(1, stream_mode="updates")) == [{"double": 2}, {"double": 4}, {"wf": 5}]


def test_tasks_run_in_parallel():
    barrier = threading.Barrier(4, timeout=5)

    @task
    def meet(i):
        barrier.wait()
        return i

    @entrypoint()
    def wf(n):
        futures = [meet(i) for i in range(n)]
        return [f.result() for f in futures]

    assert wf.invoke(4) == [0, 1, 2, 3]


def test_previous_and_final_with_a_checkpointer():
    @entrypoint(checkpointer=InMemorySaver())
    def counter(step, previous=None):
        total = (previous or 0) + step
        return entrypoint.final(value=f"total {total}", save=total)

    config = {"configurable": {"thread_id": "c"}}
    assert counter.invoke(2, config) == "total 2"
    assert counter.invoke(5, config) == "total 7"
    assert counter.invoke(1, {"configurable": {"thread_id": "other"}}) == "total 1"


def test_interrupt_in_entrypoint_reuses_finished_tasks_on_resume():
    calls = []

    @task
    def expensive(x):
        calls.append(x)
        return x * 100

    @entrypoint(checkpointer=InMemorySaver())
    def review(x):
        draft = expensive(x).result()
        verdict = interrupt({"draft": draft})
        return f"{draft} {verdict}"

    config = {"configurable": {"thread_id": "r"}}
    first = review.invoke(2, config)
    assert first["__interrupt__"][0].value == {"draft": 200}
    assert review.invoke(Command(resume="approved"), config) == "200 approved"
    assert calls == [2]


def test_task_error_propagates_from_result():
    @task
    def fail(x):
        raise KeyError(x)

    @entrypoint()
    def wf(x):
        return fail(x).result()

    with pytest.raises(KeyError):
        wf.invoke("k")


def test_stepping_an_entrypoint_shows_its_input_return_and_save():
    @entrypoint(checkpointer=InMemorySaver())
    def wf(n, *, previous=None):
        if previous is not None:
            return previous
        total = sum(f.result() for f in [double(i) for i in range(n)])
        return entrypoint.final(value=total, save=f"saved {total}")

    run = wf.start(3, {"configurable": {"thread_id": "s"}})
    assert [(t.name, t.input) for t in run.next] == [("wf", 3)]
    assert run.state is None
    record = run.step()
    assert [(t.name, t.input) for t in record.tasks] == [("wf", 3)]
    assert record.writes == (("wf", (("return", 6), ("save", "saved 6"))),)
    assert record.values == 6 == run.state and record.updated == ()
    assert run.done and wf.invoke(1, {"configurable": {"thread_id": "s"}}) == "saved 6"  # `previous` is the save


def test_task_calls_reach_listeners_as_started_and_finished_tasks():
    from wfkit.engine.events import TaskFinished, TaskStarted

    @task
    def fail(x):
        raise KeyError(x)

    @entrypoint()
    def wf(n):
        first = double(n).result()
        try:
            fail(first).result()
        except KeyError:
            pass
        return double(x=first).result()

    run = wf.start(5)
    seen = []
    run.listeners.append(seen.append)
    run.step()
    calls = [(type(e).__name__, e.task.name, e.task.input, getattr(e, "update", None), repr(getattr(e, "error", None)))
             for e in seen if isinstance(e, (TaskStarted, TaskFinished)) and e.task.triggers == ("call",)]
    assert calls == [
        ("TaskStarted", "double", ((5,), {}), None, "None"),
        ("TaskFinished", "double", ((5,), {}), 10, "None"),
        ("TaskStarted", "fail", ((10,), {}), None, "None"),
        ("TaskFinished", "fail", ((10,), {}), None, "KeyError(10)"),
        ("TaskStarted", "double", ((), {"x": 10}), None, "None"),
        ("TaskFinished", "double", ((), {"x": 10}), 20, "None"),
    ]
    assert run.state == 20


# -- issue 10 item 9: values chunks, entrypoint.final[...] hints, the `writer` parameter ----------------

def test_values_stream_of_an_entrypoint_has_only_its_return_value():
    @entrypoint()
    def wf(x):
        return double(x).result() + 1

    @entrypoint()
    def returns_nothing(x):
        double(x).result()

    assert list(wf.stream(3, stream_mode="values")) == [7]
    assert list(wf.stream(3, stream_mode=["values", "updates"])) == [
        ("updates", {"double": 6}), ("updates", {"wf": 7}), ("values", 7)]
    assert list(returns_nothing.stream(3, stream_mode="values")) == [None]
    assert list(returns_nothing.stream(3, stream_mode="updates")) == [{"double": 6}, {"returns_nothing": None}]
    assert returns_nothing.invoke(3) is None


def test_entrypoint_final_is_subscriptable_and_needs_value_and_save():
    @entrypoint(checkpointer=InMemorySaver())
    def counter(x: int, *, previous=None) -> entrypoint.final[int, int]:
        return entrypoint.final(value=previous or 0, save=(previous or 0) + x)

    config = {"configurable": {"thread_id": "f"}}
    assert [counter.invoke(n, config) for n in (1, 2, 3)] == [0, 1, 3]
    assert list(counter.stream(1, config, stream_mode=["values", "updates"])) == [
        ("updates", {"counter": 6}), ("values", 6)]
    assert entrypoint.final(value=1, save=2) == entrypoint.final(value=1, save=2)
    with pytest.raises(TypeError, match=r"entrypoint\.final\.__init__\(\) missing 1 required keyword-only argument: 'save'"):
        entrypoint.final(value=1)


def test_a_writer_parameter_of_a_task_or_entrypoint_streams_custom_chunks():
    from wfkit.types import StreamWriter

    @task
    def annotated(x, writer: StreamWriter):
        writer({"task": x})
        return x

    @task
    def by_name(x, writer):
        writer({"by_name": x})
        return x

    @entrypoint()
    def wf(x, writer: StreamWriter):
        writer("start")
        y = annotated(x).result() + by_name(x).result()
        writer("end")
        return y

    assert list(wf.stream(5, stream_mode=["custom", "updates"])) == [
        ("custom", "start"), ("custom", {"task": 5}), ("updates", {"annotated": 5}),
        ("custom", {"by_name": 5}), ("updates", {"by_name": 5}), ("custom", "end"), ("updates", {"wf": 10})]
    assert wf.invoke(5) == 10  # nobody streams "custom": the writer is a no-op


def test_a_writer_parameter_of_an_async_task_and_entrypoint():
    import asyncio

    @task
    async def at(x, writer):
        writer(("at", x))
        return x

    @entrypoint()
    async def wf(x, *, previous=None, writer=None):
        writer("a0")
        return await at(x)

    async def chunks():
        return [c async for c in wf.astream(2, stream_mode=["custom", "updates", "values"])]

    assert asyncio.run(chunks()) == [("custom", "a0"), ("custom", ("at", 2)), ("updates", {"at": 2}),
                                     ("updates", {"wf": 2}), ("values", 2)]


def test_the_writer_is_not_part_of_a_task_calls_recorded_input():
    from wfkit.engine.events import TaskStarted

    @task
    def t(x, writer):
        writer(x)
        return x

    @entrypoint()
    def wf(x):
        return t(x).result()

    run = wf.start(1)
    seen = []
    run.listeners.append(seen.append)
    run.step()
    assert [e.task.input for e in seen if isinstance(e, TaskStarted) and e.task.triggers == ("call",)] == [((1,), {})]


def test_only_the_name_writer_is_injected_not_the_hint():
    from wfkit.types import StreamWriter

    @entrypoint()
    def wf(x, out: StreamWriter):
        return x

    with pytest.raises(TypeError, match=r"missing 1 required positional argument: 'out'"):
        wf.invoke(1)
