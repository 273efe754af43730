"""The debugger's timeline: every superstep of a run, including abandoned branches, as a list of entries.

An entry is the input (step 0), a superstep record from `Run.history`, or an edit of the state. Entries
know their checkpoint and its parent, so the timeline can tell which ones lie on the path to where the run
is now (the others belong to forks left behind), what the state was before each one, and which graph
marks it should show. Pure bookkeeping over the stepping API's records: no ipywidgets here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from wfkit.constants import END, START
from wfkit.widgets._path import names_text
from wfkit.widgets._why import taken_edges

START_ID, END_ID = START, END
PAGE = 50  # timeline rows shown at once


@dataclass
class Entry:
    """One point of the timeline. `checkpoint_id` is None for a superstep paused by `interrupt()` (it wrote
    no checkpoint and hangs off its parent)."""

    kind: str  # "start" | "step" | "edit"
    step: int
    checkpoint_id: str | None
    parent_id: str | None
    values: Any
    next_names: tuple[str, ...]
    record: Any = None  # the StepRecord of a "step" entry
    edited: tuple[str, ...] = ()
    branch: int = 0
    within: str = ""  # a subgraph's superstep: where it runs, e.g. "step 2 › research" ("": the graph's own)
    inside: int | None = None  # a superstep that ran a subgraph stepped into: the entry that subgraph was at

    @property
    def paused(self) -> bool:
        return self.record is not None and self.record.paused

    @property
    def names(self) -> tuple[str, ...]:
        """The nodes that ran at this point."""
        if self.kind == "start":
            return (START_ID,)
        return tuple(t.name for t in self.record.tasks) if self.record is not None else ()

    @property
    def updated(self) -> tuple[str, ...]:
        return self.edited if self.kind == "edit" else (self.record.updated if self.record is not None else ())


@dataclass
class Timeline:
    """Entries in the order they happened. `sync(history)` adds the records the run made since last time."""

    entries: list[Entry] = field(default_factory=list)
    seen: int = 0  # how many records of Run.history are already entries
    # checkpoint id -> its latest entry; entries are only ever appended (through `_add`)
    _by_checkpoint: dict[str, int] = field(default_factory=dict, repr=False)
    # what every render asks again, kept while no entry is added: the tree; per entry, the names that ran
    # on its lineage before it (from its parent's, so a step does not walk the whole lineage)
    _tree: list | None = field(default=None, repr=False)
    _visited: dict[int, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for index, entry in enumerate(self.entries):
            self._index(index, entry)

    def _index(self, index: int, entry: Entry) -> None:
        self._tree = None
        if entry.checkpoint_id is not None:
            if entry.checkpoint_id in self._by_checkpoint:  # a checkpoint's entry changes: lineages may too
                self._visited.clear()
            self._by_checkpoint[entry.checkpoint_id] = index

    def _add(self, entry: Entry) -> int:
        self.entries.append(entry)
        self._index(len(self.entries) - 1, entry)
        return len(self.entries) - 1

    @classmethod
    def begin(cls, checkpoint_id: str | None, values: Any, next_names: tuple[str, ...]) -> "Timeline":
        return cls([Entry("start", 0, checkpoint_id, None, values, next_names)])

    def sync(self, history: list) -> list[int]:
        """Turn new records into entries; returns their indices."""
        added = self.add_records(history[self.seen:])
        self.seen = len(history)
        return added

    def add_records(self, records: list, within: str = "") -> list[int]:
        """Entries for `records` (StepRecords), of a subgraph `within` a superstep if given."""
        return [self._add(Entry("step", r.step, r.checkpoint_id, r.parent_checkpoint_id, r.values, tuple(r.next), r,
                                branch=r.branch, within=within)) for r in records]

    def open_subgraph(self, within: str, parent_id: str | None, checkpoint_id: str | None, values: Any,
                      next_names: tuple[str, ...]) -> int:
        """The input entry of a subgraph stepped into (`within` a superstep), hung under the parent's entry of
        `parent_id`; an entry it already has (opened again where it stopped) is kept."""
        known = self.by_checkpoint(checkpoint_id)
        if known is not None:
            return known
        return self._add(Entry("start", 0, checkpoint_id, parent_id, values, next_names, within=within))

    def add_edit(self, edit: Any, next_names: tuple[str, ...]) -> int:
        """An edit of the state (a `stepping.Edit`): the keys it changed show as `edited`."""
        return self._add(Entry("edit", edit.step, edit.checkpoint_id, edit.parent_checkpoint_id, edit.values,
                               next_names, edited=edit.edited))

    # -- looking up --------------------------------------------------------------------------------------
    def by_checkpoint(self, checkpoint_id: str | None) -> int | None:
        """The latest entry of that checkpoint, or None."""
        return self._by_checkpoint.get(checkpoint_id) if checkpoint_id is not None else None

    def values_at(self, checkpoint_id: str | None) -> Any:
        index = self.by_checkpoint(checkpoint_id)
        return self.entries[index].values if index is not None else None

    def before(self, index: int) -> Any:
        """The state just before entry `index` (None for the input)."""
        return self.values_at(self.entries[index].parent_id)

    def ordered(self, values: Any) -> Any:
        """`values` with its keys in the order of the input's state (records list them in write order, and
        rows that jump around between steps are hard to follow)."""
        first = self.entries[0].values
        if not (isinstance(values, dict) and isinstance(first, dict)):
            return values
        return {**{k: values[k] for k in first if k in values}, **values}

    def lineage(self, index: int) -> list[int]:
        """Entry `index` and its ancestors, newest first."""
        out, seen, current = [], set(), index
        while current is not None and current not in seen:
            out.append(current)
            seen.add(current)
            current = self.by_checkpoint(self.entries[current].parent_id)
        return out

    def visited_before(self, index: int) -> tuple[str, ...]:
        """The names that ran on entry `index`'s lineage before it, oldest first, each once."""
        todo: list[int] = []  # up the lineage to the first entry already known (one step, mostly)
        seen: set[int] = set()
        current: int | None = index
        while current is not None and current not in self._visited and current not in seen:
            todo.append(current)
            seen.add(current)
            current = self.by_checkpoint(self.entries[current].parent_id) if current else None
        for i in reversed(todo):
            parent = self.by_checkpoint(self.entries[i].parent_id) if i else None
            if parent is None or parent == i or parent not in self._visited:
                self._visited[i] = ()
                continue
            before = self._visited[parent]
            self._visited[i] = before + tuple(n for n in dict.fromkeys(self.entries[parent].names) if n not in before)
        return self._visited[index]

    def head(self, checkpoint_id: str | None, interrupted: bool) -> int | None:
        """The entry where the run is now: its paused superstep while interrupts are pending, else the entry
        of its checkpoint."""
        if interrupted:
            for index in range(len(self.entries) - 1, -1, -1):
                entry = self.entries[index]
                if entry.paused and entry.parent_id == checkpoint_id:
                    return index
        return self.by_checkpoint(checkpoint_id)

    def path(self, head: int | None) -> set[int]:
        """Entries on the way to `head`: its lineage, plus paused supersteps hanging off that lineage."""
        if head is None:
            return set()
        lineage = set(self.lineage(head))
        for index in list(lineage):  # a superstep that took a stepped subgraph's result: its steps too
            if self.entries[index].inside is not None:
                lineage.update(self.lineage(self.entries[index].inside))
        on_path_checkpoints = {self.entries[i].checkpoint_id for i in lineage}
        paused = {i for i, e in enumerate(self.entries) if e.paused and e.parent_id in on_path_checkpoints}
        return lineage | paused

    def tree(self) -> list[tuple[int, int, bool]]:
        """The entries as a tree of forks, in reading order: `(index, depth, starts_a_fork)`. A superstep
        continues its parent's line; another child of the same checkpoint (stepping on after back, goto or
        an edit) starts a fork one level deeper, listed after the line it left. A superstep paused by
        `interrupt()` wrote no checkpoint: it stays on its parent's line, before the run that resumed it."""
        if self._tree is None:
            self._tree = self._build_tree()
        return self._tree

    def _build_tree(self) -> list[tuple[int, int, bool]]:
        children: dict[int | None, list[int]] = {}
        for index in range(len(self.entries)):
            parent = self.by_checkpoint(self.entries[index].parent_id) if index else None
            children.setdefault(parent if parent != index else None, []).append(index)
        out: list[tuple[int, int, bool]] = []
        stack = [(index, 0, False) for index in reversed(children.get(None, []))]
        while stack:
            index, depth, fork = stack.pop()
            out.append((index, depth, fork))
            within = self.entries[index].within
            kids = children.get(index, [])
            inside = [k for k in kids if self.entries[k].within != within]  # a subgraph stepped into here
            kids = [k for k in kids if self.entries[k].within == within]
            paused = [k for k in kids if self.entries[k].paused]
            line = [k for k in kids if not self.entries[k].paused]
            # a stack: what is pushed last is read first
            stack += [(k, depth + 1, True) for k in reversed(line[1:])]
            stack += [(k, depth, False) for k in line[:1]] + [(k, depth, False) for k in reversed(paused)]
            stack += [(k, depth + 1, False) for k in reversed(inside)]  # listed first, one level deeper
        return out

    def page(self, rows: list[tuple[int, int, bool]], index: int, size: int = 0) -> tuple[int, int]:
        """The slice `rows[start:stop]` of the page (of `size` rows, `PAGE` by default) that holds entry
        `index`: the timeline shows one page, so a step costs the same at history 10 and 1000. Pages are
        counted from the newest row, so the page of the head is full."""
        size = size or PAGE
        at = next((i for i, row in enumerate(rows) if row[0] == index), len(rows) - 1)
        from_end = (len(rows) - 1 - at) // size
        stop = len(rows) - from_end * size
        return max(0, stop - size), stop

    def label(self, index: int, head: int | None, path: Collection[int], depth: int = 0,
              fork: bool = False, ahead: Collection[int] = ()) -> str:
        """The timeline's text for entry `index`, e.g. `▶ step 2 · tool_node · branch 1`; `depth` and `fork`
        (from `tree()`) indent the entries of a fork and mark where it starts with ↳, and a superstep that
        starts a fork says it ran again. `ahead`: entries stored further along the run's branch."""
        entry = self.entries[index]
        mark = "▶" if index == head else "\u2003"  # an em space keeps the lines aligned
        if depth:
            mark += "\u2003" * (depth - 1) + (" ↳" if fork else "\u2003")
        if entry.kind == "start":
            what = "input"
        elif entry.kind == "edit":
            what = "edited " + (", ".join(entry.edited) if entry.edited else "(no change)")
        else:
            what = names_text(entry.record.tasks if entry.record is not None else ()) or "(no task)"
        parts = [f"{mark} {entry.within} › step {entry.step}" if entry.within else f"{mark} step {entry.step}", what]
        if entry.paused:
            parts.append("interrupted")
        if fork and entry.kind == "step":  # an edit says what changed; a step says it ran anew
            parts.append("ran again")
        if entry.branch:
            parts.append(f"branch {entry.branch}")
        if index in ahead:
            parts.append("ahead")
        elif index not in path:
            parts.append("off path")
        return " · ".join(parts)

    def marks(self, index: int, nodes: Collection[str], edges: Collection[tuple[str, str]],
              interrupted_nodes: Collection[str] = ()) -> dict[str, tuple]:
        """GraphView marks for entry `index`: what ran there (current), what runs next, what ran before it on
        its lineage (visited), interrupted nodes, and the edges taken into it."""
        entry = self.entries[index]
        parent = self.by_checkpoint(entry.parent_id) if index else None
        parent = None if parent == index else parent
        visited = self.visited_before(index)
        previous = self.entries[parent].names if parent is not None else ()
        current = entry.names if entry.kind != "edit" else ()
        if entry.paused:
            next_names: tuple[str, ...] = ()
        elif entry.next_names:
            next_names = entry.next_names
        else:
            next_names = (END_ID,)  # nothing planned: the run reached its end
        tasks = entry.record.tasks if entry.record is not None else ()

        def known(ids):
            return tuple(dict.fromkeys(i for i in ids if i in nodes))

        return {"current": known(current), "next": known(next_names), "visited": known(visited),
                "interrupted": known(interrupted_nodes) if entry.paused else (),
                "taken_edges": taken_edges(tasks, previous, edges)}
