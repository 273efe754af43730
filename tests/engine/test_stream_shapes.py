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
        "{'id': X, 'name': 'two', 'error': None, 'result': {}, 'interrupts': [{'value': 'q?', 'id': X, 'response_schema': None}]}",
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
        ("checkpoints", (first[-1]["config"], ["two"], [({"value": "q?", "id": waiting.id, "response_schema": None},)])),
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


def test_v2_stream_gives_parts_with_type_ns_data_and_the_interrupts_apart_from_the_values():
    app = ask_graph()
    parts = list(app.stream({"a": []}, CONFIG, stream_mode=["values", "updates"], version="v2"))
    waiting = app.get_state(CONFIG).interrupts
    assert parts == [
        {"type": "values", "ns": (), "data": {"a": []}, "interrupts": ()},
        {"type": "updates", "ns": (), "data": {"one": {"a": ["1"]}}},
        {"type": "values", "ns": (), "data": {"a": ["1"]}, "interrupts": ()},
        {"type": "updates", "ns": (), "data": {"__interrupt__": waiting}},
        {"type": "values", "ns": (), "data": {"a": ["1"]}, "interrupts": waiting},
    ]
    assert list(app.stream(Command(resume="ans"), CONFIG, stream_mode="updates", version="v2")) == [
        {"type": "updates", "ns": (), "data": {"two": {"a": ["ans"]}}}]


def test_v2_values_of_a_pydantic_state_are_instances_but_the_input_checkpoints():
    from pydantic import BaseModel

    class P(BaseModel):
        x: int = 0
        y: str = ""

    g = StateGraph(P)
    g.add_node("a", lambda s: {"x": 1, "y": "hi"})
    g.add_edge(START, "a")
    app = g.compile(checkpointer=InMemorySaver())
    parts = [(p["type"], p["data"] if p["type"] == "values" else p["data"]["values"])
             for p in app.stream({"x": 0}, CONFIG, stream_mode=["values", "checkpoints"], version="v2")]
    assert parts == [("checkpoints", {}), ("values", P(x=0, y="")), ("checkpoints", P(x=0, y="")),
                     ("values", P(x=1, y="hi")), ("checkpoints", P(x=1, y="hi"))]


def test_invoke_v2_gives_a_graph_output_with_the_interrupts_apart():
    from wfkit.types import GraphOutput

    app = ask_graph()
    paused = app.invoke({"a": []}, CONFIG, version="v2")
    assert paused == GraphOutput({"a": ["1"]}, tuple(app.get_state(CONFIG).interrupts))
    assert paused["__interrupt__"] == paused.interrupts and paused["a"] == ["1"]
    assert app.invoke(Command(resume="ans"), CONFIG, version="v2") == GraphOutput({"a": ["1", "ans"]}, ())


@pytest.mark.parametrize("call", ["stream", "invoke"])
def test_an_unknown_version_is_refused_with_the_two_there_are(call):
    app = ask_graph()
    with pytest.raises(ValueError) as info:
        result = getattr(app, call)({"a": []}, CONFIG, version="v3")
        list(result)
    assert str(info.value) == (
        f"{call}(): unknown version 'v3'; use version='v1' (the chunks themselves, the default) or version='v2' "
        "(each chunk a dict {'type', 'ns', 'data'})")


def test_a_continued_stream_runs_the_next_node_only_when_its_first_chunk_was_taken():
    # LangGraph's HITL docs sample: resuming from an interrupt_before breakpoint, the state it continues
    # from is printed before the next node runs
    printed = []

    class T(TypedDict):
        input: str

    g = StateGraph(T)
    for name in ("step_1", "step_2", "step_3"):
        g.add_node(name, lambda s, name=name: printed.append(f"---{name}---"))
    g.add_edge(START, "step_1")
    g.add_edge("step_1", "step_2")
    g.add_edge("step_2", "step_3")
    app = g.compile(checkpointer=InMemorySaver(), interrupt_before=["step_3"])
    for chunk in app.stream({"input": "hello"}, CONFIG, stream_mode="values"):
        printed.append(chunk)
    for chunk in app.stream(None, CONFIG, stream_mode="values"):
        printed.append(chunk)
    assert printed == [{"input": "hello"}, "---step_1---", "---step_2---", {"input": "hello"}, "---step_3---"]


def test_async_messages_stream_hands_each_token_over_before_the_node_goes_on():
    import asyncio

    from wfkit.llm import ScriptedModel

    model = ScriptedModel(["hello big world"])
    printed = []

    class T(TypedDict):
        topic: str

    async def node(state):
        async for chunk in model.astream("hi"):
            printed.append(f"node got {chunk.content!r}")
        printed.append("node after")
        return {"topic": "x"}

    g = StateGraph(T)
    g.add_node("n", node)
    g.add_edge(START, "n")

    async def consume():
        async for chunk, _ in g.compile().astream({"topic": "t"}, stream_mode="messages"):
            printed.append(f"consumer {chunk.content!r}")

    asyncio.run(consume())
    assert printed == ["consumer 'hello'", "node got 'hello'", "consumer ' big'", "node got ' big'",
                       "consumer ' world'", "node got ' world'", "node after"]
