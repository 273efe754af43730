"""`Runtime`: what a run gives its nodes and tasks besides the state (LangGraph's `langgraph.runtime`).

A run has one run-level `Runtime` (its `context`, the graph's `store`, `server_info`, the `RunControl`),
built by `run_runtime` when the run starts and kept on its `RunOptions`; a subgraph's run starts from its
parent's. Each task sees it completed with its own `stream_writer` and `execution_info` (`task_runtime`,
made once per task, when asked for): a node's `runtime` parameter gets it, as does `get_runtime()`.
`context=` given as a dict is coerced into the graph's `context_schema` (a dataclass or a pydantic model;
a TypedDict's value is the dict itself), as LangGraph does.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from wfkit.constants import join_ns
from wfkit.errors import ContextError, GraphDrained

ContextT = TypeVar("ContextT")


@dataclass(frozen=True, slots=True)
class ExecutionInfo:
    """Read-only facts about the current node run: its checkpoint, namespace, task, thread and attempt."""

    checkpoint_id: str
    checkpoint_ns: str
    task_id: str
    thread_id: str | None = None  # None without a checkpointer
    run_id: str | None = None  # the config's `run_id`, if it has one
    node_attempt: int = 1  # 1-based: the n-th try under the node's RetryPolicy
    node_first_attempt_time: float | None = None  # time.time() when the first try started

    def patch(self, **overrides: Any) -> "ExecutionInfo":
        """A copy with the given fields replaced."""
        return replace(self, **overrides)


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What LangGraph Server sets (read from the config's `configurable`: `assistant_id`, `graph_id`,
    `langgraph_auth_user`); None when those are absent."""

    assistant_id: str
    graph_id: str
    user: Any = None


class RunControl:
    """Asks a run to stop cleanly: after `request_drain()` (from a node, or any thread) the run finishes its
    current superstep, stores its checkpoint and raises `GraphDrained`; `invoke(None, config)` on the same
    thread carries on from there. Pass one with `invoke(..., control=RunControl())`; one per run."""

    __slots__ = ("_drain_reason",)

    def __init__(self) -> None:
        self._drain_reason: str | None = None

    def request_drain(self, reason: str = "shutdown") -> None:
        self._drain_reason = reason

    @property
    def drain_requested(self) -> bool:
        return self._drain_reason is not None

    @property
    def drain_reason(self) -> str | None:
        return self._drain_reason


def _no_op_stream_writer(_: Any) -> None:
    return None


def _no_op_heartbeat() -> None:
    return None


@dataclass(kw_only=True, slots=True, frozen=True)
class Runtime(Generic[ContextT]):
    """What a node or task gets as its `runtime` parameter (or from `get_runtime()`): the run's `context`,
    the graph's `store`, the task's `stream_writer` (the same as `get_stream_writer()`), `previous` (the
    Functional API's last return on this thread), and `execution_info`. The config is not in it: take a
    `config` parameter, or call `get_config()`."""

    context: ContextT = field(default=None)  # type: ignore[assignment]
    store: Any = field(default=None)
    stream_writer: Callable[[Any], None] = field(default=_no_op_stream_writer)
    heartbeat: Callable[[], None] = field(default=_no_op_heartbeat)
    previous: Any = field(default=None)
    execution_info: ExecutionInfo | None = field(default=None)
    server_info: ServerInfo | None = field(default=None)
    control: RunControl | None = field(default=None)

    def merge(self, other: "Runtime[ContextT]") -> "Runtime[ContextT]":
        """`other`, with this runtime's values where `other` has none (LangGraph's rule: falsy is none)."""
        return Runtime(
            context=other.context or self.context,
            store=other.store or self.store,
            stream_writer=(self.stream_writer if other.stream_writer is _no_op_stream_writer
                           else other.stream_writer),
            heartbeat=self.heartbeat if other.heartbeat is _no_op_heartbeat else other.heartbeat,
            previous=self.previous if other.previous is None else other.previous,
            execution_info=other.execution_info or self.execution_info,
            server_info=other.server_info or self.server_info,
            control=other.control or self.control,
        )

    def override(self, **overrides: Any) -> "Runtime[ContextT]":
        """A copy with the given fields replaced."""
        return replace(self, **overrides)

    def patch_execution_info(self, **overrides: Any) -> "Runtime[ContextT]":
        """A copy whose `execution_info` has the given fields replaced."""
        if self.execution_info is None:
            raise RuntimeError("Runtime.patch_execution_info(): this runtime has no execution_info yet; it is "
                               "set for each task when the graph runs it")
        return replace(self, execution_info=self.execution_info.patch(**overrides))

    @property
    def drain_requested(self) -> bool:
        return self.control.drain_requested if self.control is not None else False

    @property
    def drain_reason(self) -> str | None:
        return self.control.drain_reason if self.control is not None else None


DEFAULT_RUNTIME: Runtime = Runtime()


