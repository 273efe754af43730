"""The Functional API: @task futures in parallel, @entrypoint invoke/stream, previous and final."""

import threading

import pytest

from wfkit import InMemorySaver, entrypoint, interrupt, task, Command


@task
def double(x):
    return x * 2


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


def test_task_called_outside_an_entrypoint_just_runs():
    assert double(5).result() == 10


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
