"""`PostgresSaver`: checkpoints on a PostgreSQL server (psycopg 3 and its pool), shared by several kernels.

The storage design is `SqliteSaver`'s: one row per checkpoint holding the same compact JSON record (a
delta, now and then with a snapshot; ids in their columns), one row per pending write, a `seq` that gives
the put order, everything read back by `JsonSerde`, which revives only registered types. Each `put`,
`put_writes` and `delete_thread` is one transaction: a reader, a killed process or a server lost halfway
sees all of it or none of it.

Two writers never interleave a thread: each thread has a row in `wfkit_threads` holding its newest
checkpoint (its head). A `put` locks that row first (`INSERT ... ON CONFLICT DO UPDATE`, which takes the
row lock, creating the row for a new thread) and holds it until it commits, so the puts of one thread run
one after the other whatever the number of machines; under that lock it compares the head with the one
this saver last saw (read with `get(thread_id)` or stored by itself), exactly as `SqliteSaver` does: a put
continuing from a head that another writer has meanwhile moved is refused with a `CheckpointError` naming
the thread, and a fork (a put whose parent is an older checkpoint) is never refused. The lock is a row
lock, not a unique constraint on (thread, parent), because a fork may legitimately share a parent.

The tables are created on first use (`wfkit_schema` records the schema version and the wfkit that wrote
it; a database written by a newer wfkit is refused, naming both). They live in the connection's first
`search_path` schema, so several teams or tests can share one database through `options=-csearch_path=...`.
A server that cannot be reached, or is lost mid-transaction, becomes a `CheckpointError` naming the host
and port; the transaction then stored nothing, and the next call takes a fresh connection from the pool.
The saver is synchronous, like the others: the engine's async path calls it as it calls `SqliteSaver`.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from wfkit.checkpoint.base import (NS_SEP, Checkpoint, ConnectedSaver, PendingWrite, WaitingThread, _lazily, first_repeat,
                                  loops_back)
from wfkit.checkpoint.memory import _check_limit, _duplicate_message, _unknown_message, refuse_moved_head
from wfkit.checkpoint.records import (NO_SNAPSHOT, dumps_checkpoint, dumps_write, loads_checkpoint,
                                     loads_checkpoints, loads_write)
from wfkit.checkpoint.serde import JsonSerde
from wfkit.errors import CheckpointError

SCHEMA_VERSION = 1
# MIGRATIONS[n] brings a database from schema version n to n + 1 (0: no tables yet).
MIGRATIONS = [
    """
    CREATE TABLE wfkit_threads (
        thread_id TEXT PRIMARY KEY,
        head_id TEXT,
        head_step INTEGER
    );
    CREATE TABLE wfkit_checkpoints (
        seq BIGSERIAL PRIMARY KEY,
        thread_id TEXT NOT NULL,
        id TEXT NOT NULL,
        parent_id TEXT,
        step INTEGER NOT NULL,
        payload TEXT NOT NULL,
        UNIQUE (thread_id, id)
    );
    CREATE INDEX wfkit_checkpoints_by_thread ON wfkit_checkpoints (thread_id, seq);
    CREATE TABLE wfkit_writes (
        seq BIGSERIAL PRIMARY KEY,
        thread_id TEXT NOT NULL,
        checkpoint_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        key TEXT NOT NULL,
        payload TEXT NOT NULL
    );
    CREATE INDEX wfkit_writes_by_checkpoint ON wfkit_writes (thread_id, checkpoint_id, seq);
    CREATE INDEX wfkit_writes_by_key ON wfkit_writes (key, thread_id, checkpoint_id);
    """,
]
_SCHEMA_TABLE = "CREATE TABLE IF NOT EXISTS wfkit_schema (version INTEGER NOT NULL, written_by TEXT NOT NULL)"
_SCHEMA_LOCK = 7_307_233_518  # pg_advisory_xact_lock key: two first uses do not create the tables twice

_HAS_WRITES = "EXISTS (SELECT 1 FROM wfkit_writes w WHERE w.thread_id = c.thread_id AND w.checkpoint_id = c.id)"
_NEWEST = f"SELECT id, payload, {_HAS_WRITES} FROM wfkit_checkpoints c WHERE thread_id = %s ORDER BY seq DESC LIMIT 1"
_ONE = f"SELECT id, payload, {_HAS_WRITES} FROM wfkit_checkpoints c WHERE thread_id = %s AND id = %s"
_WRITES = "SELECT payload FROM wfkit_writes WHERE thread_id = %s AND checkpoint_id = %s ORDER BY seq"
# The head row, locked until the transaction ends (created for a new thread): see the module docstring.
_LOCK_HEAD = ("INSERT INTO wfkit_threads (thread_id) VALUES (%s) ON CONFLICT (thread_id) "
              "DO UPDATE SET thread_id = EXCLUDED.thread_id RETURNING head_id, head_step")
_LINEAGE = f"""
WITH RECURSIVE chain(depth, id, parent_id, payload) AS (
    SELECT 0, id, parent_id, payload FROM wfkit_checkpoints WHERE thread_id = %(thread)s AND id = %(id)s
    UNION ALL
    SELECT chain.depth + 1, c.id, c.parent_id, c.payload FROM chain
    JOIN wfkit_checkpoints AS c ON c.thread_id = %(thread)s AND c.id = chain.parent_id
    WHERE right(chain.payload, {len(NO_SNAPSHOT)}) = '{NO_SNAPSHOT}'
    AND chain.depth < (SELECT max(seq) FROM wfkit_checkpoints)
)
SELECT id, payload FROM chain ORDER BY depth
"""
# Each thread's head, when an interrupt is stored on it, with every pending write on it: oldest head first.
_WAITING = """
SELECT c.thread_id, c.id, c.payload,
       ARRAY(SELECT w.payload FROM wfkit_writes w WHERE w.thread_id = c.thread_id AND w.checkpoint_id = c.id
             ORDER BY w.seq)
