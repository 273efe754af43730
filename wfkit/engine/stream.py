"""Stream modes as listeners: each turns loop events into the chunks LangGraph users expect.

`values` (the whole state after each superstep), `updates` ({node: what it wrote} as each task finishes),
`custom` (what nodes pass to `get_stream_writer()`), `messages` ((message, metadata): models' chunks and
the messages nodes write, see `engine.stream_messages`),
`checkpoints` (each checkpoint as it is written: LangGraph's checkpoint payload), `tasks` (each task as it
starts and as it ends: its task and task-result payloads, a failed task's with its exception) and `debug`
(those two wrapped as LangGraph does: `{"step", "timestamp", "type", "payload"}`). As in LangGraph, a task paused by `interrupt()` shows as
`{"__interrupt__": (Interrupt, ...)}` in `updates` and with the state in `values`; a breakpoint as
`{"__interrupt__": ()}` in `updates`; a continued run's `values` start with the state it continues from.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any

from wfkit.constants import NS_LEVEL, START
from wfkit.engine import algo
from wfkit.engine.events import (CheckpointKept, CustomWrite, Interrupted, Nested, Resumed,
                                 StepApplied, StepPlanned, TaskFinished)
from wfkit.engine.options import given
from wfkit.engine.spec import GraphSpec
from wfkit.engine.stream_messages import MessagesMode, base_metadata, task_triggers
from wfkit.errors import ArgumentTypeError
from wfkit.types import GraphOutput

MODES = ("values", "updates", "checkpoints", "tasks", "debug", "messages", "custom")
INTERRUPT = "__interrupt__"


def check_modes(stream_mode: Any) -> tuple[list[str], bool]:
    """The modes asked for, and whether chunks are `(mode, chunk)` pairs (a list of modes was given)."""
    try:
        modes = [stream_mode] if isinstance(stream_mode, str) else list(stream_mode)
    except TypeError:
        raise ArgumentTypeError(f"`stream_mode` must be a str or a list of them ({', '.join(MODES)}), got "
                                f"{given(stream_mode)}: e.g. stream_mode='updates' or stream_mode=['values', "
                                "'custom']") from None
    for mode in modes:
        if mode not in MODES:
            raise ValueError(f"unknown stream_mode `{mode}`; use one of {', '.join(MODES)} (or a list of them)")
    return modes, not isinstance(stream_mode, str)


VERSIONS = ("v1", "v2")


def check_version(version: Any, where: str) -> None:
    if version not in VERSIONS:
        raise ValueError(f"{where}: unknown version {version!r}; use version='v1' (the chunks themselves, the "
                         "default) or version='v2' (each chunk a dict {'type', 'ns', 'data'})")


def stream_part(spec: GraphSpec, ns: tuple, mode: str, chunk: Any) -> dict:
    """A chunk as `stream(version="v2")` gives it, LangGraph's `StreamPart`: `{"type": mode, "ns": ns, "data":
    chunk}`; a "values" part has the interrupts apart (`"interrupts"`) and, for a pydantic or dataclass
    schema, the state as an instance of the output schema, as do a checkpoint's values of the state schema
    (but the input's, which may be partial). Instances only for the graph streamed: a subgraph's chunks are
    left as they are."""
    if mode == "values":
        interrupts = ()
        if isinstance(chunk, dict) and INTERRUPT in chunk:
            chunk = dict(chunk)
            interrupts = chunk.pop(INTERRUPT)
        if not ns and isinstance(chunk, dict) and spec.output_key is None and spec.output.kind in _CLASSES:
            chunk = spec.output.view(chunk)
        return {"type": mode, "ns": ns, "data": chunk, "interrupts": interrupts}
    if mode in ("checkpoints", "debug") and not ns and spec.output_key is None and spec.state.kind in _CLASSES:
        payload = chunk.get("payload") if mode == "debug" else chunk
        if isinstance(payload, dict) and isinstance(payload.get("values"), dict) and START not in payload.get(
                "next", ()):
            payload["values"] = spec.state.view(payload["values"])
    return {"type": mode, "ns": ns, "data": chunk}


_CLASSES = ("pydantic", "dataclass")


def graph_output(spec: GraphSpec, result: Any) -> GraphOutput:
    """`invoke(..., version="v2")`'s answer: the result as the last "values" part gives it."""
    part = stream_part(spec, (), "values", result)
    return GraphOutput(part["data"], tuple(part["interrupts"]))


def _stamp() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def _interrupts(interrupts) -> list:
    """Interrupts as LangGraph's task payloads give them: each as a dict of its fields."""
    return [dataclasses.asdict(i) for i in interrupts]


def _written(writes) -> dict:
    """A task's writes as LangGraph's debug `task_result.result` gives them: a dict, the last write of a key
    winning."""
    return {key: value for key, value in writes}


def graph_chunker(spec: GraphSpec, modes: list[str], put: Callable[[tuple, str, Any], None],
                  subgraphs: bool, config: dict | None = None, messages: MessagesMode | None = None,
                  prefix: tuple = ()) -> Callable[[Any], None]:
    """A loop listener that calls `put(namespace, mode, chunk)`, subgraphs included. With `subgraphs`, the
    events of a subgraph become chunks of their own under its namespace (`("<node>:<task id>",)`, nested
    ones longer; a task's further graphs `("<node>:<task id>", "<n>")`), as LangGraph's
    `stream(subgraphs=True)` gives them; without, none of them (LangGraph 1.2 leaves out a subgraph's
    custom writes and model tokens too). `config`: the run's, whose `metadata` and some `configurable` values
    the "messages" chunks carry (see `engine.stream_messages`); `messages` and `prefix`: a subgraph's."""
    if "messages" in modes:
        emit = lambda chunk: put((), "messages", chunk)  # noqa: E731
        messages = (MessagesMode(spec, emit, base_metadata(config), set()) if messages is None
                    else messages.nested(spec, emit, prefix))
    top = chunker(spec, modes, lambda mode, chunk: put((), mode, chunk), messages)
    inner: dict[str, Callable[[Any], None]] = {}

    def listen(event: Any) -> None:
        if event.__class__ is not Nested:
            top(event)
        elif subgraphs:
            nested = inner.get(event.namespace)
            if nested is None:
                at = tuple(event.namespace.split(NS_LEVEL))
                nested = inner[event.namespace] = graph_chunker(
                    event.spec, modes, lambda ns, mode, chunk: put(at + ns, mode, chunk), True,
                    messages=messages, prefix=prefix + at)
            nested(event.event)

    return listen


def chunker(spec: GraphSpec, modes: list[str], put: Callable[[str, Any], None],
            messages: Callable[[Any], None] | None = None) -> Callable[[Any], None]:
    """A loop listener that calls `put(mode, chunk)` for each chunk the event yields in the given modes
    (`messages`: the "messages" mode's listener, see `engine.stream_messages`)."""
    want = set(modes)
    state: dict = {}  # the values as of the last checkpoint, which interrupt chunks in "values" carry
    # A superstep that runs one task (besides reused results): LangGraph streams that task's update once
    # the superstep's writes went through, so a superstep that then fails (InvalidUpdateError) shows none
    step: dict = {"ids": set(), "held": []}  # ids: the superstep's tasks still to run

    def release() -> None:
        for mode, chunk in step["held"]:
            put(mode, chunk)
        step["held"] = []

    def task_chunk(out: Callable, step: int, payload: dict) -> None:
        """A "tasks" payload, and in "debug" the same wrapped (a result has `result`, a start has not)."""
        if "tasks" in want:
            out(("tasks", payload))
        if "debug" in want:
            out(("debug", {"step": step, "timestamp": _stamp(),
                           "type": "task_result" if "result" in payload else "task", "payload": payload}))

    def listen(event: Any) -> None:
        if messages is not None:  # (first: a node's messages come before its update, as in LangGraph)
            messages(event)
        if isinstance(event, TaskFinished):
            if event.cached:
                step["ids"].discard(event.task.id)
            if event.interrupts:
                # each paused task as it pauses: {"__interrupt__": its interrupts}, in "values" beside the
                # state as of the last checkpoint (LangGraph's order: "updates" first)
                if "updates" in want:
                    put("updates", {INTERRUPT: event.interrupts})
                if "values" in want:
                    put("values", {**algo.state_values(spec, state.get("values", {})), INTERRUPT: event.interrupts})
            if event.task.name == START or event.error is not None or event.interrupts:
                if event.task.name != START and not event.cached:
                    # a failed task's result carries its exception, streamed before the run raises it
                    task_chunk(lambda pair: put(*pair), event.step, {
                        "id": event.task.id, "name": event.task.name, "error": event.error,
                        "result": {}, "interrupts": _interrupts(event.interrupts)})
                return
            # a lone task's chunks wait for its superstep's writes to go through (see `step`)
            out = step["held"].append if step["ids"] == {event.task.id} and not event.cached else (
                lambda pair: put(*pair))
            if "updates" in want:
                if event.cached:
                    out(("updates", {event.task.name: event.update, "__metadata__": {"cached": True}}))
                else:
                    out(("updates", {event.task.name: event.update}))
            if not event.cached:
                task_chunk(out, event.step, {"id": event.task.id, "name": event.task.name, "error": None,
                                             "result": _written(event.writes), "interrupts": []})
        elif isinstance(event, StepApplied):
            release()
            state["values"] = event.values
            # LangGraph emits values only when the step wrote something (an entrypoint: its return value)
            if "values" in want and event.updated and (spec.output_key is None or spec.output_key in event.updated):
                put("values", algo.state_values(spec, event.values))
        elif isinstance(event, CheckpointKept):
            if "checkpoints" in want or "debug" in want:  # LangGraph: only for a thread's checkpoints
                payload = {
                    "config": event.config, "parent_config": event.parent_config,
                    "values": algo.state_values(spec, event.values), "metadata": dict(event.metadata),
                    "next": [name for _, name in event.tasks],
                    "tasks": [{"id": tid, "name": name, "interrupts": tuple(_interrupts(event.interrupts.get(tid, ()))),
                               "state": None} for tid, name in event.tasks]}
                if "checkpoints" in want:
                    put("checkpoints", payload)
                if "debug" in want:
                    put("debug", {"step": event.step, "timestamp": _stamp(), "type": "checkpoint", "payload": payload})
        elif isinstance(event, StepPlanned):
            step["ids"], step["held"] = {task.id for task in event.tasks if task.name != START}, []
            if "tasks" in want or "debug" in want:
                for task in event.tasks:
                    if task.name != START:
                        task_chunk(lambda pair: put(*pair), event.step, {
                            "id": task.id, "name": task.name, "input": task.input, "triggers": task_triggers(spec, task)})
        elif isinstance(event, Interrupted):
            release()
            if event.reason != "interrupt":  # a breakpoint: an empty interrupt in "updates"
                if "updates" in want:
                    put("updates", {INTERRUPT: ()})
            elif event.values is not None and "values" in want:
                put("values", algo.state_values(spec, event.values))
        elif isinstance(event, Resumed):
            state["values"] = event.values
            if "values" in want:  # a continued run starts with the state it continues from
                put("values", algo.state_values(spec, event.values))
        elif isinstance(event, CustomWrite):
            if "custom" in want:
                put("custom", event.value)

    return listen
