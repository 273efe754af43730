"""`SqliteSaver`: checkpoints in a SQLite file (stdlib `sqlite3`), so a run survives a kernel restart.

Each `put`, `put_writes` and `delete_thread` is one `BEGIN IMMEDIATE` transaction: a reader, or a process
killed halfway, sees all of it or none of it. The file uses WAL with `synchronous=NORMAL` by default: a
committed transaction survives the process being killed (SIGKILL, a dead kernel), because its WAL frames are
already written to the operating system; only an OS crash or power cut can lose the last few commits.
Pass `synchronous="FULL"` to also survive those, at the cost of an fsync per checkpoint. Checkpoint rows
keep a `seq` (autoincrement) that gives the order of `list` and a `has_writes` flag (kept by a trigger in
the file: a checkpoint with nothing pending is read in one statement); the record itself is the same
compact JSON `InMemorySaver` keeps (ids live in their columns, not in it), read back by `JsonSerde`, which
revives only registered types.

Several processes (two kernels, say) may share a file. Each `SqliteSaver` remembers the newest checkpoint
it last saw of each thread (read with `get(thread_id)` or stored by itself); a `put` that continues from
that checkpoint, while another writer has meanwhile stored a newer one on the same thread, is refused with
a `CheckpointConflictError` that names the thread, inside the same `BEGIN IMMEDIATE` transaction that would
have stored it: two kernels stepping one thread never interleave their supersteps or lose one, and the loser is
told to reload. A put whose parent is an older checkpoint (a fork: `update_state` or a replay from an earlier
`checkpoint_id`) starts a new branch and is never refused. Runs of one process sharing a saver are told apart
by the engine: it stores each superstep with `put_on_head`, which checks the head that run read (the parent)
rather than the one this saver last saw. SQLite's own failures (a file locked for longer than `timeout` seconds, a
read-only or full file, an I/O error) become `CheckpointError`s that name the file and the cause; a failed
transaction stores nothing, so every earlier checkpoint stays readable. A file that cannot be written (a
read-only folder or mount, where SQLite cannot even make the `-shm` index a WAL file is read through) is
opened read-only: its threads read, and a write is refused with a `CheckpointError` that says so.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from wfkit.checkpoint.base import (NS_SEP, Checkpoint, ConnectedSaver, PendingWrite, WaitingThread, _lazily,
                                  first_repeat, loops_back)
from wfkit.checkpoint.memory import _check_limit, _duplicate_message, _unknown_message, refuse_moved_head
from wfkit.checkpoint.records import (NO_SNAPSHOT, dumps_checkpoint, dumps_write, has_snapshot, loads_checkpoint,
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
    has_writes INTEGER NOT NULL DEFAULT 0,
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
# Finds the interrupt writes for `waiting_threads`; added to older files when they are opened (left out of a
# file that cannot be changed: the query then scans the writes).
_BY_KEY = "CREATE INDEX IF NOT EXISTS writes_by_key ON writes (key, thread_id, checkpoint_id)"
_SYNCHRONOUS = ("NORMAL", "FULL", "EXTRA")
# Each checkpoint row tells whether pending writes are stored on it: `has_writes`, set by a trigger kept
# in the file itself (so every writer of the file keeps it, this class or not), so that reading a checkpoint
# with nothing pending on it is one statement on one table (`get_with_writes`). A file made before the
# column existed gets it (and the trigger) once, when it is opened; one that cannot be changed (read-only)
# is read with a subquery on the writes instead.
_MARK = "writes_mark_their_checkpoint"
_MARK_TRIGGER = f"""
CREATE TRIGGER IF NOT EXISTS {_MARK} AFTER INSERT ON writes BEGIN
    UPDATE checkpoints SET has_writes = 1
    WHERE thread_id = NEW.thread_id AND id = NEW.checkpoint_id AND has_writes = 0;
