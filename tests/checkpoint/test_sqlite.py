"""What only `SqliteSaver` promises: WAL and its durability setting, reopening, other processes, the file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from wfkit.checkpoint import Checkpoint, PendingWrite, SqliteSaver
from wfkit.errors import CheckpointError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _cp(id_, parent=None, value=None, thread="t"):
    return Checkpoint(id=id_, thread_id=thread, parent_id=parent, step=0, source="loop", created_at="now",
                      writes=[("n", "k", value)])


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)


def test_the_file_uses_wal_with_synchronous_normal_by_default(tmp_path):
    with SqliteSaver(str(tmp_path / "a.db")) as saver:
        assert saver._conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert saver._conn.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
    with SqliteSaver(tmp_path / "b.db", synchronous="FULL") as saver:
        assert saver._conn.execute("PRAGMA synchronous").fetchone() == (2,)


def test_an_unknown_synchronous_setting_is_refused(tmp_path):
    with pytest.raises(ValueError) as e:
        SqliteSaver(str(tmp_path / "a.db"), synchronous="OFF")
    assert str(e.value) == "SqliteSaver(synchronous='OFF'): use one of 'NORMAL', 'FULL', 'EXTRA'"


def test_a_file_that_is_not_a_database_is_named(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database" * 100)
    with pytest.raises(CheckpointError) as e:
        SqliteSaver(str(path))
    assert str(e.value) == (f"cannot use {str(path)!r} as a checkpoint database (file is not a database); pass "
                            f"the path of a SQLite file, or of a new file to create")


def test_a_new_process_sees_everything_after_reopening(tmp_path):
    path = str(tmp_path / "runs.db")
    with SqliteSaver.from_conn_string(path) as saver:
        saver.put(_cp("c0", value=(1, {2})))
        saver.put(_cp("c1", "c0", value=b"\x01"))
        saver.put_writes("t", "c1", [PendingWrite("task", "n", "k", "pending")])
    result = _run("""
        import sys
        from wfkit.checkpoint import SqliteSaver
        saver = SqliteSaver(sys.argv[1])
        print([(c.id, c.parent_id, c.writes) for c in saver.list("t")])
        print(saver.get_writes("t", "c1"))
        """, path)
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "[('c1', 'c0', [('n', 'k', b'\\x01')]), ('c0', None, [('n', 'k', (1, {2}))])]",
        "[PendingWrite(task_id='task', task_name='n', key='k', value='pending')]"]


def test_every_checkpoint_put_before_a_sigkill_survives_it(tmp_path):
    path = str(tmp_path / "killed.db")
    result = _run("""
        import os, signal, sys
        from wfkit.checkpoint import Checkpoint, SqliteSaver
        saver = SqliteSaver(sys.argv[1])
        for i in range(40):
            saver.put(Checkpoint(id=f"c{i}", thread_id="t", parent_id=None, step=i, source="loop",
                                 created_at="now", writes=[("n", "i", i)]))
        os.kill(os.getpid(), signal.SIGKILL)  # no close(), no checkpointing of the WAL
        """, path)
    assert result.returncode == -9
    with SqliteSaver(path) as saver:
        assert [c.writes[0][2] for c in saver.list("t")] == list(reversed(range(40)))


def test_two_savers_on_one_file_see_each_others_writes(tmp_path):
    path = str(tmp_path / "shared.db")
    with SqliteSaver(path) as a, SqliteSaver(path) as b:
        a.put(_cp("c0", value="from a"))
        b.put(_cp("c1", "c0", value="from b"))
        assert [c.id for c in a.list("t")] == ["c1", "c0"]
        assert b.get("t", "c0").writes == [("n", "k", "from a")]


def test_from_conn_string_closes_the_file_at_the_end(tmp_path):
    with SqliteSaver.from_conn_string(str(tmp_path / "a.db")) as saver:
        saver.put(_cp("c0"))
    with pytest.raises(CheckpointError) as e:
        saver.get("t")
    assert str(e.value) == (f"SqliteSaver({str(tmp_path / 'a.db')!r}) is closed; open a new SqliteSaver on the "
                            f"same file to go on")


def test_a_connection_passed_in_is_used_and_left_open(tmp_path):
    conn = sqlite3.connect(str(tmp_path / "a.db"), check_same_thread=False)
    saver = SqliteSaver(conn)
    saver.put(_cp("c0", value=[1]))
    saver.put_writes("t", "c0", [PendingWrite("task", "n", "k", 2)])
    saver.close()
    assert conn.execute("SELECT thread_id, id, parent_id, step FROM checkpoints").fetchall() == [("t", "c0", None, 0)]
    assert conn.execute("SELECT task_id, key, payload FROM writes").fetchall() == [("task", "k", '["task","n","k",2]')]
    assert repr(saver) == "SqliteSaver('<connection>')"
    conn.close()


def test_an_in_memory_database_works(make_checkpoint):
    with SqliteSaver.from_conn_string(":memory:") as saver:
        saver.put(make_checkpoint("c0"))
        assert saver.get("t").id == "c0"


def test_the_anthropic_key_is_nowhere_in_the_files(tmp_path, monkeypatch):
    key = "sk-ant-api03-" + "Q" * 40
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    path = tmp_path / "keys.db"
    with SqliteSaver(str(path)) as saver:
        saver.put(_cp("c0", value={"api_key": key, "raw": key.encode()}))
        saver.put_writes("t", "c0", [PendingWrite("task", "n", "error", f"401: {key}")])
        files = [p for p in tmp_path.iterdir() if p.name.startswith("keys.db")]
        assert sorted(p.name for p in files) == ["keys.db", "keys.db-shm", "keys.db-wal"]
        for p in files:
            assert key.encode() not in p.read_bytes(), p.name
        assert saver.get("t").writes == [("n", "k", {"api_key": "[redacted]", "raw": b"[redacted]"})]


def _snap_cp(id_, parent, step, snapshot=None, thread="t"):
    return Checkpoint(id=id_, thread_id=thread, parent_id=parent, step=step, source="loop", created_at="now",
                      writes=[("n", "k", step)], snapshot=snapshot)


def _statements(saver):
    seen = []
    saver._conn.set_trace_callback(lambda sql: seen.append(sql.split()[0] + (" RECURSIVE" if "RECURSIVE" in sql
                                                                                else "")))
    return seen


def _linear(writer, last):
    """c0 (with a snapshot) <- c1 <- ... <- c{last} on thread `t`."""
    writer.put(_snap_cp("c0", None, 0, snapshot={"k": 0}))
    for i in range(1, last + 1):
        writer.put(_snap_cp(f"c{i}", f"c{i - 1}", i))


def test_a_read_checkpoint_s_lineage_comes_from_the_rows_read_with_it_without_a_recursive_query(tmp_path):
    path = str(tmp_path / "a.db")
    with SqliteSaver(path) as writer:
        _linear(writer, 5)
    with SqliteSaver(path) as reader:  # a fresh process
        seen = _statements(reader)
        head = reader.get("t")
        assert [c.id for c in reader.lineage("t", head.parent_id)] == ["c4", "c3", "c2", "c1", "c0"]
        assert seen == ["SELECT"]  # one read for the head and its lineage
        middle = reader.get("t", "c2")
        assert [c.id for c in reader.lineage("t", middle.parent_id)] == ["c1", "c0"]
        assert seen == ["SELECT", "SELECT"]
        assert reader.lineage("t", "c4")[0] == reader.get("t", "c4")  # the same checkpoint either way


def test_a_checkpoint_with_nothing_pending_is_read_with_its_writes_in_one_statement(tmp_path):
    path = str(tmp_path / "a.db")
    with SqliteSaver(path) as writer:
        writer.put(_snap_cp("c0", None, 0, snapshot={"k": 0}))
        writer.put(_snap_cp("c1", "c0", 1))
    with SqliteSaver(path) as reader, SqliteSaver(path) as other:
        seen = _statements(reader)
        assert reader.get_with_writes("t")[1] == [] and seen == ["SELECT"]
        other.put_writes("t", "c1", [PendingWrite("task-a", "a", "k", 5)])  # another process, after that read
        checkpoint, writes = reader.get_with_writes("t")
        assert (checkpoint.id, writes) == ("c1", [PendingWrite("task-a", "a", "k", 5)])
        assert seen == ["SELECT", "SELECT", "SELECT"]  # its writes are read as soon as the row says there are
        assert reader.get_with_writes("t", "c0")[1] == [] and len(seen) == 4


_OLD_SCHEMA = """
CREATE TABLE checkpoints (seq INTEGER PRIMARY KEY AUTOINCREMENT, thread_id TEXT NOT NULL, id TEXT NOT NULL,
    parent_id TEXT, step INTEGER NOT NULL, payload TEXT NOT NULL, UNIQUE (thread_id, id));
