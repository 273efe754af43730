"""What code running inside a node can reach: its task, the stream writer, interrupts, the model hook.

The current task travels in a context variable, set by the executor around each node call (in the worker
thread for sync nodes, in the asyncio task for async ones), so parallel nodes never see each other's.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from wfkit.errors import GraphInterrupt
from wfkit.types import Interrupt

_current: contextvars.ContextVar["TaskContext | None"] = contextvars.ContextVar("wfkit_task", default=None)
# Inside a compiled graph used as a node: the parent's task, which owns the subgraph's interrupts.
_owner: contextvars.ContextVar["TaskContext | None"] = contextvars.ContextVar("wfkit_interrupt_owner", default=None)


class TaskContext:
    """Per-task facilities: emit custom values and message chunks, pause with `interrupt()`.

    A plain class with slots: one is made per task, on the engine's hottest path.
    """

    __slots__ = ("node", "step", "task_id", "emit", "stream_messages", "resume_values", "interrupt_count",
                 "config", "_extras", "_base_extras", "task", "take_answer")

    def __init__(self, node: str, step: int, task_id: str, emit: Callable[[Any], None], stream_messages: bool = False,
                 resume_values: Any = (), config: dict | None = None, extras: dict | None = None, task: Any = None):
        self.node, self.step, self.task_id, self.emit = node, step, task_id, emit
        self.stream_messages = stream_messages
        self.resume_values = resume_values
        self.interrupt_count = 0
        self.config = config if config is not None else {}
        self._base_extras = extras
        self._extras: dict | None = None
        self.task = task
        # the run's answer given to no interrupt in particular (`Command(resume=value)`): the first
        # interrupt() without an answer of its own takes it; `take_answer(task_id)` gives [value] or []
        self.take_answer: Callable[[str], list] | None = None

    @property
    def extras(self) -> dict:
        """Room for the functional API (the loop, this task, task-call bookkeeping); made on first use."""
        if self._extras is None:
            self._extras = dict(self._base_extras or {}, task=self.task)
        return self._extras

    def write_custom(self, value: Any) -> None:
        from wfkit.engine.events import CustomWrite

        self.emit(CustomWrite(self.step, self.node, value))

    def emit_message_chunk(self, chunk: Any, metadata: dict | None = None) -> None:
        from wfkit.engine.events import MessageChunk

        meta = {"langgraph_node": self.node, "langgraph_step": self.step, "node": self.node, "step": self.step}
        meta.update(metadata or {})
        self.emit(MessageChunk(self.step, chunk, meta))


    def model_called(self, model: str, asked: str, said: str, reason: str | None, usage: dict | None) -> None:
        """Tell the run's listeners (the Debugger) that a model answered a call made in this task."""
        from wfkit.engine.events import ModelCalled

        self.emit(ModelCalled(self.step, self.node, self.task_id, model, asked, said, reason, usage))


def current_task() -> TaskContext | None:
    """The task this code runs in, or None outside a graph run."""
    return _current.get()


def set_current(ctx: TaskContext | None) -> contextvars.Token:
    return _current.set(ctx)


def reset_current(token: contextvars.Token) -> None:
    _current.reset(token)


def owning_interrupts(ctx: TaskContext | None) -> contextvars.Token:
    """Make `ctx` (the parent's task) the owner of every `interrupt()` until the token is reset; an owner
    already set (a subgraph inside a subgraph) stays the owner."""
    return _owner.set(_owner.get() or ctx)


def release_interrupts(token: contextvars.Token) -> None:
    _owner.reset(token)


def get_stream_writer() -> Callable[[Any], None]:
    """Inside a node or task: a function whose arguments stream out in mode "custom" (a no-op outside)."""
    ctx = _current.get()
    if ctx is None:
        return lambda value: None
    return ctx.write_custom


def get_config() -> dict:
    """Inside a node: the run's config."""
    ctx = _current.get()
    if ctx is None:
        raise RuntimeError("get_config() was called outside a running graph; call it from inside a node")
    return ctx.config


def interrupt(value: Any) -> Any:
    """Pause the run and surface `value` to the caller; on resume, return the value given with
    `Command(resume=...)`. The node runs again from its start, and its n-th `interrupt()` call returns the
    n-th resume value; a value given to no interrupt id in particular goes to the first call left without
    one (as in LangGraph, also after a Command(update=...) made the node skip an earlier call). Inside a subgraph (a compiled graph used as a node) the interrupt belongs to the
    parent's task: the whole subgraph runs again on resume, its calls matched by order the same way."""
    ctx = _owner.get() or _current.get()
    if ctx is None:
        raise RuntimeError("interrupt() was called outside a running graph; call it from inside a node")
    index = ctx.interrupt_count
    ctx.interrupt_count += 1
    if index < len(ctx.resume_values):
        return ctx.resume_values[index]
    answer = ctx.take_answer(ctx.task_id) if ctx.take_answer is not None else ()
    if answer:
        return answer[0]
    raise GraphInterrupt([Interrupt(value=value, id=ctx.task_id)])
