"""`SqliteSaver`: checkpoints in a SQLite file (stdlib `sqlite3`), so a run survives a kernel restart.

Each `put`, `put_writes` and `delete_thread` is one `BEGIN IMMEDIATE` transaction: a reader, or a process
killed halfway, sees all of it or none of it. The file uses WAL with `synchronous=NORMAL` by default: a
committed transaction survives the process being killed (SIGKILL, a dead kernel), because its WAL frames are
already written to the operating system; only an OS crash or power cut can lose the last few commits.
Pass `synchronous="FULL"` to also survive those, at the cost of an fsync per checkpoint. Checkpoint rows
keep a `seq` (autoincrement) that gives the order of `list`; the record itself is the same compact JSON
`InMemorySaver` keeps (ids live in their columns, not in it), read back by `JsonSerde`, which revives only
registered types.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from wfkit.checkpoint.base import BaseCheckpointSaver, Checkpoint, PendingWrite, _lazily
from wfkit.checkpoint.memory import _check_limit, _duplicate_message, _unknown_message
from wfkit.checkpoint.records import (NO_SNAPSHOT, dumps_checkpoint, dumps_write, loads_checkpoint,
                                     loads_checkpoints, loads_write)
from wfkit.checkpoint.serde import JsonSerde
from wfkit.errors import CheckpointError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoints (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id TEXT NOT NULL,
    id TEXT NOT NULL,
    parent_id TEXT,
    step INTEGER NOT NULL,
    payload TEXT NOT NULL,
    UNIQUE (thread_id, id)
);
CREATE INDEX IF NOT EXISTS checkpoints_by_thread ON checkpoints (thread_id, seq);
CREATE TABLE IF NOT EXISTS writes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    key TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS writes_by_checkpoint ON writes (thread_id, checkpoint_id, seq);
"""
_SYNCHRONOUS = ("NORMAL", "FULL", "EXTRA")
# A checkpoint and its ancestors down to the first with a snapshot (its record does not end in
# `NO_SNAPSHOT`) or without a parent: one query, whatever the length of the thread.
_LINEAGE = f"""
WITH RECURSIVE chain(depth, id, parent_id, payload) AS (
    SELECT 0, id, parent_id, payload FROM checkpoints WHERE thread_id = :thread AND id = :id
    UNION ALL
    SELECT chain.depth + 1, c.id, c.parent_id, c.payload FROM chain
    JOIN checkpoints AS c ON c.thread_id = :thread AND c.id = chain.parent_id
    WHERE substr(chain.payload, -{len(NO_SNAPSHOT)}) = '{NO_SNAPSHOT}'
)
SELECT id, payload FROM chain ORDER BY depth
"""