CREATE INDEX checkpoints_by_thread ON checkpoints (thread_id, seq);
CREATE TABLE writes (seq INTEGER PRIMARY KEY AUTOINCREMENT, thread_id TEXT NOT NULL, checkpoint_id TEXT NOT NULL,
    task_id TEXT NOT NULL, key TEXT NOT NULL, payload TEXT NOT NULL);
CREATE INDEX writes_by_checkpoint ON writes (thread_id, checkpoint_id, seq);
"""


def _old_file(path):
    """A file as wfkit wrote it before checkpoint rows said whether writes are pending on them."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(_OLD_SCHEMA)
    conn.execute("INSERT INTO checkpoints (thread_id, id, parent_id, step, payload) VALUES "
                 "('t', 'c0', NULL, 0, '[1,null,0,\"loop\",\"now\",[[\"n\",\"k\",0]],{},{},{\"k\":0}]'), "
                 "('t', 'c1', 'c0', 1, '[1,\"c0\",1,\"loop\",\"now\",[[\"n\",\"k\",1]],{},{},null]')")
    conn.execute("INSERT INTO writes (thread_id, checkpoint_id, task_id, key, payload) VALUES "
                 "('t', 'c0', 'task-a', 'k', '[\"task-a\",\"a\",\"k\",5]')")
    conn.commit()
    conn.close()


