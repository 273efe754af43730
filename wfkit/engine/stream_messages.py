"""The "messages" stream mode as LangGraph's `StreamMessagesHandler` gives it, as a projection of loop events.

Two sources, in one stream: the message chunks models (and `push_message`) hand to the run while a node
runs, and the messages a node WRITES to the state (a state key's value that is a message, or a list holding
messages, in what it returns, Commands included). A written message already streamed (its id was a
chunk's) or already in the node's input is left out: the `seen` ids, shared by a stream and its subgraphs'
chunkers, as LangGraph's handler keeps them; an id-less written message gets an id, as LangGraph gives it
(before the reducer stores it, so the state keeps the id the stream showed).

Each chunk's metadata is LangGraph's: the run's `config["metadata"]` and the `configurable` values
LangGraph copies into it (`PROPAGATED`), then `langgraph_step`, `langgraph_node`, `langgraph_triggers`,
`langgraph_path` and `langgraph_checkpoint_ns` of the task; a written message's also
`"ls_integration": "langgraph"`. In a subgraph `checkpoint_ns` names the subgraph's namespace.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from wfkit._ids import new_id
from wfkit.constants import NS_LEVEL, PUSH, START
from wfkit.engine.algo import task_path
from wfkit.engine.events import MessageChunk, TaskFinished, TaskStarted
from wfkit.engine.spec import GraphSpec
from wfkit.messages import BaseMessage

# the `configurable` values LangGraph 1.2 copies into the stream metadata (when set and not in the metadata)
PROPAGATED = ("thread_id", "checkpoint_id", "checkpoint_ns", "task_id", "run_id", "assistant_id", "graph_id")


def base_metadata(config: dict | None) -> dict:
    """What every "messages" chunk's metadata starts with for a run given `config`."""
    config = config or {}
    metadata = dict(config.get("metadata") or {})
    configurable = config.get("configurable") or {}
    for key in PROPAGATED:
        value = configurable.get(key)
        if value and key not in metadata:
            metadata[key] = value
    return metadata


class MessagesMode:
    """The "messages" chunks of one graph level of a stream: `put(chunk)` gets each `(message, metadata)`;
    `prefix` is the level's namespace (empty for the graph streamed); `seen` the stream's ids of messages
    shown or given to its nodes, shared by its levels."""

    def __init__(self, spec: GraphSpec, put: Callable[[Any], None], base: dict, seen: set, prefix: tuple = ()):
        self.spec, self.put, self.seen, self.prefix = spec, put, seen, prefix
        self.base = {**base, "checkpoint_ns": NS_LEVEL.join(prefix)} if prefix else base

    def nested(self, spec: GraphSpec, put: Callable[[Any], None], prefix: tuple) -> "MessagesMode":
        return MessagesMode(spec, put, self.base, self.seen, prefix)

    def __call__(self, event: Any) -> None:
        cls = event.__class__
        if cls is MessageChunk:
            task = getattr(event, "task", None)
            meta = {**self._task_metadata(task, event.step), **event.metadata} if task is not None else event.metadata
            message = event.chunk
            if isinstance(message, BaseMessage) and message.id is not None:
                self.seen.add(message.id)
            self.put((message, meta))
        elif cls is TaskStarted:
            if event.task.name != START:
                for message in _messages_in_state(event.task.input):
                    if message.id is not None:
                        self.seen.add(message.id)
        elif cls is TaskFinished:
            if event.task.name == START or event.error is not None or event.interrupts or event.cached:
                return
            meta = None
            for _, value in event.writes:
                for message in _messages_in(value):
                    if message.id in self.seen:
                        continue
                    if message.id is None:
                        message.id = new_id("msg")  # as LangGraph does: the state keeps the id streamed
                    self.seen.add(message.id)
                    if meta is None:
                        meta = {**self.base, "ls_integration": "langgraph", **self._task_metadata(event.task, event.step)}
                    self.put((message, meta))

    def _task_metadata(self, task: Any, step: int) -> dict:
        path = task_path(task.kind, task.index, task.name)
        return {**self.base, "langgraph_step": step, "langgraph_node": task.name,
                "langgraph_triggers": task_triggers(self.spec, task), "langgraph_path": path,
                "langgraph_checkpoint_ns": NS_LEVEL.join((*self.prefix, f"{task.name}:{task.id}"))}


def task_triggers(spec: GraphSpec, task: Any) -> tuple[str, ...]:
    """A task's triggers in LangGraph's channel names: `__pregel_push` for a Send, else the node's trigger
    channels, `branch:to:<node>` and `join:<a>+<b>:<node>` for each join into it."""
    if task.kind == "push":
        return (PUSH,)
    joins = [f"join:{'+'.join(j.sources)}:{task.name}" for j in spec.joins if j.target == task.name]
    return tuple(sorted([f"branch:to:{task.name}", *joins]))


def _messages_in(value: Any) -> list:
    """The messages a written value holds (it, or those in a list or tuple of it), as LangGraph looks for them."""
    if isinstance(value, BaseMessage):
        return [value]
    if isinstance(value, (list, tuple)):
        return [item for item in value if isinstance(item, BaseMessage)]
    return []


def _messages_in_state(value: Any) -> list:
    """The messages in each top-level value of a node's input (a dict, a pydantic model or a dataclass)."""
    if isinstance(value, dict):
        values = value.values()
    elif hasattr(value, "model_fields_set"):
        values = [getattr(value, name) for name in type(value).model_fields]
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        values = [getattr(value, f.name) for f in dataclasses.fields(value)]
    else:
        return []
    return [m for v in values for m in _messages_in(v)]
