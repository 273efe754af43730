"""The small value types users create or receive: Send, Command, Interrupt, StateSnapshot, StateTask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, Sequence, TypeVar

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