END
"""
_HAS_WRITES_SUBQUERY = ("EXISTS (SELECT 1 FROM writes WHERE writes.thread_id = ?1 AND "
                        "writes.checkpoint_id = checkpoints.id)")
# Reading one checkpoint also reads the rows stored just before it on its thread (one short query): on a
# linear thread they are its nearest ancestors, so rebuilding its state (at most `rebuild.EVERY` deltas
# from a snapshot, for a state its deltas keep rewriting) needs no second, recursive query. A cold
# `get_state` on a fresh connection pays SQLite's statement preparation per distinct query: the recursive
# one alone cost more than the rest (bench/growth.py). Rows are never changed once stored, but for their
# `has_writes` flag.
_NEARBY = 10  # rebuild.EVERY (8) deltas and the snapshot under them, with one to spare


def _reads(has_writes: str) -> tuple[str, str]:
    """The newest rows of a thread, and the rows at or before a checkpoint (its own first; none at all when
    it is not there: seq <= NULL), each `(id, parent_id, payload, has_writes)`, newest first."""
    rows = f"SELECT id, parent_id, payload, {has_writes} FROM checkpoints WHERE thread_id = ?1"
    return (f"{rows} ORDER BY seq DESC LIMIT {_NEARBY}",
            f"{rows} AND seq <= (SELECT seq FROM checkpoints WHERE thread_id = ?1 AND id = ?2) "
            f"ORDER BY seq DESC LIMIT {_NEARBY}")


_MARKED_READS, _UNMARKED_READS = _reads("has_writes"), _reads(_HAS_WRITES_SUBQUERY)
_HEAD = "SELECT id, step FROM checkpoints WHERE thread_id = ? ORDER BY seq DESC LIMIT 1"
# The threads whose newest checkpoint has an interrupt on it (found from the interrupt writes, by index),
# each with all the writes on that checkpoint: one query, rows in (head seq, write seq) order.
_WAITING = """
WITH heads AS (
    SELECT c.seq, c.thread_id, c.id, c.payload FROM
        (SELECT DISTINCT thread_id, checkpoint_id FROM writes WHERE key = '__interrupt__') AS i
    JOIN checkpoints AS c ON c.thread_id = i.thread_id AND c.id = i.checkpoint_id
    WHERE c.seq = (SELECT MAX(seq) FROM checkpoints AS h WHERE h.thread_id = c.thread_id)
    AND instr(c.thread_id, char(31)) = 0
    ORDER BY c.seq LIMIT ?
)
SELECT heads.thread_id, heads.id, heads.payload, w.payload FROM heads
JOIN writes AS w ON w.thread_id = heads.thread_id AND w.checkpoint_id = heads.id
ORDER BY heads.seq, w.seq
"""
_UNSEEN = object()  # no head recorded for a thread: this saver never looked at it
# A checkpoint and its ancestors down to the first with a snapshot (its record does not end in
# `NO_SNAPSHOT`) or without a parent: one query, whatever the length of the thread. A chain is never longer
# than the table (its largest `seq`, read from the rowid index): a parent chain that loops (a damaged file)
# stops there, with an id repeated, instead of growing until memory runs out.
_LINEAGE = f"""
WITH RECURSIVE chain(depth, id, parent_id, payload) AS (
    SELECT 0, id, parent_id, payload FROM checkpoints WHERE thread_id = :thread AND id = :id
    UNION ALL
    SELECT chain.depth + 1, c.id, c.parent_id, c.payload FROM chain
    JOIN checkpoints AS c ON c.thread_id = :thread AND c.id = chain.parent_id
    WHERE substr(chain.payload, -{len(NO_SNAPSHOT)}) = '{NO_SNAPSHOT}'
    AND chain.depth < (SELECT max(seq) FROM checkpoints)
)
SELECT id, payload FROM chain ORDER BY depth
"""


class SqliteSaver(ConnectedSaver):
    """Checkpoints in a SQLite database: `SqliteSaver("runs.db")`, or an open `sqlite3.Connection`."""

    def __init__(self, path_or_conn: str | os.PathLike[str] | sqlite3.Connection, *,
                 serde: JsonSerde | None = None, synchronous: str = "NORMAL", timeout: float = 30.0) -> None:
        if synchronous not in _SYNCHRONOUS:
            raise ValueError(f"SqliteSaver(synchronous={synchronous!r}): use one of "
                             f"{', '.join(map(repr, _SYNCHRONOUS))}")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout >= 0:
            raise ValueError(f"SqliteSaver(timeout={timeout!r}): give the seconds to wait for another "
                             f"writer's lock, a number >= 0")
        self.serde = serde or JsonSerde()
        self._lock = threading.Lock()
        self._heads: dict[str, str | None] = {}  # thread -> the newest checkpoint this saver last saw
        self._mine: dict[str, str | None] = {}  # thread -> the head this saver left: stored last, or None
        # thread -> the rows (id, parent_id, payload, has_writes) read with the last checkpoint read, newest
        # first (see _NEARBY)
        self._nearby: dict[str, list[tuple]] = {}
        self._chains: dict[str, list[Checkpoint]] = {}  # thread -> the last checkpoint read and its lineage
        self._timeout = timeout
        if isinstance(path_or_conn, sqlite3.Connection):
            # A connection the caller made: they close it. Sharing it between threads needs
            # check_same_thread=False on their side; our lock serializes the use.
            self._conn, self._owns, self._name = path_or_conn, False, "<connection>"
        else:
            self._name = os.fspath(path_or_conn)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, one transaction per operation.
            try:
                self._conn = sqlite3.connect(self._name, check_same_thread=False, isolation_level=None,
                                             timeout=timeout)
            except sqlite3.Error as e:
                raise CheckpointError(f"cannot open `{self._name}` as a checkpoint database ({e}); check that "
                                      f"its folder exists and this process may write there") from None
            self._owns = True
        self._closed = False
        self._file = self._name
        try:
            if not self._owns:  # name the file in errors, not the connection
                files = [row[2] for row in self._conn.execute("PRAGMA database_list") if row[1] == "main"]
                self._file = files[0] if files and files[0] else ":memory:"
            try:
                self._conn.execute("PRAGMA journal_mode=WAL")  # ignored (stays "memory") for ":memory:"
            except sqlite3.OperationalError as e:
                if not (self._owns and _code(e) in (_CANTOPEN, _READONLY) and os.path.isfile(self._name)):
                    raise
                self._open_read_only()  # a WAL file in a folder this process cannot write to
            else:
                self._conn.execute(f"PRAGMA synchronous={synchronous}")
                self._conn.executescript(_SCHEMA)
            self._newest, self._at_or_before = _MARKED_READS if self._mark_writes() else _UNMARKED_READS
            self._index_keys()
        except sqlite3.DatabaseError as e:
            self.close()
            if _code(e) == _NOTADB:
                raise CheckpointError(f"cannot use {self._name!r} as a checkpoint database ({e}); pass the path "
                                      f"of a SQLite file, or of a new file to create") from None
            raise CheckpointError(_sqlite_message(f"cannot open `{self._name}` as a checkpoint database",
                                                  self._file, timeout, e)) from None

    def _open_read_only(self) -> None:
        """Reopen the file read-only. A file in WAL mode needs its `-shm` index even to be read, and SQLite
        cannot create one in a read-only folder: then, if no commit waits in the `-wal` file (a clean close
        empties or removes it), the file is read as `immutable` (no index, no locks), else refused."""
        self._conn.close()
        uri = pathlib.Path(os.path.abspath(self._name)).as_uri()
        wal = f"{self._name}-wal"
        modes = ["mode=ro"] + ([] if os.path.exists(wal) and os.path.getsize(wal) else ["immutable=1"])
        for mode in modes:
            self._conn = sqlite3.connect(f"{uri}?{mode}", uri=True, check_same_thread=False, isolation_level=None,
                                         timeout=self._timeout)
            try:
                found = self._conn.execute("SELECT name FROM sqlite_master WHERE name = 'checkpoints'").fetchall()
            except sqlite3.OperationalError as e:
                if _code(e) != _CANTOPEN:
                    raise
                self._conn.close()
                continue
            if not found:
                self._conn.close()
                raise CheckpointError(f"cannot open `{self._name}` as a checkpoint database: it is read-only and "
                                      f"holds no checkpoints (no `checkpoints` table); pass a file SqliteSaver "
                                      f"wrote, or make it writable")
            return
        raise CheckpointError(f"cannot open `{self._name}` as a checkpoint database: it is in WAL mode, its folder "
                              f"is read-only (SQLite cannot create its `-shm` index there), and `{wal}` holds "
                              f"commits not yet written into the file; make the folder writable, or copy the "
                              f"file with its `-wal` somewhere writable")

    def _mark_writes(self) -> bool:
        """Whether the file's checkpoint rows tell that writes are pending on them (see `_MARK`): adds the
        column and the trigger to a file made before them, in one transaction; False when the file cannot be
        changed (read-only, or locked by another writer for longer than `timeout`)."""
        conn = self._conn
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (_MARK,)).fetchone():
            return True
        try:
            conn.execute("BEGIN IMMEDIATE")
            if "has_writes" not in [row[1] for row in conn.execute("PRAGMA table_info(checkpoints)")]:
                conn.execute("ALTER TABLE checkpoints ADD COLUMN has_writes INTEGER NOT NULL DEFAULT 0")
                conn.execute(f"UPDATE checkpoints SET has_writes = 1 WHERE "
                             f"{_HAS_WRITES_SUBQUERY.replace('?1', 'checkpoints.thread_id')}")
            conn.execute(_MARK_TRIGGER)
            conn.execute("COMMIT")
        except BaseException as e:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            code = getattr(e, "sqlite_errorcode", 0) & 0xFF
            if isinstance(e, sqlite3.OperationalError) and code in (_READONLY, _BUSY, _LOCKED):
                return False  # nothing was changed: read with the subquery
            raise
        return True

    def _index_keys(self) -> None:
        try:
            self._conn.execute(_BY_KEY)
        except sqlite3.OperationalError as e:
            if getattr(e, "sqlite_errorcode", 0) & 0xFF not in (_READONLY, _BUSY, _LOCKED):
                raise

    def close(self) -> None:
        """Close the database (only a connection this saver opened itself)."""
        with self._lock:
            if not self._closed and self._owns:
                self._conn.close()
            self._closed = True

    def __repr__(self) -> str:
        return f"SqliteSaver({self._name!r})"

    def _put(self, checkpoint: Checkpoint, on_head: bool) -> None:
        payload = dumps_checkpoint(self.serde, checkpoint)  # encode first: a failure leaves nothing behind
        thread = checkpoint.thread_id
        with self._transaction("cannot store checkpoint `{}` of thread `{}`", checkpoint.id, thread) as conn:
            # Inside the write transaction: no other writer can slip in between this check and the insert.
            # `put_on_head` checks the head its caller read (the parent); `put`, the one this saver last saw.
            seen = checkpoint.parent_id if on_head else self._heads.get(thread, _UNSEEN)
            head = conn.execute(_HEAD, (thread,)).fetchone()
            refuse_moved_head(checkpoint, seen, head, self._mine.get(thread, _UNSEEN))
            try:
                conn.execute("INSERT INTO checkpoints (thread_id, id, parent_id, step, payload) VALUES (?,?,?,?,?)",
                             (thread, checkpoint.id, checkpoint.parent_id, checkpoint.step, payload))
            except sqlite3.IntegrityError:  # UNIQUE (thread_id, id)
                raise CheckpointError(_duplicate_message(checkpoint)) from None
        with self._lock:
            self._heads[thread] = self._mine[thread] = checkpoint.id

    def get(self, thread_id: str, checkpoint_id: str | None = None) -> Checkpoint | None:
        return self._read(thread_id, checkpoint_id, False)[0]

    def get_with_writes(self, thread_id: str, checkpoint_id: str | None = None) -> tuple[Checkpoint | None,
                                                                                          list[PendingWrite]]:
        """`get` and the pending writes on that checkpoint: one statement when there are none."""
        return self._read(thread_id, checkpoint_id, True)

    def _read(self, thread_id: str, checkpoint_id: str | None, with_writes: bool) -> tuple[Checkpoint | None,
                                                                                         list[PendingWrite]]:
        """The checkpoint (the newest with None) and, `with_writes`, the pending writes on it. The rows stored
        just before it are read with it, down to its ancestor with a snapshot (`_NEARBY` at most), and kept
        for `lineage`: its ancestors among them are parsed with it, in one parse."""
        with self._locked("cannot read thread `{}`", thread_id) as conn:
            if checkpoint_id is None:
                rows, chain = _chain_rows(conn.execute(self._newest, (thread_id,)))
                self._heads[thread_id] = rows[0][0] if rows else None  # what a following put continues
            else:
                rows, chain = _chain_rows(conn.execute(self._at_or_before, (thread_id, checkpoint_id)))
            if not rows:
                return None, []
            self._nearby[thread_id] = rows
            self._chains.pop(thread_id, None)
            head = rows[0]  # (id, parent_id, payload, has_writes)
            found = self._writes(thread_id, head[0]) if with_writes and head[3] else None
            loaded = None
            if chain is not None and len(chain) > 1:
                try:
                    loaded = self._chains[thread_id] = loads_checkpoints(self.serde, chain, thread_id)
                except CheckpointError:  # a damaged ancestor: named when its lineage is read
                    pass
        checkpoint = loaded[0] if loaded else loads_checkpoint(self.serde, head[2], thread_id, head[0])
        if not found:
            return checkpoint, []
        return checkpoint, [loads_write(self.serde, payload, thread_id, checkpoint.id) for (payload,) in found]

    def list(self, thread_id: str, *, before: str | None = None, limit: int | None = None) -> Iterator[Checkpoint]:
        _check_limit(limit)
        with self._locked("cannot list thread `{}`", thread_id) as conn:
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
        with self._locked("cannot read checkpoint `{}` of thread `{}`", checkpoint_id, thread_id) as conn:
            chain = self._chains.pop(thread_id, None)  # the ancestors of the checkpoint read last, parsed
            if chain is not None and chain[1].id == checkpoint_id:
                return chain[1:]
            rows = self._nearby_lineage(thread_id, checkpoint_id)
            if rows is None:  # the chain leaves the rows read last: walk it in the database
                rows = conn.execute(_LINEAGE, {"thread": thread_id, "id": checkpoint_id}).fetchall()
                back_to = first_repeat([row[0] for row in rows])
                if back_to is not None:
                    raise loops_back(thread_id, checkpoint_id, back_to)
        return loads_checkpoints(self.serde, rows, thread_id)

    def _nearby_lineage(self, thread_id: str, checkpoint_id: str) -> list[tuple[str, Any]] | None:
        """The lineage from the rows read with the last checkpoint read, or None if they do not hold all of it."""
        rows = self._nearby.get(thread_id)
        if not rows:
            return None
        by_id = {row[0]: row for row in rows}
        found: list[tuple[str, Any]] = []
        seen: set[str] = set()
        next_id: str | None = checkpoint_id
        while next_id is not None:
            row = by_id.get(next_id)
            if row is None:
                return None
            if next_id in seen:
                raise loops_back(thread_id, checkpoint_id, next_id)
            seen.add(next_id)
            found.append((next_id, row[2]))
            next_id = row[1] if type(row[2]) is str and not has_snapshot(row[2]) else None
        return found

    def put_writes(self, thread_id: str, checkpoint_id: str, writes: Iterable[PendingWrite]) -> None:
        context = f"cannot store pending writes on checkpoint `{checkpoint_id}` of thread `{thread_id}`"
        rows = [(thread_id, checkpoint_id, w.task_id, w.key, dumps_write(self.serde, w, context=context))
                for w in writes]  # all encoded before the transaction starts
        with self._transaction("{}", context) as conn:
            if conn.execute("SELECT 1 FROM checkpoints WHERE thread_id = ? AND id = ?",
                            (thread_id, checkpoint_id)).fetchone() is None:
                raise CheckpointError(_unknown_message(thread_id, checkpoint_id, "put_writes"))
            conn.executemany("INSERT INTO writes (thread_id, checkpoint_id, task_id, key, payload) "
                             "VALUES (?,?,?,?,?)", rows)

    def get_writes(self, thread_id: str, checkpoint_id: str) -> list[PendingWrite]:
        with self._locked("cannot read the pending writes on checkpoint `{}` of thread `{}`", checkpoint_id,
                          thread_id):
            rows = self._writes(thread_id, checkpoint_id)
        return [loads_write(self.serde, payload, thread_id, checkpoint_id) for (payload,) in rows]

    def _writes(self, thread_id: str, checkpoint_id: str) -> list[tuple[str]]:
        return self._conn.execute("SELECT payload FROM writes WHERE thread_id = ? AND checkpoint_id = ? ORDER BY seq",
                                  (thread_id, checkpoint_id)).fetchall()

    def checkpoints_with_writes(self, thread_id: str) -> set[str] | None:
        with self._locked("cannot list thread `{}`", thread_id) as conn:
            rows = conn.execute("SELECT DISTINCT checkpoint_id FROM writes WHERE thread_id = ?", (thread_id,)).fetchall()
        return {row[0] for row in rows}

    def waiting_threads(self, *, limit: int | None = None) -> list[WaitingThread]:
        _check_limit(limit, "waiting_threads")
        with self._locked("cannot list the threads waiting at an interrupt in `{}`", self._file) as conn:
            rows = conn.execute(_WAITING, (-1 if limit is None else limit,)).fetchall()
        found: list[WaitingThread] = []
        for thread_id, checkpoint_id, payload, write in rows:
            if not found or found[-1].checkpoint.id != checkpoint_id or found[-1].checkpoint.thread_id != thread_id:
                found.append(WaitingThread(loads_checkpoint(self.serde, payload, thread_id, checkpoint_id), []))
            found[-1].writes.append(loads_write(self.serde, write, thread_id, checkpoint_id))
        return found

    def delete_thread(self, thread_id: str) -> None:
        with self._transaction("cannot delete thread `{}`", thread_id) as conn:
            # the thread and its subgraphs' threads (`nested_key`: the keys in [thread + NS_SEP, thread + next))
            nested = (thread_id, thread_id + NS_SEP, thread_id + chr(ord(NS_SEP) + 1))
            for table in ("writes", "checkpoints"):
                conn.execute(f"DELETE FROM {table} WHERE thread_id = ? OR (thread_id >= ? AND thread_id < ?)", nested)
        with self._lock:
            for cache in (self._heads, self._nearby, self._chains):
                for key in [k for k in cache if k == thread_id or k.startswith(thread_id + NS_SEP)]:
                    del cache[key]
            self._mine[thread_id] = None  # (deleted by this saver)

    # ---- plumbing ------------------------------------------------------------------------------------

    def _locked(self, doing: str, *names: str) -> _Locked:
        """`with self._locked("cannot read `{}`", name):` holds the lock, and turns SQLite's errors into
        `CheckpointError`s that start with `doing.format(*names)` (formatted only then: a small class, not a
        generator, because a cold read runs through it twice)."""
        return _Locked(self, doing, names)

    @contextlib.contextmanager
    def _transaction(self, doing: str, *names: str) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading a read lock.
        with self._locked(doing, *names) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                # SQLite may have rolled back already (a full disk does); the first error is the one to tell.
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise


def _chain_rows(cursor: sqlite3.Cursor) -> tuple[list[tuple], list[tuple[str, Any]] | None]:
    """The rows of `cursor` (newest first) until the first one's chain of parents reaches a snapshot or the
    root (the rows after that are never stepped through), and that chain as `(id, payload)`s, first row
    first; None for the chain when it leaves the rows."""
    rows: list[tuple] = []
    chain: list[tuple[str, Any]] = []
    next_id: str | None = None  # the parent the chain continues with (read once the chain has a row)
    try:
        for row in cursor:
            rows.append(row)
            cid, parent, payload = row[0], row[1], row[2]
            if not chain or cid == next_id:
                chain.append((cid, payload))
                next_id = parent if type(payload) is str and not has_snapshot(payload) else None
                if next_id is None:
                    return rows, chain
    finally:
        cursor.close()  # resets the statement: the read ends here
    return rows, None


class _Locked:
    __slots__ = ("saver", "doing", "names")

    def __init__(self, saver: SqliteSaver, doing: str, names: tuple[str, ...]):
        self.saver, self.doing, self.names = saver, doing, names

    def __enter__(self) -> sqlite3.Connection:
        saver = self.saver
        saver._lock.acquire()
        if saver._closed:
            saver._lock.release()
            raise CheckpointError(f"{saver!r} is closed; open a new SqliteSaver on the same file to go on")
        return saver._conn

    def __exit__(self, kind: type | None, error: BaseException | None, tb: Any) -> None:
        saver = self.saver
        saver._lock.release()
        if kind is not None and issubclass(kind, sqlite3.Error):
            doing = self.doing.format(*self.names)
            raise CheckpointError(_sqlite_message(doing, saver._file, saver._timeout, error)) from None


# SQLite's primary result codes for the failures a user can act on (`sqlite_errorcode` is the extended code).
_BUSY, _LOCKED, _READONLY, _IOERR, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 13, 14, 26


def _code(error: BaseException) -> int:
    return getattr(error, "sqlite_errorcode", 0) & 0xFF


def _sqlite_message(doing: str, file: str, timeout: float, error: sqlite3.Error) -> str:
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    kept = "the file was not changed, and every checkpoint stored before is intact"
    if code in (_BUSY, _LOCKED):
        return (f"{doing}: `{file}` stayed locked by another writer for more than {timeout:g} s; {kept}. Retry "
                f"once it is done, or give SqliteSaver(..., timeout=...) more seconds")
    if code == _READONLY:
        return (f"{doing}: `{file}` is read-only (file permissions, a read-only mount, `mode=ro` or `PRAGMA "
                f"query_only`); {kept}. Make it writable and run the thread again")
    if code == _FULL:
        return (f"{doing}: `{file}` is full (no space left on its disk, or its `PRAGMA max_page_count` was "
                f"reached); {kept}. Free some space and run the thread again")
    if code == _IOERR:
        return (f"{doing}: the disk failed while using `{file}` (an I/O error); {kept}. Check the disk, then "
                f"run the thread again")
    return f"{doing}: SQLite failed on `{file}` ({type(error).__name__}: {error})"
