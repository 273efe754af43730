"""What code running inside a node can reach: its task, the stream writer, interrupts, the model hook.

The current task travels in a context variable, set by the executor around each node call (in the worker
thread for sync nodes, in the asyncio task for async ones), so parallel nodes never see each other's.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable
from typing import Any

from wfkit.engine.response_schema import adapter_for, checked, surfaced
from wfkit.errors import GraphInterrupt
from wfkit.types import Interrupt

_current: contextvars.ContextVar["TaskContext | None"] = contextvars.ContextVar("wfkit_task", default=None)
_nested_lock = threading.Lock()  # graphs a node's threads start at once are numbered one at a time


class TaskContext:
    """Per-task facilities: emit custom values and message chunks, pause with `interrupt()`.

    One is made per task, on the engine's hottest path: what every task needs is in slots, set by
    `__init__`; what only some tasks use (retries, timeouts, the functional API, subgraphs, the Runtime)
    starts as a class default and lands in the instance's `__dict__` when set.
    """

    __slots__ = ("node", "step", "task_id", "emit", "stream_messages", "resume_values", "interrupt_count",
                 "config", "task", "take_answer", "loop", "parent_owner", "started", "__dict__")

    calls: Any = None  # the functional API's bookkeeping of an entrypoint's @task calls
    nested_runs = 0  # graphs this task has run as subgraphs so far
    pushed: list | None = None  # state writes made while it runs (`push_message`), before its return's
    # its `Runtime` (see wfkit.runtime.task_runtime, made when first asked for), and the try under its
    # RetryPolicy (1-based); `started` (set by __init__) is when the first one started
    runtime: Any = None
    attempt = 1
    beat: Any = None  # in a timed attempt: what `runtime.heartbeat()` calls (see engine.retry)
    closed = False  # set when the attempt running in this context timed out: it may store nothing more

    def __init__(self, node: str, step: int, task_id: str, emit: Callable[[Any], None], stream_messages: bool = False,
                 resume_values: Any = (), config: dict | None = None, task: Any = None, loop: Any = None,
                 parent_owner: "TaskContext | None" = None, take_answer: Callable[[str], list] | None = None):
        self.node, self.step, self.task_id, self.emit = node, step, task_id, emit
        self.stream_messages = stream_messages
        self.resume_values = resume_values
        self.interrupt_count = 0
        self.config = config if config is not None else {}
        self.task = task  # the engine's Task this context runs
        self.loop = loop  # the Loop running it (the functional API reads its history and listeners)
        # in a subgraph: the outermost parent task, whose interrupt() calls these are
        self.parent_owner = parent_owner
        self.started = time.time()
        # the run's answer given to no interrupt in particular (`Command(resume=value)`): the first
        # interrupt() without an answer of its own takes it; `take_answer(task_id)` gives [value] or []
        self.take_answer = take_answer

    def copy(self, **changes: Any) -> "TaskContext":
        """This context with `changes` (a timed attempt's own: see `engine.retry`)."""
        other = object.__new__(TaskContext)
        for name in TaskContext.__slots__[:-1]:  # (all but `__dict__`: its entries are copied below)
            setattr(other, name, getattr(self, name))
        for name, value in {**self.__dict__, **changes}.items():
            setattr(other, name, value)
        return other

    def write_custom(self, value: Any) -> None:
        from wfkit.engine.events import CustomWrite

        self.emit(CustomWrite(self.step, self.node, value))

    def emit_message_chunk(self, chunk: Any, metadata: dict | None = None) -> None:
        from wfkit.engine.events import MessageChunk

        meta = {"langgraph_node": self.node, "langgraph_step": self.step}
        meta.update(metadata or {})
        self.emit(MessageChunk(self.step, chunk, meta, self.task))


    @property
    def owner(self) -> "TaskContext":
        """The task whose `interrupt()` calls these are: this one, or in a subgraph the outermost parent's."""
        return self.parent_owner if self.parent_owner is not None else self

    def nested_namespace(self, stable: bool = False) -> str:
        """The namespace of a graph run inside this task (a subgraph), as LangGraph names it: `"<node>:<task
        id>"` (only `"<node>"` for a subgraph compiled with checkpointer=True), and `"...|<n>"` for the n-th
        further graph this task runs (0-based)."""
        with _nested_lock:
            n, self.nested_runs = self.nested_runs, self.nested_runs + 1
        namespace = self.node if stable else f"{self.node}:{self.task_id}"
        return f"{namespace}|{n}" if n else namespace

    def nested_listener(self, spec: Any, namespace: str) -> Callable[[Any], None]:
        """A listener for a graph run inside this task under `namespace` (see `nested_namespace`): it hands
        each of the subgraph's events to this task's run, wrapped in `Nested`."""
        from wfkit.engine.events import Nested

        def forward(event: Any) -> None:
            self.emit(Nested(self.step, namespace, spec, event))

        return forward

    def model_called(self, model: str, asked: str, said: str, reason: str | None, usage: dict | None,
                     prompt: tuple = ()) -> None:
        """Tell the run's listeners (the Debugger) that a model answered a call made in this task (`prompt`:
        the messages it was sent)."""
        from wfkit.engine.events import ModelCalled

        self.emit(ModelCalled(self.step, self.node, self.task_id, model, asked, said, reason, usage, prompt))


def current_task() -> TaskContext | None:
    """The task this code runs in, or None outside a graph run."""
    return _current.get()


def set_current(ctx: TaskContext | None) -> contextvars.Token:
    return _current.set(ctx)


def reset_current(token: contextvars.Token) -> None:
    _current.reset(token)


def get_stream_writer() -> Callable[[Any], None]:
    """Inside a node or task: a function whose arguments stream out in mode "custom" (a no-op outside)."""
    ctx = _current.get()
    if ctx is None:
        return lambda value: None
    return ctx.write_custom


def get_store() -> Any:
    """Inside a node or task: the graph's store (`compile(store=...)`), or None when it has none."""
    ctx = _current.get()
    if ctx is None:
        raise RuntimeError("get_store() was called outside a running graph; call it from inside a node")
    return ctx.loop.options.store if ctx.loop is not None else None


def get_config() -> dict:
    """Inside a node: the run's config."""
    ctx = _current.get()
    if ctx is None:
        raise RuntimeError("get_config() was called outside a running graph; call it from inside a node")
    return ctx.config


def interrupt(value: Any, *, response_schema: Any = None) -> Any:
    """Pause the run and surface `value` to the caller; on resume, return the value given with
    `Command(resume=...)`. The node runs again from its start, and its n-th `interrupt()` call returns the
    n-th resume value; a value given to no interrupt id in particular goes to the first call left without
    one (as in LangGraph, also after a Command(update=...) made the node skip an earlier call). Inside a
    subgraph with checkpoints of its own (see `engine.nested`) the interrupt is its task's, and the parent's
    task pauses with it; inside one without (its parent has no checkpointer, or it was compiled with
    checkpointer=False) it belongs to the parent's task: the whole subgraph runs again on resume, its calls
    matched by order the same way.

    `response_schema`: the answer's type (a pydantic model, TypedDict, dataclass: the answer is validated
    and returned as that type, or AnswerSchemaError leaves the interrupt waiting) or a JSON Schema dict
    (shown, not validated); see `engine.response_schema`."""
    adapter = adapter_for(response_schema)
    ctx = _current.get()
    if ctx is None:
        raise RuntimeError("interrupt() was called outside a running graph; call it from inside a node")
    ctx = ctx.owner
    index = ctx.interrupt_count
    ctx.interrupt_count += 1
    if index < len(ctx.resume_values):
        return checked(adapter, ctx.resume_values[index], ctx.task_id, response_schema)
    answer = ctx.take_answer(ctx.task_id) if ctx.take_answer is not None else ()
    if answer:
        return checked(adapter, answer[0], ctx.task_id, response_schema)
    raise GraphInterrupt([Interrupt(value=value, id=ctx.task_id, response_schema=surfaced(response_schema, adapter))])


def push_message(message: Any, *, state_key: str | None = "messages") -> Any:
    """Inside a node: send a finished message to the "messages" stream now, and (unless `state_key` is
    None) write it to that state key with the node's other updates, as LangGraph's. It must have an `id`."""
    from wfkit.messages import _to_message  # (messages are needed only when this is called)

    task = current_task()
    if task is None:
        raise RuntimeError("push_message() was called outside a running graph; call it from inside a node")
    message = _to_message(message)
    if message.id is None:
        raise ValueError(f"Message ID is required: push_message() needs a message with an `id` (the stream "
                         f"and the state key it by), got {message!r}; give it one, e.g. AIMessage(..., id='reply-1')")
    if task.stream_messages:
        task.emit_message_chunk(message)
    if state_key:
        task.pushed = [*(task.pushed or ()), (state_key, message)]
    return message
