"""The debugger's inspector: one timeline entry as HTML — what ran and why, each task's input and writes,
the state after it with the changed keys highlighted (old → new), and what runs next and why.

Pure string building from the timeline and what the run says about its next superstep (`Run.next`,
`Run.waiting_joins()`), so the whole panel is tested without a widget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wfkit._secrets import redact
from wfkit.widgets._format import esc, payload_html, section, short, state_table_html, value_html
from wfkit.widgets._timeline import Timeline
from wfkit.widgets._why import as_html, waiting_text, why_task


@dataclass
class Upcoming:
    """What the run will do from where it is now (only shown for the entry the run is at)."""

    tasks: list = field(default_factory=list)  # Run.next
    waiting: list = field(default_factory=list)  # Run.waiting_joins()
    interrupts: tuple = ()
    interrupt_nodes: dict = field(default_factory=dict)
    breakpoints: frozenset = frozenset()


def title(timeline: Timeline, index: int, head: int | None, path: set[int], ahead: set[int] = frozenset()) -> str:
    entry = timeline.entries[index]
    if entry.kind == "start":
        text = "step 0: the input was applied"
    elif entry.kind == "edit":
        text = f"step {entry.step}: the state was edited ({', '.join(entry.edited) or 'no change'})"
    elif entry.paused:
        text = f"step {entry.step}: {', '.join(entry.names)} paused by interrupt()"
    else:
        text = f"step {entry.step}: ran {', '.join(entry.names) or 'nothing'}"
    if entry.branch:
        text += f" (branch {entry.branch})"
    if index == head:
        text += " — the run is here"
    elif index in ahead:
        text += " — ahead on this branch: Step goes here again without running it"
    elif index not in path:
        text += " — off the path to where the run is now"
    return text


def inspector_html(timeline: Timeline, index: int, head: int | None, path: set[int],
                   upcoming: Upcoming | None, model_calls: dict | None = None, ahead: set[int] = frozenset()) -> str:
    entry = timeline.entries[index]
    heading = esc(title(timeline, index, head, path, ahead))
    parts = [f'<div class="wf-title" style="font-size:14px;font-weight:bold">{heading}</div>']
    if entry.record is not None:
        parts.append(section("Tasks", _tasks_html(entry, model_calls or {}), "wf-tasks"))
    changed = f" (changed: {', '.join(entry.updated)})" if entry.updated else ""
    values = timeline.ordered(entry.values)
    parts.append(section(f"State after step {entry.step}{changed}",
                         state_table_html(values, timeline.before(index), entry.updated), "wf-state"))
    parts.append(section("Next", _next_html(entry, upcoming if index == head else None), "wf-next"))
    return f'<div class="wf-inspector-body">{"".join(parts)}</div>'


def _tasks_html(entry, model_calls: dict) -> str:
    record = entry.record
    blocks = []
    for task, (_, writes) in zip(record.tasks, record.writes):
        if writes:
            wrote = value_html(dict(writes))
        elif entry.paused:
            wrote = "<i>nothing yet (paused by interrupt(); it runs again from its start once answered)</i>"
        else:
            wrote = "<i>nothing</i>"
        blocks.append(
            f'<div class="wf-task" data-node="{esc(task.name)}" style="margin:4px 0;padding-left:6px;'
            f'border-left:3px solid #b7791f"><div>{as_html(why_task(task))}</div>'
            f'<details><summary>input</summary>{value_html(task.input)}</details>'
            f'{_calls_html(model_calls.get(task.id, ()))}'
            f'<div class="wf-writes"><b>wrote</b> {wrote}</div></div>')
    if entry.paused:
        for interrupt in record.interrupts:
            blocks.append(f'<div class="wf-interrupt-note">interrupt <code>{esc(interrupt.id)}</code>: '
                          f"{payload_html(interrupt.value)}</div>")
    return "".join(blocks)


def _cut(text: str, limit: int) -> str:
    text = redact(text)  # before the cut, which could leave part of a key
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _calls_html(calls) -> str:
    """Each model call of a task: what it was asked, what it said, and why (the reason it gave)."""
    rows = []
    for call in calls:
        why = (f'<div class="wf-reason" style="color:#555555;padding-left:1em">why: {esc(_cut(call.reason, 2000))}</div>'
               if call.reason else "")
        tokens = ""
        if call.usage:
            tokens = (f' <span class="wf-tokens" style="color:#777777">({call.usage.get("input_tokens", 0)} in, '
                      f'{call.usage.get("output_tokens", 0)} out tokens)</span>')
        prompt = getattr(call, "prompt", ())
        sent = (f'<details class="wf-prompt" open><summary>the {len(prompt)} message(s) it was sent</summary>'
                f"{value_html(list(prompt))}</details>" if prompt else "")
        rows.append(f'<div class="wf-model-call"><b>model</b> <code>{esc(_cut(call.asked, 80))}</code> → '
                    f"<code>{esc(_cut(call.said, 100))}</code>{tokens}{why}{sent}</div>")
    return "".join(rows)


def _next_html(entry, upcoming: Upcoming | None) -> str:
    if upcoming is None:  # a past entry: only the names are known
        names = entry.next_names
        return esc(", ".join(names)) if names else "<i>nothing: the run ended here</i>"
    lines = []
    if upcoming.interrupts:
        nodes = sorted({upcoming.interrupt_nodes.get(i.id, "?") for i in upcoming.interrupts})
        lines.append(f"waiting for {len(upcoming.interrupts)} answer(s) to interrupt() in "
                     f"{', '.join(f'`{n}`' for n in nodes)}; the review panel above takes them")
    for task in upcoming.tasks:
        line = why_task(task)
        if task.kind == "push":
            line += f" — input {_one(task.input)}"
        if task.name in upcoming.breakpoints:
            line += " (breakpoint: Run stops before this superstep)"
        lines.append(line)
    for sources, target, seen in upcoming.waiting:
        lines.append(waiting_text(sources, target, seen))
    if not lines:
        lines.append("nothing: the run is finished")
    return "".join(f'<div class="wf-why">{as_html(line)}</div>' for line in lines)


def _one(value: Any) -> str:
    return f"`{short(value, 60)}`"


def next_text(upcoming: Upcoming) -> list[str]:
    """The same explanations as plain text lines, for the text summary."""
    lines = [why_task(t) for t in upcoming.tasks]
    lines += [waiting_text(s, t, seen) for s, t, seen in upcoming.waiting]
    return lines
