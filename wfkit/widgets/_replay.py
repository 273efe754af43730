"""One branch of a run, as the Debugger's `Timeline` of entries: what `Compare` and `export_html` replay.

A branch is the lineage of a checkpoint (the run's current one unless another is named): the input, then
each superstep (its `StepRecord` from `Run.history`) and each edit (its `Edit` from `Run.edits`) on the way.
Each entry also gets the picture's marks and its text. Built on the stepping API's public surface only.
"""

from __future__ import annotations

from typing import Any

from wfkit.widgets._path import names_text, timeline_marks
from wfkit.widgets._timeline import Entry, Timeline


def branch_timeline(run: Any, checkpoint_id: str | None = None) -> Timeline:
    """The entries from the input (step 0) to `checkpoint_id` (default: where the run is now)."""
    records = {r.checkpoint_id: r for r in run.history if r.checkpoint_id is not None}
    edits = {e.checkpoint_id: e for e in run.edits}
    lineage = [(step, cid) for step, cid in run.lineage(checkpoint_id) if step >= 0]
    entries: list[Entry] = []
    parent = None
    for n, (step, cid) in enumerate(lineage):
        after = lineage[n + 1][1] if n + 1 < len(lineage) else None
        record, edit = records.get(cid), edits.get(cid)
        if not entries:
            first = records.get(after)
            next_names = tuple(t.name for t in first.tasks) if first is not None else ()
            entries.append(Entry("start", 0, cid, None, run.state_at(cid), next_names))
        elif record is not None:
            entries.append(Entry("step", record.step, cid, parent, record.values, tuple(record.next), record,
                                 branch=record.branch))
        else:  # an edit (or an update made outside this Run): a change of the state, no node ran
            values = edit.values if edit is not None else run.state_at(cid)
            before = entries[-1].values
            edited = edit.edited if edit is not None else tuple(
                k for k in values if not isinstance(before, dict) or before.get(k) != values[k])
            entries.append(Entry("edit", step, cid, parent, values, entries[-1].next_names, edited=edited))
        parent = cid
    if entries and checkpoint_id is None and run.interrupts:  # the superstep paused at interrupt() hangs off the end
        paused = next((r for r in reversed(run.history) if r.paused and r.parent_checkpoint_id == parent), None)
        if paused is not None:
            entries.append(Entry("step", paused.step, None, parent, paused.values, (), paused, branch=paused.branch))
    return Timeline(entries)


def entry_text(entry: Entry) -> str:
    """What an entry did, in a few words: `input`, `llm_call ×3 (Send)`, `edited topic`."""
    if entry.kind == "start":
        return "input"
    if entry.kind == "edit":
        return "edited " + (", ".join(entry.edited) if entry.edited else "(no change)")
    text = names_text(entry.record.tasks) or "(no task)"
    return text + (" · interrupted" if entry.paused else "")


def entry_marks(timeline: Timeline, index: int, graph: Any) -> dict[str, tuple]:
    """The picture's marks for entry `index` (as the Debugger shows it when that entry is selected)."""
    nodes = {n.id for n in graph.nodes}
    edges = {(e.source, e.target) for e in graph.edges}
    entry = timeline.entries[index]
    interrupted = [entry.record.node_of(i.id) or "" for i in entry.record.interrupts] if entry.paused else []
    marks = timeline.marks(index, nodes, edges, interrupted)
    marks.update(timeline_marks(timeline, index, graph))
    return marks

