"""The small value types users create or receive: Send, Command, Overwrite, Interrupt, StateSnapshot,
StateTask, StateUpdate, the StreamWriter hint and the `StreamPart` dicts of `stream(version="v2")`."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Callable, Generic, Literal, NamedTuple, Sequence, TypeVar, Union

from typing_extensions import TypedDict

from wfkit.errors import ArgumentTypeError, ArgumentValueError, UnsupportedFeatureError

N = TypeVar("N")

# What a node, task or entrypoint gets in a parameter named `writer` (as in LangGraph, the name decides, the
# hint is for readers): each value it is called with streams out in mode "custom".
StreamWriter = Callable[[Any], None]


# When a run's checkpoints are written (`invoke(..., durability=)`), as in LangGraph: "sync" and "async"
# every superstep ("async" is the default; wfkit writes each before the next superstep starts either way),
# "exit" only the run's last one, when it finishes or pauses.
Durability = Literal["sync", "async", "exit"]


@dataclass(frozen=True)
class Send:
    """Run `node` in the next superstep with `arg` as its whole input (map-reduce fan-out)."""

    node: str
    arg: Any
    timeout: Any = field(default=None, compare=False, repr=False)  # LangGraph's; refused (see __post_init__)

    def __post_init__(self) -> None:
        if self.timeout is not None:
            TimeoutPolicy.coerce(self.timeout)  # a wrong value is refused as LangGraph refuses it
            raise UnsupportedFeatureError(
                f"Send({self.node!r}, ..., timeout=...): a timeout for one Send is not supported by wfkit; give the "
                f"node its timeout with add_node({self.node!r}, ..., timeout=...)")

    def __repr__(self) -> str:
        return f"Send(node={self.node!r}, arg={self.arg!r})"


@dataclass(frozen=True)
class Command(Generic[N]):
    """Returned by a node: apply `update` and go to `goto`. Passed to `invoke`: `resume` an interrupt.

    `goto` is a node name, a `Send`, or a sequence of them. `resume` is a single value (for the only pending
    interrupt) or a mapping `{interrupt_id: value}` when several are pending.
    """

    update: Any = None
    goto: Any = ()
    resume: Any = None
    graph: str | None = None

    PARENT = "__parent__"

    def __repr__(self) -> str:
        """Only the fields given, as LangGraph shows a Command: `Command(goto=Send(node='b', arg=1))`."""
        given = ", ".join(f"{f}={getattr(self, f)!r}" for f in ("update", "goto", "resume", "graph") if getattr(self, f))
        return f"Command({given})"

    def goto_list(self) -> list:
        if self.goto is None or self.goto == ():
            return []
        if isinstance(self.goto, (str, Send)):
            return [self.goto]
        return list(self.goto)


OVERWRITE = "__overwrite__"


@dataclass(frozen=True)
class Overwrite:
    """Returned as a key's value in an update: replace that key's value, bypassing its reducer, as in
    LangGraph (`{"messages": Overwrite([...])}`). At most one per key and superstep; writes to the key that
    come after it in the same superstep are dropped. Stored as `{"__overwrite__": value}`, a form LangGraph
    also reads as an overwrite."""

    value: Any
    type: str = OVERWRITE


def overwritten(value: Any) -> tuple[bool, Any]:
    """(True, the value to write) for an `Overwrite` or its dict forms; (False, None) for anything else."""
    cls = value.__class__
    if cls is Overwrite:
        return True, value.value
    if cls is dict and len(value) <= 2:
        if len(value) == 1 and OVERWRITE in value:
            return True, value[OVERWRITE]
        if value.get("type") == OVERWRITE and "value" in value:
            return True, value["value"]
    return False, None


@dataclass(frozen=True)
class Interrupt:
    """A pause surfaced by `interrupt(value)`; `id` names it for `Command(resume={id: value})`.
    `response_schema`: the JSON Schema (a dict) of the answer it expects, if `interrupt()` was given one, as
    in LangGraph (a form can be built from it; it is plain data, so it is stored with the checkpoint)."""

    value: Any
    id: str = ""
    response_schema: Any = field(default=None, kw_only=True, hash=False)  # a dict is not hashable


class StateTask(NamedTuple):
    """A task of a snapshot: planned to run next, or interrupted / failed in the unfinished superstep.
    A NamedTuple, as in LangGraph (and cheap to make by the thousand when listing a history)."""

    id: str
    name: str
    path: tuple = ()
    error: str | None = None
    interrupts: tuple = ()
    state: Any = None
    result: Any = None


PregelTask = StateTask  # LangGraph's name for a snapshot's task


class StateSnapshot(NamedTuple):
    """The state of a thread at one checkpoint (what `get_state` and `get_state_history` return)."""

    values: dict
    next: tuple
    config: dict
    metadata: dict | None
    created_at: str | None
    parent_config: dict | None
    tasks: tuple = ()
    interrupts: tuple = ()


def default_retry_on(error: Exception) -> bool:
    """LangGraph's default `RetryPolicy.retry_on`: retry what may pass on its own (a lost connection, an HTTP
    5xx from httpx or requests, an unknown exception type), not a programming error (`ValueError`,
    `TypeError`, `KeyError`, `RuntimeError`, `OSError`...)."""
    if isinstance(error, ConnectionError):
        return True
    status = _http_status(error)
    if status is not None:
        return status is True or 500 <= status < 600
    return not isinstance(error, (ValueError, TypeError, ArithmeticError, ImportError, LookupError, NameError,
                                  SyntaxError, RuntimeError, ReferenceError, StopIteration, StopAsyncIteration,
                                  OSError))


def _http_status(error: Exception) -> int | bool | None:
    """The status code of an httpx or requests HTTP error (True: a requests error without a response), or None
    for any other error. Read from the modules already imported: wfkit never imports them itself."""
    httpx, requests = sys.modules.get("httpx"), sys.modules.get("requests")
    if httpx is not None and isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code
    if requests is not None and isinstance(error, requests.HTTPError):
        return error.response.status_code if error.response else True
    return None


class RetryPolicy(NamedTuple):
    """How to retry a failed node (`add_node(..., retry_policy=)`) or task (`@task(retry_policy=)`), with
    LangGraph's fields and defaults: up to `max_attempts` calls in all, waiting `initial_interval` seconds,
    then `backoff_factor` times longer each time but never more than `max_interval`, plus a random 0-1 s
    when `jitter`; only when `retry_on` matches the error (an exception type, a sequence of them, or a
    predicate taking the error)."""

    initial_interval: float = 0.5
    backoff_factor: float = 2.0
    max_interval: float = 128.0
    max_attempts: int = 3
    jitter: bool = True
    retry_on: type[Exception] | Sequence[type[Exception]] | Callable[[Exception], bool] = default_retry_on

    def matches(self, error: Exception) -> bool:
        """Whether this policy retries `error`."""
        retry_on = self.retry_on
        if isinstance(retry_on, Sequence):
            return isinstance(error, tuple(retry_on))
        if isinstance(retry_on, type) and issubclass(retry_on, Exception):
            return isinstance(error, retry_on)
        if callable(retry_on):
            return bool(retry_on(error))
        raise ArgumentTypeError(
            f"RetryPolicy(retry_on={retry_on!r}): retry_on must be an Exception class, a list or tuple of "
            "Exception classes, or a callable taking the error and returning whether to retry")

    def wait(self, failures: int) -> float:
        """The pause before the next call after `failures` failed ones (1 for the first retry)."""
        import random  # (here: only a retry needs it, and `import wfkit` stays light)

        interval = min(self.max_interval, self.initial_interval * self.backoff_factor ** (failures - 1))
        return interval + random.uniform(0, 1) if self.jitter else interval


def _seconds(value: float | timedelta | None, name: str) -> float | None:
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if seconds <= 0:
        raise ArgumentValueError(
            f"TimeoutPolicy {name} must be greater than 0, got {value!r}: give the seconds a node attempt may "
            f"take, or None for no {name}")
    return seconds


@dataclass(frozen=True)
class TimeoutPolicy:
    """How long one attempt of a node or task may take (`add_node(..., timeout=)`, `@task(timeout=)`; a
    number of seconds there means `run_timeout`): `run_timeout` caps the attempt's wall-clock time,
    `idle_timeout` the time it goes without progress (with `refresh_on="auto"`, anything it streams or
    emits is progress). A timed-out attempt raises `NodeTimeoutError` (retryable by the default
    `RetryPolicy`) and what it would have written is dropped."""

    run_timeout: float | timedelta | None = None
    idle_timeout: float | timedelta | None = None
    refresh_on: Literal["auto", "heartbeat"] = "auto"

    @classmethod
    def coerce(cls, value: "float | timedelta | TimeoutPolicy | None") -> "TimeoutPolicy | None":
        """The policy for a `timeout=` argument, in seconds; None when it sets no limit."""
        if value is None:
            return None
        if not isinstance(value, TimeoutPolicy):
            if isinstance(value, bool) or not isinstance(value, (int, float, timedelta)):
                raise ArgumentTypeError(
                    f"timeout={value!r}: give a number of seconds, a timedelta or a TimeoutPolicy")
            value = cls(run_timeout=value)
        if value.refresh_on not in ("auto", "heartbeat"):
            raise ArgumentValueError(
                f"TimeoutPolicy(refresh_on={value.refresh_on!r}): refresh_on must be 'auto' or 'heartbeat'")
        run, idle = _seconds(value.run_timeout, "run_timeout"), _seconds(value.idle_timeout, "idle_timeout")
        if run is None and idle is None:
            return None
        return cls(run_timeout=run, idle_timeout=idle, refresh_on=value.refresh_on)


def default_cache_key(*args: Any, **kwargs: Any) -> str:
    """The cache key of a node's input or a task's arguments: their JSON text (wfkit's checkpoint encoding,
    so tuples, messages and models count), or their repr for what has no JSON form."""
    from wfkit.checkpoint.serde import JsonSerde
    from wfkit.errors import CheckpointError

    try:
        return JsonSerde().dumps([list(args), kwargs])
    except (CheckpointError, TypeError, ValueError):
        return repr((args, sorted(kwargs.items())))


@dataclass(frozen=True)
class CachePolicy:
    """Cache a node's (`add_node(..., cache_policy=)`) or task's (`@task(cache_policy=)`) result in the
    graph's cache (`compile(cache=InMemoryCache())`): a later call with the same key skips the function and
    reuses its writes. `key_func(input)` makes the key (default: the input's JSON); `ttl`: seconds it is kept
    (None: until cleared)."""

    key_func: Callable[..., str | bytes] = default_cache_key
    ttl: int | None = None


def ensure_sequence(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def model_writes(model: Any) -> list[tuple[str, Any]]:
    """What a pydantic state instance writes, as LangGraph does: every field, defaults included, except a
    field left at None without being set (`Model()` writes `x: int = 0`, not `z: int | None = None`;
    `Model(z=None)` writes z)."""
    fields_set = model.model_fields_set
    return [(k, value) for k in type(model).model_fields
            if (value := getattr(model, k)) is not None or k in fields_set]


class StateUpdate(NamedTuple):
    """One update of `bulk_update_state`: `values` written as if node `as_node` returned them (`task_id`:
    the id its writes are stored under; None makes one), as in LangGraph."""

    values: dict[str, Any] | None
    as_node: str | None = None
    task_id: str | None = None


# What `stream(..., version="v2")` yields: one dict per chunk, `type` its stream mode, `ns` the namespace of
# the graph it comes from (() for the graph streamed), `data` the chunk; a "values" part carries the
# interrupts apart from the state. TypedDicts, as LangGraph's: for readers and type checkers.
class ValuesStreamPart(TypedDict):
    type: Literal["values"]
    ns: tuple[str, ...]
    data: Any
    interrupts: tuple[Interrupt, ...]


class UpdatesStreamPart(TypedDict):
    type: Literal["updates"]
    ns: tuple[str, ...]
    data: dict[str, Any]


class MessagesStreamPart(TypedDict):
    type: Literal["messages"]
    ns: tuple[str, ...]
    data: tuple[Any, dict[str, Any]]


class CustomStreamPart(TypedDict):
    type: Literal["custom"]
    ns: tuple[str, ...]
    data: Any


class CheckpointStreamPart(TypedDict):
    type: Literal["checkpoints"]
    ns: tuple[str, ...]
    data: dict[str, Any]


class TasksStreamPart(TypedDict):
    type: Literal["tasks"]
    ns: tuple[str, ...]
    data: dict[str, Any]


class DebugStreamPart(TypedDict):
    type: Literal["debug"]
    ns: tuple[str, ...]
    data: dict[str, Any]


StreamPart = Union[ValuesStreamPart, UpdatesStreamPart, MessagesStreamPart, CustomStreamPart, CheckpointStreamPart,
                   TasksStreamPart, DebugStreamPart]


@dataclass(frozen=True)
class GraphOutput(Generic[N]):
    """What `invoke(..., version="v2")` returns: the run's output (`value`: a dict, or an instance of a
    pydantic or dataclass output schema) and the interrupts it waits at, as in LangGraph."""

    value: N
    interrupts: tuple[Interrupt, ...] = ()

    def __getitem__(self, key: str) -> Any:
        """The version-1 way still reads: `result["__interrupt__"]` or a key of the output."""
        if key == "__interrupt__":
            return self.interrupts
        return self.value[key] if isinstance(self.value, dict) else getattr(self.value, key)
