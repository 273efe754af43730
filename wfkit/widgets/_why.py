"""Why a task runs, in words, and which drawn edges it came along.

A task's `triggers` are typed (`wfkit.engine.events.Trigger`: its `kind` and `sources`) and name what
scheduled it: `edge` (a plain edge from its source), `branch` (a conditional edge of its source), `goto`
(a `Command(goto=...)` its source returned), `join` (the join of its sources completed), `send` (a `Send`)
and `input` (the graph's input). A trigger given as its text (`join:a+b`) is read the same way. Pure
functions; names appear in backticks in the text, which `as_html` turns into code spans.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterable

from wfkit.engine.events import Trigger


def why(trigger: Trigger | str, node: str) -> str:
    """One trigger of a task of `node`, in words."""
    trigger = Trigger.of(trigger)
    kind, sources = trigger.kind, trigger.sources
    source = sources[0] if sources else ""
    if kind == "edge":
        return f"the edge `{source}` → `{node}`"
    if kind == "branch":
        return f"the conditional edge of `{source}` chose `{node}`"
    if kind == "goto":
        return f"`{source}` returned `Command(goto={node!r})`"
    if kind == "join":
        return f"the join of {' + '.join(f'`{s}`' for s in sources)} completed (all {len(sources)} finished)"
    if kind == "send":
        return f"a `Send({node!r}, ...)` with its own input"
    if kind == "input":
        return "the graph's input"
    return f"`{trigger}`"  # a trigger kind this module does not know yet: show it as it is


def why_task(task) -> str:
    """`node` runs because …: all of one task's triggers joined."""
    reasons = [why(t, task.name) for t in task.triggers] or ["(no trigger recorded)"]
    return f"`{task.name}` because " + "; ".join(reasons)


def waiting_text(sources: Iterable[str], target: str, seen: Collection[str]) -> str:
    """A join that saw some of its sources: what it still waits for."""
    sources = tuple(sources)
    missing = [s for s in sources if s not in seen]
    return (f"the join {' + '.join(f'`{s}`' for s in sources)} → `{target}` has "
            f"{', '.join(f'`{s}`' for s in seen) or 'nothing'}, still waits for {', '.join(f'`{m}`' for m in missing)}")


def as_html(text: str) -> str:
    """Escape `text` and show its backticked names as code."""
    return re.sub(r"`([^`]*)`", r"<code>\1</code>", html.escape(text, quote=False))


def taken_edges(tasks: Iterable, previous: Collection[str], edges: Collection[tuple[str, str]]) -> tuple:
    """The drawn edges the tasks of a superstep came along. A `Send` does not say who sent it, so for a
    task triggered by `send` the drawn edges into it from the nodes of the previous superstep are taken."""
    out: list[tuple[str, str]] = []
    for task in tasks:
        for trigger in map(Trigger.of, task.triggers):
            kind = trigger.kind
            if kind in ("edge", "branch", "goto", "join"):
                candidates = [(s, task.name) for s in trigger.sources]
            elif kind == "send":
                candidates = [(p, task.name) for p in previous]
            else:
                candidates = []
            out += [c for c in candidates if c in edges and c not in out]
    return tuple(out)
