"""The checkpointer contract: what the engine stores after each superstep and how it reads it back.

A checkpoint is a *delta*: the writes one superstep applied (in the order the reducers saw them), not a copy
of the whole state. The engine rebuilds a state by replaying the deltas along the parent chain (with the
reducers of its graph), so a run of N supersteps that appends to a list costs O(N) storage, not O(N^2);
now and then the engine adds a `snapshot` of the full values, so that a rebuild replays a bounded number
of deltas, and reads them with one `lineage` call.
`plan` is owned by the engine: a JSON-able description of what runs next. Savers store and return records
verbatim; they never interpret `writes`, `plan` or `metadata`.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from wfkit.errors import CheckpointError


@dataclass(slots=True)
class Checkpoint:
    """One superstep's record in a thread's history."""

    id: str
    thread_id: str
    parent_id: str | None
    step: int
    source: str  # "input" | "loop" | "update" | "fork"
    created_at: str  # ISO-8601, UTC
    writes: list[tuple[str, str, Any]] = field(default_factory=list)  # (node, key, value) in applied order
    plan: dict[str, Any] = field(default_factory=dict)  # engine-owned: what runs next
    metadata: dict[str, Any] = field(default_factory=dict)
    snapshot: dict[str, Any] | None = None  # optional full values, to bound the cost of a replay


@dataclass(slots=True)
class PendingWrite:
    """A write made by one task of a superstep that has not finished as a whole (a failure, an interrupt),
    kept so that resuming re-runs only the tasks that did not finish. `key` may be a state key or one of the
    engine's own markers (interrupts, resume values, errors)."""

    task_id: str
    task_name: str
    key: str
    value: Any


@dataclass(slots=True)
class WaitingThread:
    """A thread whose newest checkpoint has an interrupt stored on it: that checkpoint and every pending
    write on it, in the order they were put (the engine decides which interrupts are still unanswered)."""

    checkpoint: Checkpoint
    writes: list[PendingWrite]


INTERRUPT_WRITE = "__interrupt__"  # the key of the pending write a task paused by `interrupt()` leaves


from wfkit.checkpoint.keys import NS_SEP, nested_key  # noqa: E402,F401 (re-exported: the savers' import)


class BaseCheckpointSaver(abc.ABC):
    """Stores checkpoints by thread. Implementations: `InMemorySaver`, `SqliteSaver`, `PostgresSaver`.

    Values inside a record (state values, Send arguments, messages, pydantic models) are serialized as
    JSON by `wfkit.checkpoint.serde`; only known types are revived. A graph compiled with a saver calls
    `register_types` with the pydantic models its schema declares, so that those may be revived too.
    """

    values_reader: Any = None  # set by a graph compiled with the saver: rebuilds a checkpoint's state (see tuples)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # `list` and `get` given a config dict answer as LangGraph's savers do (wfkit.checkpoint.tuples);
        # given a thread id, as wfkit's: each subclass's own methods are wrapped, so custom savers get it too
        super().__init_subclass__(**kwargs)
        for name in ("list", "get"):
            own = cls.__dict__.get(name)
            if own is not None and not getattr(own, "takes_config", False):
                setattr(cls, name, _taking_config(name, own))

    def get_tuple(self, config: dict) -> Any:
        """LangGraph's `get_tuple(config)`: a `CheckpointTuple` of the checkpoint the config names, or None."""
        from wfkit.checkpoint import tuples

        return tuples.get_tuple(self, config)

    async def aget_tuple(self, config: dict) -> Any:
        return self.get_tuple(config)

    async def aget(self, config: dict) -> Any:
        return self.get(config)

    async def alist(self, config: dict | None, *, filter: dict | None = None, before: dict | None = None,
                    limit: int | None = None) -> Any:
        """LangGraph's `alist(config, ...)`: the `CheckpointTuple`s of `list(config, ...)`."""
        for found in self.list(config, filter=filter, before=before, limit=limit):
            yield found

    @abc.abstractmethod
    def register_types(self, types: Iterable[type]) -> None:
        """Allow these classes (pydantic models, dataclasses) to be revived from storage."""

    @abc.abstractmethod
    def put(self, checkpoint: Checkpoint) -> None:
        """Store one checkpoint atomically (all or nothing)."""

    def put_on_head(self, checkpoint: Checkpoint) -> None:
        """Store a checkpoint that continues the thread's newest one, its parent (a first checkpoint: the
        thread has none), as one atomic check and put: when another writer (a run, a Debugger, a process) has
        stored a checkpoint on the thread since, or deleted it, nothing is stored and `CheckpointConflictError`
        says so. The engine stores each superstep of a run this way, so that two writers of one thread never
        fork it silently. This default stores it unchecked (`put`); `InMemorySaver` and `SqliteSaver` check."""
        self.put(checkpoint)

    @abc.abstractmethod
    def get(self, thread_id: str, checkpoint_id: str | None = None) -> Checkpoint | None:
        """The named checkpoint of the thread, or its latest one when `checkpoint_id` is None."""

    def get_with_writes(self, thread_id: str, checkpoint_id: str | None = None) -> tuple[Checkpoint | None,
                                                                                          list[PendingWrite]]:
        """What `get` returns and the pending writes stored on that checkpoint (`get_writes`), read together;
        `(None, [])` when there is no such checkpoint. `SqliteSaver` needs one statement when there are none."""
        checkpoint = self.get(thread_id, checkpoint_id)
        return checkpoint, ([] if checkpoint is None else self.get_writes(thread_id, checkpoint.id))

    @abc.abstractmethod
    def list(self, thread_id: str, *, before: str | None = None, limit: int | None = None) -> Iterator[Checkpoint]:
        """The thread's checkpoints, newest first (by the order they were put), optionally only those put
        before the checkpoint `before`, at most `limit` of them."""

    @abc.abstractmethod
    def put_writes(self, thread_id: str, checkpoint_id: str, writes: Iterable[PendingWrite]) -> None:
        """Store pending writes made on top of checkpoint `checkpoint_id` (atomically, appended)."""

    @abc.abstractmethod
    def get_writes(self, thread_id: str, checkpoint_id: str) -> list[PendingWrite]:
        """The pending writes stored on top of that checkpoint, in the order they were put."""

    def lineage(self, thread_id: str, checkpoint_id: str) -> list[Checkpoint]:
        """The checkpoint and its ancestors, newest first, down to the first one that holds a snapshot or
        has no parent (or down to the last one found, when a parent is missing): what rebuilding its state
        needs. This default asks `get` for each; `InMemorySaver` and `SqliteSaver` answer in one read."""
        found: list[Checkpoint] = []
        seen: set[str] = set()
        next_id: str | None = checkpoint_id
        while next_id is not None:
            if next_id in seen:
                raise loops_back(thread_id, checkpoint_id, next_id)
            seen.add(next_id)
            checkpoint = self.get(thread_id, next_id)
            if checkpoint is None:
                break
            found.append(checkpoint)
            next_id = checkpoint.parent_id if checkpoint.snapshot is None else None
        return found

    def checkpoints_with_writes(self, thread_id: str) -> set[str] | None:
        """Ids of the thread's checkpoints that have pending writes (None: unknown, ask each one). Lets a
        history listing skip the thousand checkpoints that have none."""
        return None

    def waiting_threads(self, *, limit: int | None = None) -> list[WaitingThread]:
        """Every thread whose newest checkpoint (by put order) has a pending write with key `__interrupt__`,
        oldest first (by when that checkpoint was put), at most `limit` of them; each with its newest
        checkpoint and all the pending writes on it. An interrupt already answered (a `__resume__` or
        `__result__` write of the same task) is still listed: savers do not interpret writes."""
        from wfkit.errors import UnsupportedFeatureError

        raise UnsupportedFeatureError(
            f"`{type(self).__name__}` cannot list the threads waiting at an interrupt; implement "
            f"`waiting_threads` on it, or use InMemorySaver, SqliteSaver or PostgresSaver")

    @abc.abstractmethod
    def delete_thread(self, thread_id: str) -> None:
        """Forget every checkpoint and pending write of the thread, its subgraphs' (`nested_key`) too."""

    def get_next_version(self, current: int | None, channel: object = None) -> int:
        """The version a key gets when it is written next, as LangGraph's savers number them: 1, 2, 3...

        wfkit's checkpoints store values, not per-key versions, so nothing in wfkit calls this; it is here for
        saver subclasses written for LangGraph that refer to it."""
        if current is not None and (isinstance(current, bool) or not isinstance(current, int)):
            from wfkit.errors import ArgumentTypeError

            raise ArgumentTypeError(f"get_next_version: `current` must be an int or None, got {current!r}")
        return 1 if current is None else current + 1


