"""Managed values: state keys that no node writes and the checkpoint does not keep; the engine gives each
task their value when it builds the task's input (as LangGraph's `langgraph.managed`).

`remaining_steps: RemainingSteps` in a state schema is the number of supersteps the run may still execute
after the one running now (`recursion_limit` minus the supersteps run so far, counted as LangGraph does): a
node or router can stop a loop cleanly before `GraphRecursionError`.
"""

from __future__ import annotations

from typing import Annotated, Any

from typing_extensions import get_args, get_origin


class Managed:
    """The marker a managed key's annotation carries; `name` says which value the engine computes."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"Managed({self.name!r})"


REMAINING_STEPS = Managed("remaining_steps")

RemainingSteps = Annotated[int, REMAINING_STEPS]


def managed_of(annotation: Any) -> Managed | None:
    """The managed value an annotation declares, or None for an ordinary key."""
    if get_origin(annotation) is Annotated:
        return next((m for m in get_args(annotation)[1:] if isinstance(m, Managed)), None)
    return None


def remaining_steps(step: int, stop: int) -> int:
    """Superstep `step` may be followed by this many more before `stop`, the last the run allows."""
    return stop - step


__all__ = ["RemainingSteps"]


def with_managed(spec: Any, values: dict, step: int, stop: int) -> dict:
    """`values` with the graph's managed keys added, as the tasks of superstep `step` see them."""
    out = dict(values)
    for key, manager in spec.managed.items():
        if manager is REMAINING_STEPS:
            out[key] = remaining_steps(step, stop)
    return out
