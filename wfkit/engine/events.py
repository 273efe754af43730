"""What the loop tells its listeners, as plain dataclasses.

Streams turn these into chunks, the stepping API into records, the widgets into pictures. A listener is
any callable taking one event; it may be called from a worker thread (custom writes, message chunks), so
listeners that touch an event loop must hand the event over thread-safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# re-exported: the widgets read the tasks' triggers through this module
from wfkit.engine.trigger import Trigger as Trigger  # noqa: F401


@dataclass(frozen=True)
class Event:
    step: int


@dataclass(frozen=True)
class StepPlanned(Event):
    """The tasks of superstep `step` are known and about to start."""

    tasks: tuple  # tuple[Task, ...]


@dataclass(frozen=True)
class TaskStarted(Event):
    task: Any


@dataclass(frozen=True)
class TaskFinished(Event):
    """A task ended: with `writes` and `routes`, or with `error`, or paused with `interrupts`."""

    task: Any
    writes: tuple = ()
    routes: tuple = ()
    error: BaseException | None = None
    interrupts: tuple = ()
    update: Any = None  # what the node returned, for the "updates" stream
    cached: bool = False  # True when the result was reused from pending writes


@dataclass(frozen=True)
class StepApplied(Event):
    """All writes of the superstep went through the reducers: `values` is the new state."""

    values: dict
    updated: tuple
    writes: tuple  # ((node, key, value), ...) in applied order
    next: tuple  # names of the tasks planned for the next superstep
    checkpoint: dict | None = None  # config of the checkpoint written, if any


@dataclass(frozen=True)
class CheckpointKept(Event):
    """A checkpoint was written to the thread's history (the input's, each superstep's, a fork's):
    LangGraph's "checkpoints" chunks. `tasks` are (id, name) of the tasks it plans, in snapshot order;
    `interrupts` those of them waiting at `interrupt()` (task id -> interrupts), as when a run resumes it."""

    config: dict
    parent_config: dict | None
    metadata: dict
    values: dict
    tasks: tuple
    interrupts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Interrupted(Event):
    """The run paused: by `interrupt()` in nodes, or at a breakpoint (`interrupt_before`/`after`)."""

    interrupts: tuple
    reason: str = "interrupt"  # "interrupt" | "before" | "after" | "breakpoint"
    nodes: tuple = ()
    # paused by interrupt(): the state with the writes of the superstep's finished tasks applied, when
    # they changed an output key (LangGraph's last "values" chunk); nothing is committed
    values: dict | None = None


@dataclass(frozen=True)
class Resumed(Event):
    """A run continues a thread (input None or a Command): `values` is its state as the run starts, after
    the Command's update."""

    values: dict


@dataclass(frozen=True)
class StepCancelled(Event):
    """The superstep was cancelled (the Debugger's Stop): nothing was applied; the tasks that had finished
    keep their results for the next try, `unfinished` will run again."""

    unfinished: tuple  # names of the tasks that had not finished


@dataclass(frozen=True)
class CustomWrite(Event):
    """A value passed to the function from `get_stream_writer()`."""

    node: str
    value: Any


@dataclass(frozen=True)
class MessageChunk(Event):
    """A piece of model output (or a `push_message`) streamed while task `task` runs."""

    chunk: Any
    metadata: dict = field(default_factory=dict)
    task: Any = None  # the engine's Task (None from the LangGraph adapter: its metadata is whole)


@dataclass(frozen=True)
class ModelCalled(Event):
    """A chat model answered a call made inside task `task_id` of `node`: what was asked, what came back
    (one line each), why (a reason the model gave, e.g. the offline model's rule) and the token usage."""

    node: str
    task_id: str
    model: str
    asked: str
    said: str
    reason: str | None = None
    usage: dict | None = None
    prompt: tuple = ()  # the messages sent, system prompt included


@dataclass(frozen=True)
class Nested(Event):
    """An event of a subgraph (a compiled graph used as a node), seen from the parent: `namespace` names
    the subgraph's task (`"<node>:<task id>"`, as LangGraph's checkpoint_ns does), `spec` is the subgraph's
    graph (to turn `event` into stream chunks), and `step` the parent's superstep."""

    namespace: str
    spec: Any
    event: Any


@dataclass(frozen=True)
class RunFinished(Event):
    values: dict


@dataclass(frozen=True)
class BatchProgress:
    """How far `batch` / `abatch` got, given to their `on_progress` callable: once at the start (`status`
    "started", `index` None, `done` 0), then once each time a run ends, with its input's `index`, its thread
    and how it ended: "done", "interrupted" (waiting at `interrupt()`) or "error" (with `error`)."""

    done: int
    total: int
    index: int | None = None
    status: str = "started"
    thread_id: str | None = None
    error: BaseException | None = None
