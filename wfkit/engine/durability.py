"""`durability=`: when a run's checkpoints reach the checkpointer, as in LangGraph.

"sync" and "async" (the default) write every superstep's checkpoint; wfkit writes each before the next
superstep starts in both. "exit" writes only the run's last checkpoint, when the run finishes, pauses or
fails: the run's checkpoints go to a `DeferredSaver`, which holds them in memory and, at the end, stores the
last one (with the pending writes on it, and a full snapshot of its values, since the deltas before it are
never stored) as a child of the last checkpoint the thread had stored. A subgraph's run puts its own checkpoints (under its namespace's key,
see `engine.nested`) in the same `DeferredSaver`, which holds them apart, by key, and stores them when that
run stops (a subgraph run under a task's namespace that finished stores nothing, as in LangGraph).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from wfkit.checkpoint.base import BaseCheckpointSaver, Checkpoint, NS_SEP, PendingWrite
from wfkit.engine.options import given
from wfkit.errors import ArgumentValueError

MODES = ("sync", "async", "exit")


def durability_of(durability: Any, checkpoint_during: Any = None) -> str:
    """The run's mode from `durability=` (None: "async") or LangGraph's older `checkpoint_during=` (False is
    "exit"), checked."""
    if durability is None:
        return "async" if checkpoint_during is None or checkpoint_during else "exit"
    if durability not in MODES:
        raise ArgumentValueError(f"`durability` must be one of 'sync', 'async', 'exit' (or None), got "
                                 f"{given(durability)}: e.g. invoke(input, config, durability='exit') to store only "
                                 "the run's last checkpoint")
    return durability


class DeferredSaver(BaseCheckpointSaver):
    """A run's view of `inner` in "exit" mode: what the run puts stays here until `flush`; reads see it first."""

    def __init__(self, inner: BaseCheckpointSaver):
        self.inner = inner
        # thread key (the thread's, or a subgraph namespace's) -> checkpoint id -> the run's checkpoint, in the
        # order put
        self._held: dict[str, dict[str, Checkpoint]] = {}
        self._writes: dict[str, list[PendingWrite]] = {}  # checkpoint id -> the writes put on it
        # thread key -> the writes put on the stored checkpoint the run started from: stored at the end only if
        # the run made no checkpoint after it (as in LangGraph, whose "exit" mode puts no writes before then)
        self._early: dict[str, list[tuple[str, PendingWrite]]] = {}

    def register_types(self, types: Iterable[type]) -> None:
        self.inner.register_types(types)

    def put(self, checkpoint: Checkpoint) -> None:
        self._held.setdefault(checkpoint.thread_id, {})[checkpoint.id] = checkpoint

    def get(self, thread_id: str, checkpoint_id: str | None = None) -> Checkpoint | None:
        held = self._held.get(thread_id, {})
        if checkpoint_id is None and held:
            return next(reversed(held.values()))
        found = held.get(checkpoint_id) if checkpoint_id is not None else None
        return found if found is not None else self.inner.get(thread_id, checkpoint_id)

    def get_with_writes(self, thread_id: str, checkpoint_id: str | None = None) -> tuple[Checkpoint | None,
                                                                                          list[PendingWrite]]:
        if not self._held.get(thread_id) and not self._early.get(thread_id):
            return self.inner.get_with_writes(thread_id, checkpoint_id)
        return BaseCheckpointSaver.get_with_writes(self, thread_id, checkpoint_id)

    def list(self, thread_id: str, *, before: str | None = None, limit: int | None = None) -> Iterator[Checkpoint]:
        return self.inner.list(thread_id, before=before, limit=limit)

    def put_writes(self, thread_id: str, checkpoint_id: str, writes: Iterable[PendingWrite]) -> None:
        if checkpoint_id in self._held.get(thread_id, {}):
            self._writes.setdefault(checkpoint_id, []).extend(writes)
        else:  # on the stored checkpoint the run started from: held too (see `_early`)
            self._early.setdefault(thread_id, []).extend((checkpoint_id, w) for w in writes)

    def get_writes(self, thread_id: str, checkpoint_id: str) -> list[PendingWrite]:
        if checkpoint_id in self._held.get(thread_id, {}):
            return list(self._writes.get(checkpoint_id, ()))
        early = [w for cid, w in self._early.get(thread_id, ()) if cid == checkpoint_id]
        return self.inner.get_writes(thread_id, checkpoint_id) + early

    def checkpoints_with_writes(self, thread_id: str) -> set[str] | None:
        return self.inner.checkpoints_with_writes(thread_id)

    def delete_thread(self, thread_id: str) -> None:
        for key in [k for k in self._early if k == thread_id or k.startswith(thread_id + NS_SEP)]:
            del self._early[key]
        for key in [k for k in self._held if k == thread_id or k.startswith(thread_id + NS_SEP)]:
            for checkpoint_id in self._held.pop(key):
                self._writes.pop(checkpoint_id, None)
        self.inner.delete_thread(thread_id)

    def holding(self, thread_id: str) -> bool:
        """Whether the run on `thread_id` (a thread key) put a checkpoint or writes not stored yet."""
        return bool(self._held.get(thread_id) or self._early.get(thread_id))

    def drop(self, thread_id: str) -> None:
        """Forget what the run put on `thread_id` (a thread key), storing none of it."""
        for checkpoint_id in self._held.pop(thread_id, {}):
            self._writes.pop(checkpoint_id, None)

    def flush(self, thread_id: str, values: dict) -> None:
        """Store the last checkpoint put on `thread_id` (a thread key; its state is `values`) and the pending
        writes on it, as a child of the last checkpoint stored before the run (None: the thread's first), then
        forget the others put there. With no checkpoint put, the writes put on the one it started from."""
        held = self._held.pop(thread_id, None)
        early = self._early.pop(thread_id, [])
        if not held:
            for checkpoint_id in dict.fromkeys(cid for cid, _ in early):
                self.inner.put_writes(thread_id, checkpoint_id, [w for cid, w in early if cid == checkpoint_id])
            return
        last = next(reversed(held.values()))
        parent = last.parent_id
        while parent in held:
            parent = held[parent].parent_id
        last.parent_id, last.snapshot = parent, values
        writes = self._writes.get(last.id, [])
        for checkpoint_id in held:
            self._writes.pop(checkpoint_id, None)
        self.inner.put(last)
        if writes:
            self.inner.put_writes(last.thread_id, last.id, writes)


def at_exit(loop: Any) -> None:
    """The run of `loop` stopped (finished, paused or failed): in "exit" mode, store its last checkpoint."""
    history = loop.history
    saver = getattr(history, "saver", None)
    if isinstance(saver, DeferredSaver) and saver.holding(history.key):
        if loop.status == "done" and ":" in history.ns:
            # a subgraph's run under a task's namespace that finished stores nothing, as in LangGraph (one
            # compiled with checkpointer=True, in a namespace of its own, and one that paused or failed do)
            saver.drop(history.key)
        else:
            saver.flush(history.key, history.values_at(saver.get(history.key)))
