"""The review inbox (issue 33): listing every thread waiting at `interrupt()` when 10 000 threads wait.

On SqliteSaver (a file in a temporary folder) and on PostgresSaver (the server `WFKIT_POSTGRES` names, in a
schema of the bench's own, dropped at the end; without it that row is left out, as it is for a saver that
cannot list waiting threads). The threads are filled by storing one real paused thread's checkpoint and
interrupt again under each thread id (running the graph 10 000 times would time the filling, not the
listing); one thread in ten has moved on past its interrupt, so the listing must tell them apart. Timed:
`waiting_threads()`, everything decoded, on a saver opened just before (a reviewer opening the inbox).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import replace
from time import perf_counter
from typing import Any, TypedDict

from bench.growth import Row
from bench.libs import WFKIT
from bench.timing import Samples

THREADS, THREADS_QUICK = 10_000, 300
MOVED_ON = 10  # one thread in MOVED_ON has a newer checkpoint without an interrupt


class Review(TypedDict):
    draft: str
    verdict: str


def _paused(saver: Any) -> tuple[Any, list[Any]]:
    """A real thread paused at `interrupt()` on `saver`: its head checkpoint and the pending writes on it."""
    from wfkit import END, START, StateGraph, interrupt

    def write(state: Review) -> dict:
        return {"draft": "Refund order 1234: the parcel arrived broken. " * 4}

    def approve(state: Review) -> dict:
        return {"verdict": interrupt({"question": "send this refund?", "draft": state["draft"]})}

    g = StateGraph(Review)
    g.add_node("write", write)
    g.add_node("approve", approve)
    g.add_edge(START, "write")
    g.add_edge("write", "approve")
    g.add_edge("approve", END)
    config = {"configurable": {"thread_id": "model"}}
    g.compile(checkpointer=saver).invoke({"draft": "", "verdict": ""}, config)
    return saver.get_with_writes("model")


def _fill(saver: Any, threads: int) -> None:
    head, writes = _paused(saver)
    for i in range(threads):
        thread = f"review-{i:05d}"
        saver.put(replace(head, thread_id=thread, parent_id=None))
        saver.put_writes(thread, head.id, writes)
        if i % MOVED_ON == 0:
            saver.put(replace(head, id=f"{head.id}-answered", thread_id=thread, parent_id=head.id, step=head.step + 1))


def _listing(open_saver: Callable[[], Any], threads: int, reps: int) -> Samples | None:
    from wfkit.errors import UnsupportedFeatureError

    times = []
    for _ in range(reps):
        with open_saver() as saver:
            started = perf_counter()
            try:
                found = saver.waiting_threads()
            except UnsupportedFeatureError:
                return None
            times.append(perf_counter() - started)
        # Every thread but the ones that moved on, and the model thread the others were copied from.
        assert len(found) == threads - (threads + MOVED_ON - 1) // MOVED_ON + 1, len(found)
    return Samples(times)


def inbox(*, quick: bool, log: Callable[[str], None]) -> list[Row]:
    threads, reps = (THREADS_QUICK, 2) if quick else (THREADS, 7)
    from wfkit.checkpoint import SqliteSaver

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "inbox.db")
        with SqliteSaver(path) as saver:
            _fill(saver, threads)
        found = _listing(lambda: SqliteSaver(path), threads, reps)
        if found is None:
            log("inbox: SqliteSaver cannot list waiting threads (no waiting_threads): its row is left out")
        else:
            rows.append(Row("inbox listing (waiting_threads), SqliteSaver", threads, {WFKIT: found.median}))
    server = os.environ.get("WFKIT_POSTGRES")
    if not server:
        log("inbox: set WFKIT_POSTGRES to a server's conninfo for the PostgresSaver row")
        return rows
    rows += _postgres_rows(server, threads, reps)
    return rows


def _postgres_rows(server: str, threads: int, reps: int) -> list[Row]:
    import psycopg

    from wfkit.checkpoint.postgres import PostgresSaver

    schema = f"wfkit_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        conninfo = f"{server} options='-csearch_path={schema}'"
        with PostgresSaver(f"{server} options='-csearch_path={schema} -csynchronous_commit=off'") as saver:
            _fill(saver, threads)  # not waiting for each commit to reach the disk: the filling is not timed
        found = _listing(lambda: PostgresSaver(conninfo), threads, reps)
        return [Row("inbox listing (waiting_threads), PostgresSaver", threads, {WFKIT: found.median})]
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
