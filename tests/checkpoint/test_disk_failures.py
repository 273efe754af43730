"""A `SqliteSaver` file that stops taking writes mid-run (full, read-only): a clear error naming the file and
the cause, every earlier checkpoint still readable, and the thread goes on once the cause is gone.

The failures are made the way SQLite sees them: `PRAGMA max_page_count` caps the file's size (a full disk),
`PRAGMA query_only` and a `mode=ro` connection refuse writes (a read-only file). Running as root, file
permissions would not stop the writes, so `chmod` is not used.
"""

from __future__ import annotations

import operator
import re
import sqlite3
from typing import Annotated, TypedDict

import pytest

from wfkit import START, StateGraph
from wfkit.checkpoint import Checkpoint, PendingWrite, SqliteSaver
from wfkit.errors import CheckpointError

CONFIG = {"configurable": {"thread_id": "t"}}
BLOB = 3000  # characters each step adds: a full page, so every step needs new ones


class Growing(TypedDict):
    n: int
    blobs: Annotated[list, operator.add]


def _app(saver):
    def step(state):
        return {"n": state["n"] + 1, "blobs": [str(state["n"]) * BLOB]}

    graph = StateGraph(Growing)
    graph.add_node("step", step)
    graph.add_edge(START, "step")
    graph.add_edge("step", "step")
    return graph.compile(checkpointer=saver, interrupt_before=["step"])


def _connect(path, **kw):
    return sqlite3.connect(path, isolation_level=None, check_same_thread=False, **kw)


def _cap(conn, extra_pages=0):
    """The disk is full from now on: the file may grow by `extra_pages` pages at most."""
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0] + extra_pages}")


def _uncap(conn):
    conn.execute("PRAGMA max_page_count = 1073741823")  # space freed


@pytest.fixture
def with_c0(tmp_path):
    """`(path, connection, saver)`: a file whose thread `t` holds checkpoint `c0`."""
    path = str(tmp_path / "full.db")
    conn = _connect(path)
    saver = SqliteSaver(conn)
    saver.put(Checkpoint(id="c0", thread_id="t", parent_id=None, step=0, source="loop", created_at="now"))
    yield path, conn, saver
    conn.close()


@pytest.fixture
def running(tmp_path):
    """`(path, connection, app)`: thread `t` of a graph on a file, started and stepped once."""
    path = str(tmp_path / "run.db")
    conn = _connect(path)
    app = _app(SqliteSaver(conn))
    app.invoke({"n": 0, "blobs": []}, CONFIG)
    app.invoke(None, CONFIG)
    yield path, conn, app
    conn.close()


def _history(app):
    return [(h.metadata["step"], h.values.get("n")) for h in app.get_state_history(CONFIG)]


def _full_message(doing, path):
    return (f"{doing}: `{path}` is full (no space left on its disk, or its `PRAGMA max_page_count` was "
            f"reached); the file was not changed, and every checkpoint stored before is intact. Free some "
            f"space and run the thread again")


def _assert_step_refused(error, message):
    """`error` is the refusal of a step's checkpoint (its id is new each run), worded as `message`."""
    doing = "cannot store checkpoint `ID` of thread `t`"
    assert re.fullmatch(re.escape(message(doing, "PATH")).replace("ID", r"\w+").replace("PATH", ".+"),
                        str(error)), str(error)


def _read_only_message(doing, path):
    return (f"{doing}: `{path}` is read-only (file permissions, a read-only mount, `mode=ro` or `PRAGMA "
            f"query_only`); the file was not changed, and every checkpoint stored before is intact. Make it "
            f"writable and run the thread again")


def test_a_full_file_fails_the_step_keeps_the_history_and_the_thread_goes_on(running):
    path, conn, app = running
    app.invoke(None, CONFIG)
    before = _history(app)
    assert before == [(2, 2), (1, 1), (0, 0), (-1, None)]
    _cap(conn)
    with pytest.raises(CheckpointError) as e:
        app.invoke(None, CONFIG)
    _assert_step_refused(e.value, _full_message)
    assert f"`{path}`" in str(e.value)
    assert _history(app) == before  # nothing half-written, every earlier checkpoint reads back
    assert app.get_state(CONFIG).values == {"n": 2, "blobs": ["0" * BLOB, "1" * BLOB]}
    # Read by another kernel too.
    with SqliteSaver(path) as other:
        assert [c.step for c in other.list("t")] == [2, 1, 0, -1]
    _uncap(conn)
    assert app.invoke(None, CONFIG)["n"] == 3
    assert _history(app) == [(3, 3)] + before


def test_a_full_file_refuses_a_whole_checkpoint_with_the_file_named(with_c0):
    path, conn, saver = with_c0
    _cap(conn)
    big = Checkpoint(id="c1", thread_id="t", parent_id="c0", step=1, source="loop", created_at="now",
                     writes=[("n", "k", "x" * 50_000)])
    with pytest.raises(CheckpointError) as e:
        saver.put(big)
    assert str(e.value) == _full_message("cannot store checkpoint `c1` of thread `t`", path)
    assert [c.id for c in saver.list("t")] == ["c0"]
    _uncap(conn)
    saver.put(big)  # the same checkpoint, once there is room: the failed try left no trace (no duplicate id)
    assert saver.get("t").writes == [("n", "k", "x" * 50_000)]


