"""`InMemorySaver`: checkpoints kept in this process, each stored as one compact JSON string.

Storing text rather than the objects themselves does two jobs: what was put cannot be changed by user code
that keeps mutating its state afterwards (and what is returned is a fresh copy every time), and the memory
a history holds is what its JSON weighs: per checkpoint, one string for the record and one for its id (the
key of an insertion-ordered dict, which is both the index and the order), with no Python objects per
record. Every operation holds one lock, so threads may share a saver.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from wfkit.checkpoint.base import (INTERRUPT_WRITE, NS_SEP, BaseCheckpointSaver, Checkpoint, PendingWrite,
                                  WaitingThread, _lazily, loops_back)
from wfkit.checkpoint.records import (dumps_checkpoint, dumps_write, has_snapshot, loads_checkpoint,
                                     loads_checkpoints, loads_write, parent_of)
from wfkit.checkpoint.serde import JsonSerde
from wfkit.errors import CheckpointConflictError, CheckpointError


class _Thread:
    """One thread's history: checkpoint id → record, in put order; checkpoint id → its pending writes (and
    their keys); the saver's put counter when its newest checkpoint was put (the order of `waiting_threads`)."""

    __slots__ = ("records", "writes", "keys", "put_at")

    def __init__(self) -> None:
        self.records: dict[str, str] = {}
        self.writes: dict[str, list[str]] = {}
        self.keys: dict[str, set[str]] = {}
        self.put_at = 0


class InMemorySaver(BaseCheckpointSaver):
    """Checkpoints in memory, gone when the process ends; use `SqliteSaver` to keep them."""

    def __init__(self, *, serde: JsonSerde | None = None) -> None:
        self.serde = serde or JsonSerde()
        self._threads: dict[str, _Thread] = {}
        self._lock = threading.Lock()
        self._puts = itertools.count(1)

    def __repr__(self) -> str:
        with self._lock:
            count = sum(len(t.records) for t in self._threads.values())
            return f"InMemorySaver(threads={len(self._threads)}, checkpoints={count})"

    def register_types(self, types: Iterable[type]) -> None:
        self.serde.register_types(types)

    def put(self, checkpoint: Checkpoint) -> None:
        self._put(checkpoint, False)

    def put_on_head(self, checkpoint: Checkpoint) -> None:
        self._put(checkpoint, True)

    def _put(self, checkpoint: Checkpoint, on_head: bool) -> None:
        text = dumps_checkpoint(self.serde, checkpoint)  # encode first: a failure leaves nothing behind
        with self._lock:
            thread = self._threads.get(checkpoint.thread_id)
            if on_head:  # under the lock: no other run can store between this check and the put
                head = next(reversed(thread.records), None) if thread is not None else None
                if head != checkpoint.parent_id:
                    step = loads_checkpoint(self.serde, thread.records[head], checkpoint.thread_id, head).step \
                        if head is not None else None
                    raise CheckpointConflictError(_conflict_message(
                        checkpoint, "another run in this process", None if head is None else (head, step)))
            if thread is None:
                thread = self._threads[checkpoint.thread_id] = _Thread()
            if checkpoint.id in thread.records:
                raise CheckpointError(_duplicate_message(checkpoint))
            thread.records[checkpoint.id] = text
            thread.put_at = next(self._puts)

    def get(self, thread_id: str, checkpoint_id: str | None = None) -> Checkpoint | None:
        with self._lock:
            thread = self._threads.get(thread_id)
            if thread is None or not thread.records:
                return None
            if checkpoint_id is None:
                checkpoint_id = next(reversed(thread.records))
            text = thread.records.get(checkpoint_id)
        if text is None:
            return None
        return loads_checkpoint(self.serde, text, thread_id, checkpoint_id)  # decoded outside the lock

    def list(self, thread_id: str, *, before: str | None = None, limit: int | None = None) -> Iterator[Checkpoint]:
        _check_limit(limit)
        with self._lock:
            thread = self._threads.get(thread_id)
            records = thread.records if thread is not None else {}
            newest_first = reversed(records)
            if before is not None:
                if before not in records:
                    raise CheckpointError(_unknown_message(thread_id, before, "list(before=...)"))
                for checkpoint_id in newest_first:  # skip down to `before`, which is not listed itself
                    if checkpoint_id == before:
                        break
            found = [(i, records[i]) for i in itertools.islice(newest_first, limit)]
        return _lazily(loads_checkpoints, self.serde, found, thread_id)  # decoded outside the lock, when read

    def lineage(self, thread_id: str, checkpoint_id: str) -> list[Checkpoint]:
        found = []
        with self._lock:
            thread = self._threads.get(thread_id)
            records = thread.records if thread is not None else {}
            next_id: str | None = checkpoint_id
            seen: set[str] = set()
            while next_id is not None and next_id in records:
                if next_id in seen:
                    break
                seen.add(next_id)
                text = records[next_id]
                found.append((next_id, text))
                next_id = None if has_snapshot(text) else parent_of(text)
        if next_id is not None and next_id in seen:
            raise loops_back(thread_id, checkpoint_id, next_id)
        return loads_checkpoints(self.serde, found, thread_id)  # decoded outside the lock

    def put_writes(self, thread_id: str, checkpoint_id: str, writes: Iterable[PendingWrite]) -> None:
        context = f"cannot store pending writes on checkpoint `{checkpoint_id}` of thread `{thread_id}`"
        writes = list(writes)
        texts = [dumps_write(self.serde, w, context=context) for w in writes]  # all encoded before any is kept
        with self._lock:
            thread = self._threads.get(thread_id)
            if thread is None or checkpoint_id not in thread.records:
                raise CheckpointError(_unknown_message(thread_id, checkpoint_id, "put_writes"))
            thread.writes.setdefault(checkpoint_id, []).extend(texts)
            thread.keys.setdefault(checkpoint_id, set()).update(w.key for w in writes)

    def get_writes(self, thread_id: str, checkpoint_id: str) -> list[PendingWrite]:
        with self._lock:
            thread = self._threads.get(thread_id)
            texts = list(thread.writes.get(checkpoint_id, ())) if thread is not None else []
        return [loads_write(self.serde, t, thread_id, checkpoint_id) for t in texts]

    def checkpoints_with_writes(self, thread_id: str) -> set[str] | None:
        with self._lock:
            thread = self._threads.get(thread_id)
            return set(thread.writes) if thread is not None else set()

    def waiting_threads(self, *, limit: int | None = None) -> list[WaitingThread]:
        _check_limit(limit, "waiting_threads")
        with self._lock:
            found = []
            for thread_id, thread in self._threads.items():
                if NS_SEP in thread_id:  # a subgraph's: its parent's head carries the interrupt too
                    continue
                head = next(reversed(thread.records), None)
                if head is not None and INTERRUPT_WRITE in thread.keys.get(head, ()):
                    found.append((thread.put_at, thread_id, head, thread.records[head], list(thread.writes[head])))
        found.sort()
        return [WaitingThread(loads_checkpoint(self.serde, text, thread_id, head),
                              [loads_write(self.serde, t, thread_id, head) for t in writes])
                for _, thread_id, head, text, writes in found[:limit]]

    def delete_thread(self, thread_id: str) -> None:
        with self._lock:
            self._threads.pop(thread_id, None)
            for key in [k for k in self._threads if k.startswith(thread_id + NS_SEP)]:  # its subgraphs'
                del self._threads[key]


