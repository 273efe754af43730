"""The review inbox (issue 33): listing every thread waiting at `interrupt()` when 10 000 threads wait.

On SqliteSaver (a file in a temporary folder) and on PostgresSaver (the server `WFKIT_POSTGRES` names, in a
schema of the bench's own, dropped at the end; without it that row is left out, as it is for a saver that
cannot list waiting threads). The threads are filled by storing one real paused thread's checkpoint and
interrupt again under each thread id (running the graph 10 000 times would time the filling, not the
listing); one thread in ten has moved on past its interrupt, so the listing must tell them apart. Timed:
`waiting_threads()`, everything decoded, on a saver opened just before (a reviewer opening the inbox).

Then four reviewers, each a process of its own (`python -m bench.inbox reviewer ...`: four kernels, on one
machine here), work through an inbox of waiting threads (none moved on): each reads the list, takes every
fourth thread, and answers it as the inbox does (read the head to check the interrupt still waits, then resume
the thread to its end). Timed: from the moment all four are told to start (imports, opening the saver and
compiling are left out) until the last one finishes; the row gives the resumes per second of the four together.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
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
REVIEWERS = 4
ANSWERED, ANSWERED_QUICK = 1000, 40  # waiting threads the four reviewers answer


class Review(TypedDict):
    draft: str
    verdict: str


def _graph(saver: Any) -> Any:
    """Write a draft, then wait at `interrupt()` for a reviewer to approve it."""
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
    return g.compile(checkpointer=saver)


def _paused(saver: Any) -> tuple[Any, list[Any]]:
    """A real thread paused at `interrupt()` on `saver`: its head checkpoint and the pending writes on it."""
    _graph(saver).invoke({"draft": "", "verdict": ""}, {"configurable": {"thread_id": "model"}})
    return saver.get_with_writes("model")


def _fill(saver: Any, threads: int, *, moved_on: bool = True) -> None:
    """The model thread and `threads` copies of it (one in MOVED_ON moved on past its interrupt if `moved_on`)."""
    head, writes = _paused(saver)
    for i in range(threads):
        thread = f"review-{i:05d}"
        saver.put(replace(head, thread_id=thread, parent_id=None))
        saver.put_writes(thread, head.id, writes)
        if moved_on and i % MOVED_ON == 0:
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


def _reviewers(backend: str, where: str, answered: int, reps: int, fill_with: str) -> float:
    """Four reviewer processes answer `answered` waiting threads: the median resumes per second of `reps` runs.
    Each run is filled afresh (through `fill_with`, the same store without waiting for the disk when it can)."""
    rates = []
    for _ in range(reps):
        with _open(backend, fill_with) as saver:
            _clear(saver, answered)  # the threads of the run before
            _fill(saver, answered - 1, moved_on=False)  # and the model thread: `answered` in all
        with tempfile.TemporaryDirectory() as gate:
            workers = [subprocess.Popen([sys.executable, "-m", "bench.inbox", "reviewer", backend, where, str(who),
                                         gate], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                       for who in range(REVIEWERS)]
            while len(os.listdir(gate)) < REVIEWERS and all(w.poll() is None for w in workers):
                time.sleep(0.01)
            open(os.path.join(gate, "go"), "w").close()
            done = []
            for worker in workers:
                out, err = worker.communicate(timeout=3600)
                if worker.returncode != 0:
                    raise RuntimeError(f"a reviewer process failed:\n{err[-3000:]}")
                done.append(json.loads(out.strip().splitlines()[-1]))
        assert sum(d["resumed"] for d in done) == answered, done
        with _open(backend, where) as saver:
            assert saver.waiting_threads() == [], "the reviewers left threads waiting"
        rates.append(answered / (max(d["ended"] for d in done) - min(d["started"] for d in done)))
    return sorted(rates)[len(rates) // 2]


def _clear(saver: Any, threads: int) -> None:
    for thread in ("model", *(f"review-{i:05d}" for i in range(threads))):
        saver.delete_thread(thread)


def _open(backend: str, where: str) -> Any:
    if backend == "postgres":
        from wfkit.checkpoint.postgres import PostgresSaver

        return PostgresSaver(where)
    from wfkit.checkpoint import SqliteSaver

    return SqliteSaver(where)


def reviewer(backend: str, where: str, who: int, gate: str) -> dict:
    """One of the four reviewers (in a process of its own): answer every REVIEWERS-th waiting thread."""
    from wfkit import Command
    from wfkit.stepping import check_waiting

    with _open(backend, where) as saver:
        app = _graph(saver)
        # Each reviewer's share is read before the start: read after it, a list that another reviewer has
        # already shortened would shift the shares, and two reviewers would take the same thread.
        mine = app.waiting_threads()[who::REVIEWERS]
        open(os.path.join(gate, f"ready-{who}"), "w").close()
        while not os.path.exists(os.path.join(gate, "go")):
            time.sleep(0.002)
        started = time.monotonic()  # the system's monotonic clock: the same in the four processes
        for snapshot in mine:
            config = {"configurable": {"thread_id": snapshot.config["configurable"]["thread_id"]}}
            check_waiting(app, config, tuple(i.id for i in snapshot.interrupts))
            app.invoke(Command(resume="approved"), config)
        return {"started": started, "ended": time.monotonic(), "resumed": len(mine)}


def inbox(*, quick: bool, log: Callable[[str], None]) -> list[Row]:
    threads, reps = (THREADS_QUICK, 2) if quick else (THREADS, 7)
    answered, reviewer_reps = (ANSWERED_QUICK, 1) if quick else (ANSWERED, 3)
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
        path = os.path.join(folder, "answers.db")
        rate = _reviewers("sqlite", path, answered, reviewer_reps, path)
        rows.append(Row(f"resumes per second, {REVIEWERS} reviewer processes, SqliteSaver", answered,
                        {WFKIT: rate}, unit="/s"))
    server = os.environ.get("WFKIT_POSTGRES")
    if not server:
        log("inbox: set WFKIT_POSTGRES to a server's conninfo for the PostgresSaver rows")
        return rows
    rows += _postgres_rows(server, threads, reps, answered, reviewer_reps)
    return rows


def _postgres_rows(server: str, threads: int, reps: int, answered: int, reviewer_reps: int) -> list[Row]:
    import psycopg

    from wfkit.checkpoint.postgres import PostgresSaver

    schema = f"wfkit_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        conninfo = f"{server} options='-csearch_path={schema}'"
        unsynced = f"{server} options='-csearch_path={schema} -csynchronous_commit=off'"
        with PostgresSaver(unsynced) as saver:
            _fill(saver, threads)  # not waiting for each commit to reach the disk: the filling is not timed
        found = _listing(lambda: PostgresSaver(conninfo), threads, reps)
        with PostgresSaver(unsynced) as saver:
            _clear(saver, threads)
        rate = _reviewers("postgres", conninfo, answered, reviewer_reps, unsynced)
        return [Row("inbox listing (waiting_threads), PostgresSaver", threads, {WFKIT: found.median}),
                Row(f"resumes per second, {REVIEWERS} reviewer processes, PostgresSaver", answered, {WFKIT: rate},
                    unit="/s")]
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__" and sys.argv[1:2] == ["reviewer"]:
    backend, where, who, gate = sys.argv[2:6]
    print(json.dumps(reviewer(backend, where, int(who), gate)))