def test_a_file_from_before_the_has_writes_flag_is_upgraded_once_and_keeps_its_pending_writes(tmp_path):
    path = str(tmp_path / "old.db")
    _old_file(path)
    with SqliteSaver(path) as saver:
        assert saver.get_with_writes("t", "c0") == (saver.get("t", "c0"), [PendingWrite("task-a", "a", "k", 5)])
        assert saver.get_with_writes("t")[1] == []
        saver.put_writes("t", "c1", [PendingWrite("task-b", "b", "k", 6)])
        assert saver.get_with_writes("t")[1] == [PendingWrite("task-b", "b", "k", 6)]
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT id, has_writes FROM checkpoints ORDER BY seq").fetchall() == [("c0", 1), ("c1", 1)]
    conn.close()


def test_writes_stored_by_another_writer_of_the_file_are_flagged_by_the_file_itself(tmp_path):
    path = str(tmp_path / "a.db")
    with SqliteSaver(path) as saver:
        saver.put(_snap_cp("c0", None, 0, snapshot={"k": 0}))
        assert saver.get_with_writes("t")[1] == []
        other = sqlite3.connect(path)  # e.g. an older wfkit, which knows nothing of the flag
        other.execute("INSERT INTO writes (thread_id, checkpoint_id, task_id, key, payload) VALUES "
                      "('t', 'c0', 'task-a', 'k', '[\"task-a\",\"a\",\"k\",5]')")
        other.commit()
        other.close()
        assert saver.get_with_writes("t")[1] == [PendingWrite("task-a", "a", "k", 5)]


def test_an_old_read_only_file_is_read_whole_without_the_flag(tmp_path):
    path = str(tmp_path / "old.db")
    _old_file(path)
    with SqliteSaver(sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)) as saver:
        assert saver.get_with_writes("t", "c0")[1] == [PendingWrite("task-a", "a", "k", 5)]
        assert saver.get_with_writes("t") == (saver.get("t", "c1"), [])
    conn = sqlite3.connect(path)
    assert "has_writes" not in [row[1] for row in conn.execute("PRAGMA table_info(checkpoints)")]
    conn.close()


def test_a_fork_whose_parent_is_among_the_rows_read_needs_no_second_read(tmp_path):
    path = str(tmp_path / "a.db")
    with SqliteSaver(path) as writer:
        _linear(writer, 3)
        writer.put(_snap_cp("fork", "c1", 2))  # the newest row; its parent lies three rows down
    with SqliteSaver(path) as reader:
        seen = _statements(reader)
        head = reader.get("t")
        assert (head.id, [c.id for c in reader.lineage("t", head.parent_id)]) == ("fork", ["c1", "c0"])
        assert [c.id for c in reader.lineage("t", "c3")] == ["c3", "c2", "c1", "c0"]  # read with it too
        assert seen == ["SELECT"]


def test_a_lineage_that_leaves_the_rows_read_last_is_walked_in_the_database(tmp_path):
    path = str(tmp_path / "a.db")
    with SqliteSaver(path) as writer:
        writer.put(_snap_cp("root", None, 0))
        for i in range(1, 30):  # 29 checkpoints without a snapshot: more than one read brings along
            writer.put(_snap_cp(f"c{i}", "root" if i == 1 else f"c{i - 1}", i))
        writer.put(_snap_cp("fork", "c2", 3))  # the newest row: a fork far back on the thread
    with SqliteSaver(path) as reader:
        seen = _statements(reader)
        head = reader.get("t")
        assert head.id == "fork"
        assert [c.id for c in reader.lineage("t", head.parent_id)] == ["c2", "c1", "root"]
        assert seen == ["SELECT", "WITH RECURSIVE"]
        assert [c.id for c in reader.lineage("t", "c29")][-3:] == ["c2", "c1", "root"]
        assert len(reader.lineage("t", "c29")) == 30


def test_a_deleted_thread_s_rows_are_not_served_from_what_was_read_before(tmp_path):
    with SqliteSaver(str(tmp_path / "a.db")) as saver:
        saver.put(_snap_cp("c0", None, 0))
        saver.put(_snap_cp("c1", "c0", 1))
        assert saver.get("t").id == "c1"
        saver.delete_thread("t")
        assert saver.lineage("t", "c1") == [] and saver.get("t") is None and saver.get("t", "c0") is None


def test_a_damaged_row_read_with_a_checkpoint_is_named_when_its_lineage_is_rebuilt(tmp_path):
    path = str(tmp_path / "a.db")
    with SqliteSaver(path) as saver:
        saver.put(_snap_cp("c0", None, 0))
        saver.put(_snap_cp("c1", "c0", 1))
        saver._conn.execute("UPDATE checkpoints SET payload = X'00ff' WHERE id = 'c0'")
    with SqliteSaver(path) as saver:
        assert saver.get("t").id == "c1"
        with pytest.raises(CheckpointError, match=r"^checkpoint `c0` of thread `t`: stored data is not valid JSON"):
            saver.lineage("t", "c0")
