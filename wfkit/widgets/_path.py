"""What the picture says about the way a run went: the path taken so far, the routes chosen and not taken,
the Send tasks of a superstep, the joins still waiting.

Everything is computed from the supersteps on one lineage (oldest first), each given as a `Step`: the names
that ran and the tasks with their typed triggers. Pure functions over the stepping API's records, shared by
the Debugger, `Compare` and `export_html`; no ipywidgets here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from wfkit._secrets import redact
from wfkit.constants import END, START
from wfkit.engine.events import Trigger
from wfkit.widgets._format import short
from wfkit.widgets._why import taken_edges

SEND_INPUTS_SHOWN = 4  # the picture lists this many Send inputs of one node, then says how many more


@dataclass(frozen=True)
class Step:
    """One point of a lineage: the nodes that ran there (`(START,)` for the input) and their tasks."""

    names: tuple[str, ...]
    tasks: tuple = ()

    @classmethod
    def of(cls, record: Any) -> "Step":
        """The step of a `StepRecord`."""
        return cls(tuple(t.name for t in record.tasks), tuple(record.tasks))


def edges_taken(steps: Sequence[Step], edges: Collection[tuple[str, str]]) -> list[tuple[tuple[str, str], ...]]:
    """For each step, the drawn edges its tasks came along (the input's: none). An edit between two steps
    runs nothing: the step after it came from the nodes that ran before the edit."""
    out, previous = [], ()
    for step in steps:
        out.append(taken_edges(step.tasks, previous, edges))
        if step.names:
            previous = step.names
    return out


def path_marks(steps: Sequence[Step], next_names: Iterable[str], edges: Collection[tuple[str, str]],
               conditional: Collection[tuple[str, str]], *, finished: bool = False) -> dict[str, tuple]:
    """GraphView marks for the last of `steps`: `path_edges` (every edge taken up to it, with how often),
    `next_edges` (the edges from what ran there to what runs next: the route just chosen), `not_taken`
    (conditional edges of a router that has chosen, never taken on this path) and `sends` (the Send tasks
    of the last step, with their inputs). `finished`: nothing runs next, so the edges from the last step's
    nodes to the end were taken."""
    per_step = edges_taken(steps, edges)
    counts: Counter = Counter(edge for taken in per_step for edge in taken)
    last = next((step.names for step in reversed(steps) if step.names), ())
    next_names = tuple(next_names)
    if finished:
        for name in dict.fromkeys(last):
            if (name, END) in edges:
                counts[(name, END)] += 1
        next_edges: tuple = ()
    else:
        next_edges = tuple(dict.fromkeys((a, b) for a in last for b in next_names if (a, b) in edges))
    chosen = set(counts) | set(next_edges)
    routers = {a for a, _ in chosen}  # a node whose route is known (taken, or planned next)
    not_taken = tuple(e for e in _ordered(edges) if e in conditional and e[0] in routers and e not in chosen)
    path = tuple((a, b, n) for (a, b), n in counts.items())
    return {"path_edges": path, "next_edges": next_edges, "not_taken": not_taken,
            "sends": send_marks(steps[-1].tasks if steps else ())}


def _ordered(edges: Collection[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(edges) if isinstance(edges, (list, tuple, dict)) else sorted(edges)


def send_marks(tasks: Iterable) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`(node, (input, ...))` for each node that ran as Send tasks, each input in one short line."""
    inputs: dict[str, list[str]] = {}
    for task in tasks:
        if any(Trigger.of(t).kind == "send" for t in task.triggers):
            inputs.setdefault(task.name, []).append(input_text(task.input))
    return tuple((name, tuple(texts)) for name, texts in inputs.items())


def input_text(value: Any, limit: int = 40) -> str:
    """A task's input in one line: a dict as `key: value, ...`; secrets redacted."""
    if isinstance(value, dict):
        text = ", ".join(f"{k}: {_plain(v, limit)}" for k, v in value.items())
    else:
        text = _plain(value, limit)
    text = " ".join(text.split())
    return redact(text if len(text) <= limit else text[: limit - 1] + "…")


def _plain(value: Any, limit: int) -> str:
    return value if isinstance(value, str) else short(value, limit)


def names_text(tasks: Iterable) -> str:
    """The nodes of a superstep in words, Send tasks counted: `orchestrator`, `llm_call ×3 (Send)`."""
    counts: dict[str, list] = {}
    for task in tasks:
        counts.setdefault(task.name, []).append(task)
    parts = []
    for name, same in counts.items():
        sent = any(Trigger.of(t).kind == "send" for task in same for t in task.triggers)
        parts.append(f"{name} ×{len(same)}" + (" (Send)" if sent else "") if len(same) > 1 or sent else name)
    return ", ".join(parts)


def waiting_marks(joins: Iterable[tuple[Sequence[str], str, Collection[str]]]) -> tuple:
    """`(target, (missing source, ...))` of each join that saw some of its sources (`Run.waiting_joins()`)."""
    out = []
    for sources, target, seen in joins:
        missing = tuple(s for s in sources if s not in seen)
        if missing:
            out.append((target, missing))
    return tuple(out)


def lineage_steps(records: Sequence[Any]) -> list[Step]:
    """The steps of a run's current branch (`Run.timeline()`), the input first."""
    return [Step((START,))] + [Step.of(r) for r in records]


def graph_marks(graph: Any, steps: Sequence[Step], next_names: Iterable[str], *, finished: bool) -> dict[str, tuple]:
    """`path_marks` for a `DrawableGraph`."""
    edges = [(e.source, e.target) for e in graph.edges]
    conditional = {(e.source, e.target) for e in graph.edges if e.conditional}
    return path_marks(steps, next_names, edges, conditional, finished=finished)


def timeline_marks(timeline: Any, index: int, graph: Any) -> dict[str, tuple]:
    """`path_marks` for entry `index` of the Debugger's `Timeline`, along its lineage."""
    steps = []
    for i in reversed(timeline.lineage(index)):
        entry = timeline.entries[i]
        steps.append(Step(entry.names, tuple(entry.record.tasks) if entry.record is not None else ()))
    entry = timeline.entries[index]
    return graph_marks(graph, steps, entry.next_names, finished=not entry.paused and not entry.next_names)