FROM wfkit_threads t JOIN wfkit_checkpoints c ON c.thread_id = t.thread_id AND c.id = t.head_id
WHERE EXISTS (SELECT 1 FROM wfkit_writes i WHERE i.key = '__interrupt__' AND i.thread_id = c.thread_id
              AND i.checkpoint_id = c.id)
AND strpos(c.thread_id, chr(31)) = 0
ORDER BY c.seq LIMIT %s
"""
_UNSEEN = object()  # no head recorded for a thread: this saver never looked at it


def _psycopg():
    try:
        import psycopg
        import psycopg_pool
    except ImportError:
        raise ImportError('PostgresSaver needs psycopg 3 and psycopg-pool: pip install "wfkit[postgres]"') from None
    return psycopg, psycopg_pool


class PostgresSaver(ConnectedSaver):
    """Checkpoints on a PostgreSQL server: `PostgresSaver("host=db.example port=5432 dbname=runs user=me")`
    (any libpq conninfo string or `postgresql://` URL)."""

    def __init__(self, conninfo: str, *, serde: JsonSerde | None = None, pool_size: int = 4,
                 timeout: float = 30.0) -> None:
        psycopg, psycopg_pool = _psycopg()
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 1:
            raise ValueError(f"PostgresSaver(pool_size={pool_size!r}): give the most connections to keep "
                             f"open, an int >= 1")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ValueError(f"PostgresSaver(timeout={timeout!r}): give the seconds to wait for a connection "
                             f"or a thread's lock, a number > 0")
        self.serde = serde or JsonSerde()
        self._psycopg, self._pool_timeout = psycopg, psycopg_pool.PoolTimeout
        self._lock = threading.Lock()
        self._heads: dict[str, str | None] = {}  # thread -> the newest checkpoint this saver last saw
        self._mine: dict[str, str] = {}  # thread -> the newest checkpoint this saver stored itself
        self._timeout = timeout
        self._where = _server_name(psycopg, conninfo)
        self._closed = True
        with self._failures("cannot open the checkpoint database"):
            # One connection of our own first: an unreachable server is told now, not after the pool's timeout.
            with psycopg.connect(conninfo, autocommit=True, connect_timeout=max(1, round(timeout))) as conn:
                self._migrate(conn)
        self._pool = psycopg_pool.ConnectionPool(
            conninfo, min_size=1, max_size=pool_size, timeout=timeout, open=True, name="wfkit",
            kwargs={"autocommit": True}, check=psycopg_pool.ConnectionPool.check_connection)
        self._closed = False

    def _migrate(self, conn: Any) -> None:
        __version__ = sys.modules["wfkit"].__version__  # imported before this module; no import edge back up

        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            conn.execute(_SCHEMA_TABLE)
            row = conn.execute("SELECT version, written_by FROM wfkit_schema").fetchone()
            found, written_by = row if row else (0, None)
            if found > SCHEMA_VERSION:
                raise CheckpointError(
                    f"the checkpoint database at {self._where} was written by wfkit {written_by} (checkpoint "
                    f"schema version {found}); this wfkit {__version__} knows schema version {SCHEMA_VERSION} "
                    f"at most and changed nothing. Upgrade wfkit (pip install -U \"wfkit[postgres]\") on this "
                    f"machine, or use another database")
            for step in MIGRATIONS[found:]:
                conn.execute(step)
            if row is None:
                conn.execute("INSERT INTO wfkit_schema VALUES (%s, %s)", (SCHEMA_VERSION, __version__))
            elif found < SCHEMA_VERSION:
                conn.execute("UPDATE wfkit_schema SET version = %s, written_by = %s", (SCHEMA_VERSION, __version__))

    def close(self) -> None:
        """Close the connection pool."""
        with self._lock:
            if not self._closed:
                self._pool.close()
            self._closed = True

    def __repr__(self) -> str:
        return f"PostgresSaver({self._where})"

    def _put(self, checkpoint: Checkpoint, on_head: bool) -> None:
        payload = dumps_checkpoint(self.serde, checkpoint)  # encode first: a failure leaves nothing behind
        thread = checkpoint.thread_id
        with self._transaction("cannot store checkpoint `{}` of thread `{}`", checkpoint.id, thread) as conn:
            head = conn.execute(_LOCK_HEAD, (thread,)).fetchone()
            # `put_on_head` checks the head its caller read (the parent); `put`, the one this saver last saw.
            with self._lock:
                seen = checkpoint.parent_id if on_head else self._heads.get(thread, _UNSEEN)
                mine = self._mine.get(thread, _UNSEEN)
            refuse_moved_head(checkpoint, seen, head if head[0] is not None else None, mine)
            try:
                with conn.transaction():  # a savepoint: the duplicate is told, not the aborted transaction
                    conn.execute("INSERT INTO wfkit_checkpoints (thread_id, id, parent_id, step, payload) "
                                 "VALUES (%s, %s, %s, %s, %s)",
                                 (thread, checkpoint.id, checkpoint.parent_id, checkpoint.step, payload))
            except self._psycopg.errors.UniqueViolation:
                raise CheckpointError(_duplicate_message(checkpoint)) from None
            conn.execute("UPDATE wfkit_threads SET head_id = %s, head_step = %s WHERE thread_id = %s",
                         (checkpoint.id, checkpoint.step, thread))
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
        with self._connection("cannot read thread `{}`", thread_id) as conn:
            if checkpoint_id is None:
                row = conn.execute(_NEWEST, (thread_id,)).fetchone()
                with self._lock:
                    self._heads[thread_id] = row[0] if row else None  # what a following put continues
            else:
                row = conn.execute(_ONE, (thread_id, checkpoint_id)).fetchone()
            if row is None:
                return None, []
            found = conn.execute(_WRITES, (thread_id, row[0])).fetchall() if with_writes and row[2] else []
        checkpoint = loads_checkpoint(self.serde, row[1], thread_id, row[0])
        return checkpoint, [loads_write(self.serde, payload, thread_id, checkpoint.id) for (payload,) in found]

    def list(self, thread_id: str, *, before: str | None = None, limit: int | None = None) -> Iterator[Checkpoint]:
        _check_limit(limit)
        with self._connection("cannot list thread `{}`", thread_id) as conn:
            end = None
            if before is not None:
                found = conn.execute("SELECT seq FROM wfkit_checkpoints WHERE thread_id = %s AND id = %s",
                                     (thread_id, before)).fetchone()
                if found is None:
                    raise CheckpointError(_unknown_message(thread_id, before, "list(before=...)"))
                end = found[0]
            rows = conn.execute(
                "SELECT id, payload FROM wfkit_checkpoints WHERE thread_id = %s AND (%s::bigint IS NULL OR seq < %s) "
                "ORDER BY seq DESC LIMIT %s", (thread_id, end, end, limit)).fetchall()
        return _lazily(loads_checkpoints, self.serde, rows, thread_id)

    def lineage(self, thread_id: str, checkpoint_id: str) -> list[Checkpoint]:
        with self._connection("cannot read checkpoint `{}` of thread `{}`", checkpoint_id, thread_id) as conn:
            rows = conn.execute(_LINEAGE, {"thread": thread_id, "id": checkpoint_id}).fetchall()
        back_to = first_repeat([row[0] for row in rows])  # a damaged chain that loops ends at the depth cap
        if back_to is not None:
            raise loops_back(thread_id, checkpoint_id, back_to)
        return loads_checkpoints(self.serde, rows, thread_id)

    def put_writes(self, thread_id: str, checkpoint_id: str, writes: Iterable[PendingWrite]) -> None:
        context = f"cannot store pending writes on checkpoint `{checkpoint_id}` of thread `{thread_id}`"
        rows = [(thread_id, checkpoint_id, w.task_id, w.key, dumps_write(self.serde, w, context=context))
                for w in writes]  # all encoded before the transaction starts
        with self._transaction("{}", context) as conn:
            if conn.execute("SELECT 1 FROM wfkit_checkpoints WHERE thread_id = %s AND id = %s",
                            (thread_id, checkpoint_id)).fetchone() is None:
                raise CheckpointError(_unknown_message(thread_id, checkpoint_id, "put_writes"))
            with conn.cursor() as cursor:
                cursor.executemany("INSERT INTO wfkit_writes (thread_id, checkpoint_id, task_id, key, payload) "
                                   "VALUES (%s, %s, %s, %s, %s)", rows)

    def get_writes(self, thread_id: str, checkpoint_id: str) -> list[PendingWrite]:
        with self._connection("cannot read the pending writes on checkpoint `{}` of thread `{}`", checkpoint_id,
                              thread_id) as conn:
            rows = conn.execute(_WRITES, (thread_id, checkpoint_id)).fetchall()
        return [loads_write(self.serde, payload, thread_id, checkpoint_id) for (payload,) in rows]

    def checkpoints_with_writes(self, thread_id: str) -> set[str] | None:
        with self._connection("cannot list thread `{}`", thread_id) as conn:
            rows = conn.execute("SELECT DISTINCT checkpoint_id FROM wfkit_writes WHERE thread_id = %s",
                                (thread_id,)).fetchall()
        return {row[0] for row in rows}

    def waiting_threads(self, *, limit: int | None = None) -> list[WaitingThread]:
        _check_limit(limit, "waiting_threads")
        with self._connection("cannot list the threads waiting at an interrupt{}", "") as conn:
            rows = conn.execute(_WAITING, (limit,)).fetchall()
        return [WaitingThread(loads_checkpoint(self.serde, payload, thread, cid),
                              [loads_write(self.serde, w, thread, cid) for w in writes])
                for thread, cid, payload, writes in rows]

    def delete_thread(self, thread_id: str) -> None:
        with self._transaction("cannot delete thread `{}`", thread_id) as conn:
            conn.execute(_LOCK_HEAD, (thread_id,))
            # the thread and its subgraphs' threads (`nested_key`: the keys in [thread + NS_SEP, thread + next))
            nested = (thread_id, thread_id + NS_SEP, thread_id + chr(ord(NS_SEP) + 1))
            for table in ("wfkit_writes", "wfkit_checkpoints", "wfkit_threads"):
                conn.execute(f"DELETE FROM {table} WHERE thread_id = %s OR (thread_id >= %s AND thread_id < %s)",
                             nested)
        with self._lock:
            for key in [k for k in self._heads if k == thread_id or k.startswith(thread_id + NS_SEP)]:
                del self._heads[key]
            self._mine[thread_id] = None  # (deleted by this saver)

    # ---- plumbing ------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _connection(self, doing: str, *names: str) -> Iterator[Any]:
        """A connection of the pool; the server's failures become `CheckpointError`s starting with
        `doing.format(*names)`. A connection the server dropped is not given back: the pool opens another."""
        if self._closed:
            raise CheckpointError(f"{self!r} is closed; open a new PostgresSaver on the same database to go on")
        with self._failures(doing, *names), self._pool.connection() as conn:
            yield conn

    @contextlib.contextmanager
    def _transaction(self, doing: str, *names: str) -> Iterator[Any]:
        with self._connection(doing, *names) as conn, conn.transaction():
            # A lock held by another writer for longer than the timeout fails this put, it does not hang it.
            conn.execute(f"SET LOCAL lock_timeout = {int(self._timeout * 1000)}")
            yield conn

    @contextlib.contextmanager
    def _failures(self, doing: str, *names: str) -> Iterator[None]:
        psycopg = self._psycopg
        try:
            yield
        except CheckpointError:
            raise
        except psycopg.errors.LockNotAvailable:
            raise CheckpointError(
                f"{doing.format(*names)}: another writer held the thread's lock at {self._where} for more than "
                f"{self._timeout:g} s; nothing was stored. Retry once it is done, or give "
                f"PostgresSaver(..., timeout=...) more seconds") from None
        except self._pool_timeout as e:  # a psycopg.OperationalError too: told first
            raise CheckpointError(
                f"{doing.format(*names)}: no connection to the PostgreSQL server at {self._where} within "
                f"{self._timeout:g} s; nothing was stored. Check that the server is running and accepts "
                f"connections there, or give PostgresSaver(..., timeout=...) more seconds") from e
        except psycopg.OperationalError as e:
            # Connection refused, server gone, backend terminated, server shutting down: the transaction
            # was not committed, so it stored nothing.
            raise CheckpointError(
                f"{doing.format(*names)}: lost or could not reach the PostgreSQL server at {self._where}; "
                f"nothing was stored, and every checkpoint stored before is intact. Check that the server is "
                f"running and accepts connections there (host, port, user, password and database of the "
                f"conninfo), then run the thread again") from e
        except psycopg.Error as e:
            raise CheckpointError(f"{doing.format(*names)}: PostgreSQL failed at {self._where} "
                                  f"({type(e).__name__}: {e})") from None


def _server_name(psycopg: Any, conninfo: str) -> str:
    """`host /tmp/x port 5432 (database `runs`)`: where errors say the server is, as libpq would look for it."""
    try:
        params = psycopg.conninfo.conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError as e:
        raise ValueError(f"PostgresSaver(conninfo={conninfo!r}) is not a libpq conninfo string or "
                         f"postgresql:// URL: {e}") from None
    host = params.get("host") or params.get("hostaddr") or os.environ.get("PGHOST") or "the default local socket"
    port = params.get("port") or os.environ.get("PGPORT") or "5432"
    database = params.get("dbname") or os.environ.get("PGDATABASE")
    return f"host `{host}` port {port}" + (f" (database `{database}`)" if database else "")