def get_runtime(context_schema: Any = None) -> Runtime:
    """Inside a node or task: its `Runtime` (`context_schema` only types the result, as in LangGraph)."""
    from wfkit.engine.context import current_task

    ctx = current_task()
    if ctx is None:
        raise RuntimeError("get_runtime() was called outside a running graph; call it from inside a node or "
                           "task, or take a `runtime` parameter there")
    return task_runtime(ctx)


def injections(names: tuple[str, ...]) -> dict[str, Any]:
    """The keyword arguments a node, task or entrypoint taking `names` (of `engine.spec.INJECTED`) gets: the
    stream writer, the graph's store, the task's Runtime."""
    from wfkit.engine.context import get_store, get_stream_writer

    return {name: get_stream_writer() if name == "writer" else get_store() if name == "store" else get_runtime()
            for name in names}


# -- building the run's and the task's runtime (the engine calls these) --------------------------------
def coerce_context(schema: Any, context: Any) -> Any:
    """`context` as the graph's `context_schema` wants it: a dict becomes the dataclass or pydantic model
    (a TypedDict's value is the dict itself); anything else is taken as given."""
    if context is None or schema is None or not isinstance(context, dict):
        return context
    if dataclasses.is_dataclass(schema):
        fields = [f for f in dataclasses.fields(schema) if f.init]
        names = [f.name for f in fields]
        unknown = [k for k in context if k not in names]
        if unknown:
            raise ContextError(f"context has {_listed(unknown)}, which `{schema.__name__}` (the graph's "
                               f"context_schema) has no field for; its fields are {_listed(names)}")
        missing = [f.name for f in fields if f.name not in context and f.default is dataclasses.MISSING
                   and f.default_factory is dataclasses.MISSING]
        if missing:
            raise ContextError(f"context lacks {_listed(missing)}, required by `{schema.__name__}` (the graph's "
                               f"context_schema): pass e.g. context={{{', '.join(repr(m) + ': ...' for m in missing)}}}")
        return schema(**context)
    if hasattr(schema, "model_validate"):  # pydantic: its ValidationError names the model and each field
        return schema.model_validate(context)
    return context


def _listed(names: list) -> str:
    return ", ".join(f"`{n}`" for n in names)


def run_runtime(context_schema: Any, context: Any, store: Any, config: dict | None, control: RunControl | None,
                parent: Any = None) -> Runtime:
    """The run-level runtime of a run of a graph (`parent`: the TaskContext running it as a subgraph)."""
    configurable = (config or {}).get("configurable") or {}
    inherited = parent_runtime(parent, configurable)
    own = Runtime(context=coerce_context(context_schema, context), store=store,
                  server_info=_server_info(configurable),
                  control=control or inherited.control or RunControl())
    return inherited.merge(own)


def parent_runtime(parent: Any, configurable: dict) -> Runtime:
    """The runtime a run starts from: its parent task's (a subgraph), else one a caller put in the config
    under LangGraph's key (any object with `context` and `store` is taken), else the default."""
    if parent is not None:
        return task_runtime(parent)
    given = configurable.get("__pregel_runtime")
    if given is None:
        return DEFAULT_RUNTIME
    if isinstance(given, Runtime):
        return given
    return Runtime(context=getattr(given, "context", None), store=getattr(given, "store", None))


def _server_info(configurable: dict) -> ServerInfo | None:
    assistant, graph = configurable.get("assistant_id"), configurable.get("graph_id")
    if assistant is None and graph is None:
        return None
    return ServerInfo(assistant_id=assistant, graph_id=graph, user=configurable.get("langgraph_auth_user"))


def task_runtime(ctx: Any) -> Runtime:
    """The runtime of the task `ctx` runs (made on first use, then kept on it)."""
    made = ctx.runtime
    if made is not None:
        return made
    loop = ctx.loop
    base = getattr(loop.options, "runtime", None) if loop is not None else None
    made = (base or DEFAULT_RUNTIME).override(stream_writer=ctx.write_custom, execution_info=_execution_info(ctx),
                                              **({"heartbeat": ctx.beat} if ctx.beat is not None else {}))
    ctx.runtime = made
    return made


def _execution_info(ctx: Any) -> ExecutionInfo:
    loop = ctx.loop
    history = getattr(loop, "history", None)
    outer = history.ns if history is not None else ""
    here = f"{ctx.node}:{ctx.task_id}"
    configurable = ctx.config.get("configurable") or {}
    return ExecutionInfo(
        checkpoint_id=(getattr(loop, "checkpoint_id", None) or ""),
        checkpoint_ns=join_ns(outer, here),
        task_id=ctx.task_id,
        thread_id=loop.options.thread_id if history is not None else None,
        run_id=ctx.config.get("run_id", configurable.get("run_id")),
        node_attempt=ctx.attempt,
        node_first_attempt_time=ctx.started,
    )


def check_drain(control: RunControl | None) -> None:
    """Raise `GraphDrained` if the run was asked to drain (called before each superstep runs)."""
    if control is not None and control._drain_reason is not None:
        raise GraphDrained(control._drain_reason)


__all__ = ["DEFAULT_RUNTIME", "ExecutionInfo", "RunControl", "Runtime", "ServerInfo", "get_runtime"]
