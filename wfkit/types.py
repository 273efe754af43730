"""The small value types users create or receive: Send, Command, Overwrite, Interrupt, StateSnapshot,
StateTask, and the StreamWriter hint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Literal, NamedTuple, Sequence, TypeVar

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
    """A pause surfaced by `interrupt(value)`; `id` names it for `Command(resume={id: value})`."""

    value: Any
    id: str = ""


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


@dataclass
class RetryPolicy:
    """How to retry a failed node (`add_node(..., retry_policy=)`) or task (`@task(retry_policy=)`): up to
    `max_attempts` calls in all, waiting `initial_interval` seconds, then `backoff_factor` times longer
    each time, and only for the exception types in `retry_on`."""

    max_attempts: int = 3
    initial_interval: float = 0.5
    backoff_factor: float = 2.0
    retry_on: type[BaseException] | Sequence[type[BaseException]] = Exception

    def retryable(self) -> tuple[type[BaseException], ...]:
        return tuple(self.retry_on) if isinstance(self.retry_on, (list, tuple)) else (self.retry_on,)

    def waits(self) -> list[float]:
        """The pause before each retry: one fewer than `max_attempts`."""
        return [self.initial_interval * self.backoff_factor ** i for i in range(max(self.max_attempts - 1, 0))]


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