class ConnectedSaver(BaseCheckpointSaver):
    """A saver that holds a connection (a file, a server's pool): `close()` it, or use it in a `with`."""

    @classmethod
    @contextlib.contextmanager
    def from_conn_string(cls, conn_string: str, **kwargs: Any) -> Iterator[Any]:
        """`with SqliteSaver.from_conn_string("runs.db") as saver:` (or `PostgresSaver`'s conninfo) — closed
        at the end."""
        saver = cls(conn_string, **kwargs)
        try:
            yield saver
        finally:
            saver.close()

    @abc.abstractmethod
    def close(self) -> None:
        """Close what this saver opened; using it afterwards raises `CheckpointError`."""

    def put(self, checkpoint: Checkpoint) -> None:
        self._put(checkpoint, False)

    def put_on_head(self, checkpoint: Checkpoint) -> None:
        self._put(checkpoint, True)

    @abc.abstractmethod
    def _put(self, checkpoint: Checkpoint, on_head: bool) -> None:
        """Store `checkpoint` in one transaction that first checks the thread's head: against its parent
        (`on_head`, see `put_on_head`), else against the head this saver last saw (another process's writes)."""

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def register_types(self, types: Iterable[type]) -> None:
        self.serde.register_types(types)


def _taking_config(name: str, own: Any) -> Any:
    """`own` (a saver's `list` or `get`, taking a thread id) that answers a config dict as LangGraph's."""
    import functools

    @functools.wraps(own)
    def method(self, *args: Any, **kwargs: Any) -> Any:
        if args and isinstance(args[0], dict):
            from wfkit.checkpoint import tuples

            if name == "list":
                return tuples.list_tuples(self, *args, **kwargs)
            return tuples.get_checkpoint(self, *args, **kwargs)
        return own(self, *args, **kwargs)

    method.takes_config = True
    return method


def _lazily(decode, *args):
    """Decode a listing only when it is read (a bad record raises while iterating, as a generator would),
    all at once (one parse for the lot)."""
    yield from decode(*args)


def loops_back(thread_id: str, checkpoint_id: str, back_to: str) -> CheckpointError:
    """The error for a walk up the parents of `checkpoint_id` that met `back_to` twice: a chain that loops
    would make every walk up it go on until memory runs out, so each walk keeps the ids it has seen."""
    return CheckpointError(f"checkpoint `{checkpoint_id}` of thread `{thread_id}`: its parent chain loops back "
                           f"to `{back_to}`; the rows were damaged or edited outside wfkit — delete the thread or "
                           f"restore the file")


def first_repeat(ids: list[str]) -> str | None:
    """The first id of `ids` that comes again, if any."""
    seen: set[str] = set()
    for cid in ids:
        if cid in seen:
            return cid
        seen.add(cid)
    return None