class SqliteSaver(BaseCheckpointSaver):
    """Checkpoints in a SQLite database: `SqliteSaver("runs.db")`, or an open `sqlite3.Connection`."""

    def __init__(self, path_or_conn: str | os.PathLike[str] | sqlite3.Connection, *,
                 serde: JsonSerde | None = None, synchronous: str = "NORMAL") -> None:
        if synchronous not in _SYNCHRONOUS:
            raise ValueError(f"SqliteSaver(synchronous={synchronous!r}): use one of "
                             f"{', '.join(map(repr, _SYNCHRONOUS))}")
        self.serde = serde or JsonSerde()
        self._lock = threading.Lock()
        if isinstance(path_or_conn, sqlite3.Connection):
            # A connection the caller made: they close it. Sharing it between threads needs
            # check_same_thread=False on their side; our lock serializes the use.
            self._conn, self._owns, self._name = path_or_conn, False, "<connection>"
        else:
            self._name = os.fspath(path_or_conn)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per operation.
            self._conn = sqlite3.connect(self._name, check_same_thread=False, isolation_level=None, timeout=30)
            self._owns = True
        self._closed = False
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")  # ignored (stays "memory") for ":memory:"
            self._conn.execute(f"PRAGMA synchronous={synchronous}")
            self._conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as e:
            self.close()
            raise CheckpointError(f"cannot use {self._name!r} as a checkpoint database ({e}); pass the path of "
                                  f"a SQLite file, or of a new file to create") from None

    @classmethod
    @contextlib.contextmanager
    def from_conn_string(cls, conn_string: str, **kwargs: Any) -> Iterator[SqliteSaver]:
        """`with SqliteSaver.from_conn_string("runs.db") as saver:` — the file is closed at the end."""
        saver = cls(conn_string, **kwargs)
        try:
            yield saver
        finally:
            saver.close()

    def close(self) -> None:
        """Close the database (only a connection this saver opened itself)."""
        with self._lock:
            if not self._closed and self._owns:
                self._conn.close()
            self._closed = True

    def __enter__(self) -> SqliteSaver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteSaver({self._name!r})"

    def register_types(self, types: Iterable[type]) -> None:
        self.serde.register_types(types)

    def put(self, checkpoint: Checkpoint) -> None:
        payload = dumps_checkpoint(self.serde, checkpoint)  # encode first: a failure leaves nothing behind
        try:
            with self._transaction() as conn:
                conn.execute("INSERT INTO checkpoints (thread_id, id, parent_id, step, payload) VALUES (?,?,?,?,?)",
                             (checkpoint.thread_id, checkpoint.id, checkpoint.parent_id, checkpoint.step, payload))
        except sqlite3.IntegrityError:  # UNIQUE (thread_id, id)
            raise CheckpointError(_duplicate_message(checkpoint)) from None

    def get(self, thread_id: str, checkpoint_id: str | None = None) -> Checkpoint | None:
        if checkpoint_id is None:
            row = self._fetchone("SELECT id, payload FROM checkpoints WHERE thread_id = ? ORDER BY seq DESC LIMIT 1",
                                 (thread_id,))
        else:
            row = self._fetchone("SELECT id, payload FROM checkpoints WHERE thread_id = ? AND id = ?",
                                 (thread_id, checkpoint_id))
        return None if row is None else loads_checkpoint(self.serde, row[1], thread_id, row[0])

    def list(self, thread_id: str, *, before: str | None = None, limit: int | None = None) -> Iterator[Checkpoint]:
        _check_limit(limit)
        with self._locked() as conn:
            end = None
            if before is not None:
                found = conn.execute("SELECT seq FROM checkpoints WHERE thread_id = ? AND id = ?",
                                     (thread_id, before)).fetchone()
                if found is None:
                    raise CheckpointError(_unknown_message(thread_id, before, "list(before=...)"))
                end = found[0]
            rows = conn.execute(
                "SELECT id, payload FROM checkpoints WHERE thread_id = ? AND (? IS NULL OR seq < ?) "
                "ORDER BY seq DESC LIMIT ?", (thread_id, end, end, -1 if limit is None else limit)).fetchall()
        return _lazily(loads_checkpoints, self.serde, list(rows), thread_id)

    def lineage(self, thread_id: str, checkpoint_id: str) -> list[Checkpoint]:
        with self._locked() as conn:
            rows = conn.execute(_LINEAGE, {"thread": thread_id, "id": checkpoint_id}).fetchall()
        return loads_checkpoints(self.serde, rows, thread_id)

    def put_writes(self, thread_id: str, checkpoint_id: str, writes: Iterable[PendingWrite]) -> None:
        context = f"cannot store pending writes on checkpoint `{checkpoint_id}` of thread `{thread_id}`"
        rows = [(thread_id, checkpoint_id, w.task_id, w.key, dumps_write(self.serde, w, context=context))
                for w in writes]  # all encoded before the transaction starts
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM checkpoints WHERE thread_id = ? AND id = ?",
                            (thread_id, checkpoint_id)).fetchone() is None:
                raise CheckpointError(_unknown_message(thread_id, checkpoint_id, "put_writes"))
            conn.executemany("INSERT INTO writes (thread_id, checkpoint_id, task_id, key, payload) "
                             "VALUES (?,?,?,?,?)", rows)

    def get_writes(self, thread_id: str, checkpoint_id: str) -> list[PendingWrite]:
        with self._locked() as conn:
            rows = conn.execute("SELECT payload FROM writes WHERE thread_id = ? AND checkpoint_id = ? ORDER BY seq",
                                (thread_id, checkpoint_id)).fetchall()
        return [loads_write(self.serde, payload, thread_id, checkpoint_id) for (payload,) in rows]

    def checkpoints_with_writes(self, thread_id: str) -> set[str] | None:
        with self._locked() as conn:
            rows = conn.execute("SELECT DISTINCT checkpoint_id FROM writes WHERE thread_id = ?", (thread_id,)).fetchall()
        return {row[0] for row in rows}

    def delete_thread(self, thread_id: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM writes WHERE thread_id = ?", (thread_id,))
            conn.execute("DELETE FROM checkpoints WHERE thread_id = ?", (thread_id,))

    # ---- plumbing ------------------------------------------------------------------------------------

    def _fetchone(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        with self._locked() as conn:
            return conn.execute(sql, params).fetchone()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._closed:
                raise CheckpointError(f"{self!r} is closed; open a new SqliteSaver on the same file to go on")
            yield self._conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading a read lock.
        with self._locked() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