def test_pending_writes_that_fill_the_file_halfway_store_none_of_the_batch(with_c0):
    path, conn, saver = with_c0
    saver.put_writes("t", "c0", [PendingWrite("task0", "n", "k", "first")])
    _cap(conn, 3)  # room for the first of the batch, not all of it
    batch = [PendingWrite(f"task{i}", "n", "k", str(i) * 3000) for i in range(1, 6)]
    with pytest.raises(CheckpointError) as e:
        saver.put_writes("t", "c0", batch)
    assert str(e.value) == _full_message("cannot store pending writes on checkpoint `c0` of thread `t`", path)
    assert [w.value for w in saver.get_writes("t", "c0")] == ["first"]
    _uncap(conn)
    saver.put_writes("t", "c0", batch)
    assert [w.task_id for w in saver.get_writes("t", "c0")] == [f"task{i}" for i in range(6)]


def test_a_read_only_file_fails_the_step_and_the_thread_goes_on_once_writable(running):
    path, conn, app = running
    before = _history(app)
    conn.execute("PRAGMA query_only = ON")
    with pytest.raises(CheckpointError) as e:
        app.invoke(None, CONFIG)
    _assert_step_refused(e.value, _read_only_message)
    assert f"`{path}`" in str(e.value)
    assert _history(app) == before
    conn.execute("PRAGMA query_only = OFF")
    assert app.invoke(None, CONFIG)["n"] == 2
    assert [step for step, _ in _history(app)] == [2, 1, 0, -1]


def test_a_file_opened_read_only_reads_its_threads_and_names_itself_when_written(tmp_path):
    path = str(tmp_path / "ro.db")
    with SqliteSaver(path) as saver:
        writer = _app(saver)
        writer.invoke({"n": 0, "blobs": []}, CONFIG)
        writer.invoke(None, CONFIG)
    ro = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    reader = _app(SqliteSaver(ro))
    assert reader.get_state(CONFIG).values == {"n": 1, "blobs": ["0" * BLOB]}
    with pytest.raises(CheckpointError) as e:
        reader.invoke(None, CONFIG)
    _assert_step_refused(e.value, _read_only_message)
    assert f"`{path}`" in str(e.value)
    ro.close()
    with SqliteSaver(path) as saver:  # a writable kernel carries on where the file stopped
        assert _app(saver).invoke(None, CONFIG)["n"] == 2


def test_a_file_in_a_folder_that_does_not_exist_is_named_with_the_fix(tmp_path):
    path = str(tmp_path / "missing" / "runs.db")
    with pytest.raises(CheckpointError) as e:
        SqliteSaver(path)
    assert str(e.value).startswith(f"cannot open `{path}` as a checkpoint database (")
    assert str(e.value).endswith("); check that its folder exists and this process may write there")


# ---- a WAL file on a read-only filesystem -----------------------------------------------------------------
# Reading a WAL file needs its `-shm` index, which SQLite cannot create on a read-only mount; file
# permissions do not stop root, so the mount is made for real: a private mount namespace (`unshare -rm`)
# remounts the test's folder read-only for one child process, which reports what it saw as JSON.

_READ_ONLY_CHILD = """
import json, sys
from wfkit.checkpoint import Checkpoint, SqliteSaver
from wfkit.errors import CheckpointError
out = {}
try:
    saver = SqliteSaver(sys.argv[1])
    out["steps"] = [c.step for c in saver.list("t")]
    out["state"] = saver.get("t").id
    saver.put(Checkpoint(id="new", thread_id="t", parent_id=None, step=0, source="loop", created_at="now"))
except CheckpointError as e:
    out["error"] = str(e)
print(json.dumps(out))
"""


def _on_read_only_mount(folder, path):
    import json
    import shutil
    import subprocess
    import sys

    if shutil.which("unshare") is None:
        pytest.skip("no `unshare` to mount a folder read-only")
    script = (f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && "
              f"{sys.executable} -c \"$0\" {path}")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script, _READ_ONLY_CHILD], capture_output=True, text=True,
                          env={"PYTHONPATH": ":".join(sys.path), "PATH": "/usr/bin:/bin"})
    if done.returncode != 0 and "mount" in done.stderr:
        pytest.skip(f"cannot mount a folder read-only here: {done.stderr.strip()}")
    return json.loads(done.stdout)


def test_a_wal_file_on_a_read_only_mount_is_read_and_refuses_writes_naming_itself(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = str(folder / "runs.db")
    with SqliteSaver(path) as saver:  # closed cleanly: the -wal and -shm files are gone
        saver.put(Checkpoint(id="c0", thread_id="t", parent_id=None, step=0, source="loop", created_at="now"))
        saver.put(Checkpoint(id="c1", thread_id="t", parent_id="c0", step=1, source="loop", created_at="now"))
    with open(path, "rb") as f:  # read without SQLite, which would make a -shm: the header says WAL (2, 2)
        assert f.read(20)[18:20] == b"\x02\x02"
    assert sorted(p.name for p in folder.iterdir()) == ["runs.db"]
    assert _on_read_only_mount(folder, path) == {
        "steps": [1, 0], "state": "c1", "error": _read_only_message("cannot store checkpoint `new` of thread `t`", path)}


def test_a_wal_file_on_a_read_only_mount_with_commits_left_in_its_wal_is_refused_with_the_reason(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = str(folder / "runs.db")
    conn = _connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")  # commits stay in runs.db-wal, as after a killed kernel
    SqliteSaver(conn).put(Checkpoint(id="c0", thread_id="t", parent_id=None, step=0, source="loop", created_at="now"))
    (folder / "runs.db-shm").unlink()  # as copied or left by another machine: no index next to it
    assert _on_read_only_mount(folder, path) == {"error": (
        f"cannot open `{path}` as a checkpoint database: it is in WAL mode, its folder is read-only (SQLite cannot "
        f"create its `-shm` index there), and `{path}-wal` holds commits not yet written into the file; make the "
        f"folder writable, or copy the file with its `-wal` somewhere writable")}
    conn.close()
