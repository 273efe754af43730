"""Several writers on one `SqliteSaver` file: no superstep lost or interleaved, the loser told to reload.

Two savers opened on one file stand for two kernels: each remembers the head of a thread it last saw, and a
put that continues from a head another writer has meanwhile moved is refused, while a fork from an older
checkpoint is not. The last test runs real processes against each other.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import threading
import sys

import pytest

from wfkit.checkpoint import Checkpoint, SqliteSaver
from wfkit.errors import CheckpointError

from ._race_graph import build

HERE = os.path.dirname(os.path.abspath(__file__))


def _cp(id_, parent=None, step=0, thread="t"):
    return Checkpoint(id=id_, thread_id=thread, parent_id=parent, step=step, source="loop", created_at="now",
                      writes=[("n", "k", id_)])


def _advanced(id_, head, step, seen, thread="t"):
    return (f"cannot store checkpoint `{id_}` of thread `{thread}`: another process advanced the thread "
            f"meanwhile (its newest checkpoint is now `{head}` (step {step}), where this one last saw {seen}); "
            f"nothing was stored — reload the thread (get_state, or invoke it again) and retry the step")


@pytest.fixture
def two(tmp_path):
    path = str(tmp_path / "shared.db")
    with SqliteSaver(path) as a, SqliteSaver(path) as b:
        yield a, b


def test_a_put_on_a_head_another_writer_moved_is_refused_and_stores_nothing(two):
    a, b = two
    a.put(_cp("c0"))
    assert a.get("t").id == b.get("t").id == "c0"
    a.put(_cp("a1", "c0", step=1))
    with pytest.raises(CheckpointError) as e:
        b.put(_cp("b1", "c0", step=1))
    assert str(e.value) == _advanced("b1", "a1", 1, "`c0`")
    assert [(c.id, c.parent_id) for c in b.list("t")] == [("a1", "c0"), ("c0", None)]
    # Reloading is the fix: b continues from a's checkpoint.
    assert b.get("t").id == "a1"
    b.put(_cp("b2", "a1", step=2))
    assert [(c.id, c.step) for c in a.list("t")] == [("b2", 2), ("a1", 1), ("c0", 0)]


def test_a_writer_that_keeps_going_on_its_own_head_is_not_refused(two):
    a, b = two
    a.put(_cp("c0"))
    for i in range(1, 4):
        a.put(_cp(f"c{i}", f"c{i - 1}", step=i))
    assert b.get("t", "c2").id == "c2"  # reading an old checkpoint does not move what b saw as head
    assert [c.id for c in b.list("t")] == ["c3", "c2", "c1", "c0"]


def test_a_fork_from_an_older_checkpoint_is_a_new_branch_not_a_conflict(two):
    a, b = two
    a.put(_cp("c0"))
    a.put(_cp("c1", "c0", step=1))
    assert b.get("t").id == "c1"
    a.put(_cp("c2", "c1", step=2))
    b.put(_cp("fork", "c0", step=1))  # b forks from c0 (update_state / replay); c2 is still there
    assert [(c.id, c.parent_id) for c in a.list("t")] == [("fork", "c0"), ("c2", "c1"), ("c1", "c0"),
                                                           ("c0", None)]


def test_starting_a_thread_that_another_writer_has_just_started_is_refused(two):
    a, b = two
    assert a.get("t") is None and b.get("t") is None
    a.put(_cp("a0"))
    with pytest.raises(CheckpointError) as e:
        b.put(_cp("b0"))
    assert str(e.value) == _advanced("b0", "a0", 0, "no checkpoint at all")
    assert [c.id for c in b.list("t")] == ["a0"]


def test_continuing_a_thread_that_another_writer_deleted_is_refused(two):
    a, b = two
    a.put(_cp("c0"))
    assert b.get("t").id == "c0"
    a.delete_thread("t")
    with pytest.raises(CheckpointError) as e:
        b.put(_cp("c1", "c0", step=1))
    assert str(e.value) == ("cannot store checkpoint `c1` of thread `t`: another process advanced the thread "
                            "meanwhile (it has no checkpoint any more (it was deleted), where this one last saw "
                            "`c0`); nothing was stored — reload the thread (get_state, or invoke it again) and "
                            "retry the step")
    assert list(a.list("t")) == []


def test_other_threads_of_the_file_do_not_conflict(two):
    a, b = two
    a.put(_cp("x0", thread="x"))
    b.put(_cp("y0", thread="y"))
    assert b.get("x").id == "x0"
    a.put(_cp("y1", "y0", thread="y", step=1))
    b.put(_cp("x1", "x0", thread="x", step=1))  # b's view of x is still its head
    assert [c.id for c in a.list("x")] == ["x1", "x0"]


def test_a_lock_held_longer_than_the_timeout_names_the_file_not_sqlite(tmp_path):
    path = str(tmp_path / "busy.db")
    with SqliteSaver(path, timeout=0.05) as saver:
        saver.put(_cp("c0"))
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process in the middle of a long write
        try:
            with pytest.raises(CheckpointError) as e:
                saver.put(_cp("c1", "c0", step=1))
            assert str(e.value) == (
                f"cannot store checkpoint `c1` of thread `t`: `{path}` stayed locked by another writer for "
                f"more than 0.05 s; the file was not changed, and every checkpoint stored before is intact. "
                f"Retry once it is done, or give SqliteSaver(..., timeout=...) more seconds")
            assert saver.get("t").id == "c0"  # reading does not wait for the writer (WAL)
        finally:
            other.execute("ROLLBACK")
            other.close()
        saver.put(_cp("c1", "c0", step=1))
        assert [c.id for c in saver.list("t")] == ["c1", "c0"]


@pytest.mark.parametrize("timeout", [-1, "5", True, float("nan")])
def test_a_bad_timeout_is_refused(tmp_path, timeout):
    with pytest.raises(ValueError) as e:
        SqliteSaver(str(tmp_path / "a.db"), timeout=timeout)
    assert str(e.value) == (f"SqliteSaver(timeout={timeout!r}): give the seconds to wait for another writer's "
                            f"lock, a number >= 0")


def test_two_graphs_stepping_one_thread_neither_lose_nor_interleave_a_step(tmp_path):
    path = str(tmp_path / "graph.db")
    config = {"configurable": {"thread_id": "t"}}
    a, b = build(path, "a"), build(path, "b")
    a.invoke({"n": 0, "log": []}, config)
    b.invoke(None, config)
    # While b's next step runs, a steps the thread: b's step started from a head that is no longer the head.
    # (From a thread of its own, as another process would: a graph invoked in a node's own code would be
    # that node's subgraph, as in LangGraph.)
    def a_steps_meanwhile(state):
        other = threading.Thread(target=a.invoke, args=(None, config))
        other.start()
        other.join()

    b_racing = build(path, "b", a_steps_meanwhile)
    with pytest.raises(CheckpointError, match=r"^cannot store checkpoint `\w+` of thread `t`: another process "
                                              r"advanced the thread meanwhile \(its newest checkpoint is now "
                                              r"`\w+` \(step 2\), where this one last saw `\w+`\)"):
        b_racing.invoke(None, config)
    assert b.invoke(None, config) == {"n": 3, "log": ["b:0", "a:1", "b:2"]}
    history = list(a.get_state_history(config))
    assert [h.metadata["step"] for h in history] == [3, 2, 1, 0, -1]
    assert [h.values.get("n") for h in history] == [3, 2, 1, 0, None]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_processes_stepping_one_thread_keep_one_linear_history(tmp_path, request, backend):
    gate, steps = tmp_path / "gate", 12
    if backend == "sqlite":
        path, saver_class = str(tmp_path / "race.db"), SqliteSaver
    else:  # two machines sharing a server: a fresh schema on the server of tests/conftest.py
        from wfkit.checkpoint.postgres import PostgresSaver as saver_class

        path = request.getfixturevalue("postgres_conninfo")
    gate.mkdir()
    config = {"configurable": {"thread_id": "race"}}
    build(path, "setup", saver_class=saver_class).invoke({"n": 0, "log": []}, config)
    workers = [subprocess.Popen([sys.executable, os.path.join(HERE, "_race_worker.py"), path, who, str(steps),
                                 str(gate), "a,b", backend], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
               for who in ("a", "b")]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        results.append(json.loads(out))
    assert [r["done"] for r in results] == [steps, steps]
    conflicts = [c for r in results for c in r["conflicts"]]
    assert conflicts, "both processes read the same head before either stored a step: one must have lost"
    pattern = re.compile(r"cannot store checkpoint `\w+` of thread `race`: another process advanced the thread "
                         r"meanwhile \(its newest checkpoint is now `\w+` \(step \d+\), where this one last saw "
                         r"`\w+`\); nothing was stored — reload the thread \(get_state, or invoke it again\) "
                         r"and retry the step")
    assert all(pattern.fullmatch(c) for c in conflicts), conflicts
    with saver_class(path) as saver:
        stored = list(saver.list("race"))  # newest first, in put order
    # One linear chain: each checkpoint's parent is the one stored just before it, step numbers unique.
    assert [c.parent_id for c in stored] == [c.id for c in stored[1:]] + [None]
    assert [c.step for c in stored] == list(range(2 * steps, -2, -1))
    final = build(path, "check", saver_class=saver_class).get_state(config).values
    assert final["n"] == 2 * steps
    assert [int(entry.split(":")[1]) for entry in final["log"]] == list(range(2 * steps))
    assert sorted(entry.split(":")[0] for entry in final["log"]) == ["a"] * steps + ["b"] * steps


def test_a_step_whose_head_moves_while_it_starts_is_refused_not_stored_as_a_fork(tmp_path):
    # Another process stores a step right after this run read the head it continues: whatever the run reads
    # next must not make its own step look like a fork of that head (two children of one checkpoint).
    path = str(tmp_path / "moved.db")
    config = {"configurable": {"thread_id": "t"}}
    build(path, "setup").invoke({"n": 0, "log": []}, config)
    other = build(path, "other")

    class MovedAfterFirstRead(SqliteSaver):
        reads = 0

        def get(self, thread_id, checkpoint_id=None):
            found = super().get(thread_id, checkpoint_id)
            if checkpoint_id is None:
                self.reads += 1
                if self.reads == 1:
                    other.invoke(None, config)
            return found

    racing = build(path, "racing", saver_class=MovedAfterFirstRead)
    with pytest.raises(CheckpointError, match=r"another process advanced the thread meanwhile"):
        racing.invoke(None, config)
    with SqliteSaver(path) as saver:
        stored = list(saver.list("t"))
    assert [c.parent_id for c in stored] == [c.id for c in stored[1:]] + [None]
    assert build(path, "check").get_state(config).values == {"n": 1, "log": ["other:0"]}