def _check_limit(limit: int | None, call: str = "list") -> None:
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise ValueError(f"{call}(limit=...) must be None or an int >= 0, got {limit!r}")


def _duplicate_message(cp: Checkpoint) -> str:
    return (f"checkpoint `{cp.id}` already exists in thread `{cp.thread_id}`; checkpoints are never "
            f"overwritten — give the new one a fresh id (`wfkit._ids.new_id('checkpoint')`)")


def refuse_moved_head(checkpoint: Checkpoint, seen: Any, head: tuple[str, int] | None, mine: Any) -> None:
    """For the savers whose storage other writers share: refuse `checkpoint` when it continues `seen` (the
    head its writer read) but the thread's head is now `head` (id, step; None: no checkpoint). `mine`: the
    head this saver left (stored last, or None when it deleted the thread), which tells another run of this
    process from another process."""
    now = head[0] if head else None
    if checkpoint.parent_id == seen and now != seen:
        raise CheckpointConflictError(_conflict_message(
            checkpoint, "another run in this process" if now == mine else "another process",
            head if now is not None else None))


def _conflict_message(cp: Checkpoint, who: str, head: tuple[str, int] | None) -> str:
    """`cp` continues its parent, the thread's head when it was read, but `who` has stored `head` (id, step)
    on the thread since (None: deleted it)."""
    seen = cp.parent_id
    now = (f"its newest checkpoint is now `{head[0]}` (step {head[1]})" if head else
           "it has no checkpoint any more (it was deleted)")
    before = f"`{seen}`" if seen is not None else "no checkpoint at all"
    return (f"cannot store checkpoint `{cp.id}` of thread `{cp.thread_id}`: {who} advanced the thread "
            f"meanwhile ({now}, where this one last saw {before}); nothing was stored — reload the thread "
            f"(get_state, or invoke it again) and retry the step")


def _unknown_message(thread_id: str, checkpoint_id: str, call: str) -> str:
    return (f"{call}: thread `{thread_id}` has no checkpoint `{checkpoint_id}`; "
            f"put the checkpoint first, or check the id (see `list(thread_id)`)")
