"""The "checkpoints" and "tasks" stream modes, `stream(version="v2")` parts, and when a stream's chunks reach
its consumer: each compared with what LangGraph 1.2.24 streams for the same program."""

import operator
import re
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from wfkit import END, START, Command, InMemorySaver, StateGraph, interrupt


class S(TypedDict):
    a: Annotated[list, operator.add]


def ask_graph(**compile_kw):
    def one(state):
        return {"a": ["1"]}

    def two(state):
        return {"a": [interrupt("q?")]}

    g = StateGraph(S)
    g.add_node("one", one)
    g.add_node("two", two)
    g.add_edge(START, "one")
    g.add_edge("one", "two")
    g.add_edge("two", END)
    return g.compile(checkpointer=InMemorySaver(), **compile_kw)


def masked(chunk):
    """The chunk's repr with its ids masked (they differ from run to run)."""
    return re.sub(r"'(checkpoint_id|id)': '[^']*'", r"'\1': X", repr(chunk))


CONFIG = {"configurable": {"thread_id": "t"}}


def test_tasks_mode_gives_each_task_start_and_result_with_interrupts_as_dicts():
    app = ask_graph()
    chunks = [masked(c) for c in app.stream({"a": []}, CONFIG, stream_mode="tasks")]
    assert chunks == [
        "{'id': X, 'name': 'one', 'input': {'a': []}, 'triggers': ('branch:to:one',)}",
        "{'id': X, 'name': 'one', 'error': None, 'result': {'a': ['1']}, 'interrupts': []}",
        "{'id': X, 'name': 'two', 'input': {'a': ['1']}, 'triggers': ('branch:to:two',)}",
        "{'id': X, 'name': 'two', 'error': None, 'result': {}, 'interrupts': [{'value': 'q?', 'id': X}]}",
    ]
    assert [masked(c) for c in app.stream(Command(resume="ans"), CONFIG, stream_mode="tasks")] == [
        "{'id': X, 'name': 'two', 'input': {'a': ['1']}, 'triggers': ('branch:to:two',)}",
        "{'id': X, 'name': 'two', 'error': None, 'result': {'a': ['ans']}, 'interrupts': []}",
    ]


def test_checkpoints_mode_gives_each_checkpoint_and_the_one_a_resume_continues_with_its_interrupts():
    app = ask_graph()
    first = list(app.stream({"a": []}, CONFIG, stream_mode="checkpoints"))
    assert [(c["metadata"], c["next"], c["values"]) for c in first] == [
        ({"source": "input", "step": -1, "parents": {}}, ["__start__"], {"a": []}),
        ({"source": "loop", "step": 0, "parents": {}}, ["one"], {"a": []}),
        ({"source": "loop", "step": 1, "parents": {}}, ["two"], {"a": ["1"]})]
    assert first[0]["parent_config"] is None
    assert [c["parent_config"] for c in first[1:]] == [c["config"] for c in first[:-1]]
    assert first[-1]["config"] == app.get_state(CONFIG).config
    waiting = app.get_state(CONFIG).interrupts[0]
    assert first[-1]["tasks"] == [{"id": app.get_state(CONFIG).tasks[0].id, "name": "two", "interrupts": (),
                                   "state": None}]
    resumed = list(app.stream(Command(resume="ans"), CONFIG, stream_mode=["values", "checkpoints"]))
    # as LangGraph: the checkpoint the run continues comes again, its task showing the interrupt it waited at
    assert [(mode, c if mode == "values" else (c["config"], c["next"], [t["interrupts"] for t in c["tasks"]]))
            for mode, c in resumed] == [
        ("values", {"a": ["1"]}),
        ("checkpoints", (first[-1]["config"], ["two"], [({"value": "q?", "id": waiting.id},)])),
        ("values", {"a": ["1", "ans"]}),
        ("checkpoints", (app.get_state(CONFIG).config, [], []))]


def test_debug_mode_wraps_the_tasks_and_checkpoints_payloads():
    app = ask_graph()
    debug = list(app.stream({"a": []}, CONFIG, stream_mode="debug"))
    app2 = ask_graph()
    plain = list(app2.stream({"a": []}, CONFIG, stream_mode=["checkpoints", "tasks"]))
    assert [(c["type"], c["step"]) for c in debug] == [
        ("checkpoint", -1), ("checkpoint", 0), ("task", 1), ("task_result", 1), ("checkpoint", 1), ("task", 2),
        ("task_result", 2)]
    assert [masked(c["payload"]) for c in debug] == [masked(c) for _, c in plain]
    assert [mode for mode, _ in plain] == ["checkpoints", "checkpoints", "tasks", "tasks", "checkpoints", "tasks",
                                           "tasks"]


@pytest.mark.parametrize("mode", ["tasks", "debug"])
def test_a_failed_task_result_is_streamed_with_its_exception_before_it_is_raised(mode):
    def failing(state):
        raise ValueError("boom")

    g = StateGraph(S)
    g.add_node("failing", failing)
    g.add_edge(START, "failing")
    errors = []
    with pytest.raises(ValueError) as info:
        for chunk in g.compile().stream({"a": []}, stream_mode=mode):
            payload = chunk["payload"] if mode == "debug" else chunk
            if "error" in payload:
                errors.append(payload["error"])
    assert errors == [info.value]
    assert str(info.value) == "boom"
