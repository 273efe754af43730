"""The small value types users create or receive: Send, Command, Interrupt, StateSnapshot, StateTask."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, Sequence, TypeVar

N = TypeVar("N")


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

    def goto_list(self) -> list:
        if self.goto is None or self.goto == ():
            return []
        if isinstance(self.goto, (str, Send)):
            return [self.goto]
        return list(self.goto)


@dataclass(frozen=True)
class Interrupt:
    """A pause surfaced by `interrupt(value)`; `id` names it for `Command(resume={id: value})`."""

    value: Any
    id: str = ""


@dataclass(frozen=True)
class StateTask:
    """A task of a snapshot: planned to run next, or interrupted / failed in the unfinished superstep."""

    id: str
    name: str
    path: tuple = ()
    error: str | None = None
    interrupts: tuple[Interrupt, ...] = ()
    state: Any = None
    result: Any = None


@dataclass(frozen=True)
class StateSnapshot:
    """The state of a thread at one checkpoint (what `get_state` and `get_state_history` return)."""

    values: dict[str, Any]
    next: tuple[str, ...]
    config: dict[str, Any]
    metadata: dict[str, Any] | None
    created_at: str | None
    parent_config: dict[str, Any] | None
    tasks: tuple[StateTask, ...] = ()
    interrupts: tuple[Interrupt, ...] = field(default=())


@dataclass
class RetryPolicy:
    """Accepted for LangGraph compatibility in `add_node(..., retry_policy=)`: retry a failed node."""

    max_attempts: int = 3
    initial_interval: float = 0.5
    backoff_factor: float = 2.0
    retry_on: type[BaseException] | Sequence[type[BaseException]] = Exception


def ensure_sequence(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]
