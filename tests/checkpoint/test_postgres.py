"""`PostgresSaver` beyond the shared contract: its schema, and a server that is missing, newer, lost or busy.

The contract itself runs in test_saver_conformance.py (the `saver` fixture includes PostgreSQL); these run
against the real server of tests/conftest.py, each test in a schema of its own.
"""

from __future__ import annotations

import asyncio
import operator
import socket
import sys
import threading
import time
import uuid
from typing import Annotated, TypedDict

import pytest

psycopg = pytest.importorskip("psycopg", reason='PostgresSaver needs `pip install "wfkit[postgres]"`')

import wfkit  # noqa: E402
from wfkit._ids import deterministic_ids  # noqa: E402
from wfkit import END, START, StateGraph, interrupt  # noqa: E402
from wfkit.checkpoint import Checkpoint, PendingWrite, WaitingThread  # noqa: E402
from wfkit.checkpoint.postgres import PostgresSaver  # noqa: E402
from wfkit.errors import CheckpointError  # noqa: E402


def _cp(id_, parent=None, step=0, thread="t"):
    return Checkpoint(id=id_, thread_id=thread, parent_id=parent, step=step, source="loop", created_at="now",
                      writes=[("n", "k", id_)])


def _where(conninfo):
    params = psycopg.conninfo.conninfo_to_dict(conninfo)
    return f"host `{params['host']}` port {params['port']} (database `{params['dbname']}`)"


def _rows(conninfo, query):
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return conn.execute(query).fetchall()


def test_wfkit_exports_it_lazily():
    assert wfkit.PostgresSaver is PostgresSaver


def test_without_psycopg_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed
    with pytest.raises(ImportError) as e:
        PostgresSaver("dbname=x")
    assert str(e.value) == 'PostgresSaver needs psycopg 3 and psycopg-pool: pip install "wfkit[postgres]"'


def test_the_schema_is_created_on_first_use_and_its_version_recorded(postgres_conninfo):
    with PostgresSaver(postgres_conninfo) as saver:
        saver.put(_cp("c0"))
    with PostgresSaver(postgres_conninfo) as again:  # a second first use changes nothing
        assert again.get("t").id == "c0"
    assert _rows(postgres_conninfo, "SELECT version, written_by FROM wfkit_schema") == [(1, wfkit.__version__)]
    tables = _rows(postgres_conninfo, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                      "ORDER BY tablename")
    assert tables == [("wfkit_checkpoints",), ("wfkit_schema",), ("wfkit_threads",), ("wfkit_writes",)]


def test_a_database_written_by_a_newer_wfkit_is_refused_naming_both_versions(postgres_conninfo):
    with PostgresSaver(postgres_conninfo) as saver:
        saver.put(_cp("c0"))
    with psycopg.connect(postgres_conninfo, autocommit=True) as conn:
        conn.execute("UPDATE wfkit_schema SET version = 2, written_by = '9.0.0'")
    with pytest.raises(CheckpointError) as e:
        PostgresSaver(postgres_conninfo)
    assert str(e.value) == (
        f"the checkpoint database at {_where(postgres_conninfo)} was written by wfkit 9.0.0 (checkpoint schema version 2); this wfkit {wfkit.__version__} knows schema "
        f"version 1 at most and changed nothing. Upgrade wfkit (pip install -U \"wfkit[postgres]\") on this "
        f"machine, or use another database")
    assert _rows(postgres_conninfo, "SELECT version, written_by FROM wfkit_schema") == [(2, "9.0.0")]
    assert _rows(postgres_conninfo, "SELECT id FROM wfkit_checkpoints") == [("c0",)]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_server_is_named_with_what_to_check():
    port = _closed_port()
    with pytest.raises(CheckpointError) as e:
        PostgresSaver(f"host=127.0.0.1 port={port} dbname=runs user=me connect_timeout=2")
    assert str(e.value) == (
        f"cannot open the checkpoint database: lost or could not reach the PostgreSQL server at host "
        f"`127.0.0.1` port {port} (database `runs`); nothing was stored, and every checkpoint stored before is "
        f"intact. Check that the server is running and accepts connections there (host, port, user, password "
        f"and database of the conninfo), then run the thread again")
    assert isinstance(e.value.__cause__, psycopg.OperationalError)  # the driver's own words, chained


def test_a_conninfo_that_is_not_one_is_refused():
    with pytest.raises(ValueError, match=r"^PostgresSaver\(conninfo='host x'\) is not a libpq conninfo string "
                                         r"or postgresql:// URL: "):
        PostgresSaver("host x")


@pytest.mark.parametrize("option, value, message", [
    ("pool_size", 0, "PostgresSaver(pool_size=0): give the most connections to keep open, an int >= 1"),
    ("timeout", 0, "PostgresSaver(timeout=0): give the seconds to wait for a connection or a thread's lock, "
                   "a number > 0"),
])
def test_bad_options_are_refused(option, value, message):
    with pytest.raises(ValueError) as e:
        PostgresSaver("dbname=x", **{option: value})
    assert str(e.value) == message


def test_a_closed_saver_says_so(postgres_conninfo):
    saver = PostgresSaver(postgres_conninfo)
    saver.close()
    with pytest.raises(CheckpointError) as e:
        saver.get("t")
    assert str(e.value) == (f"PostgresSaver({_where(postgres_conninfo)}) is closed; open a new PostgresSaver on "
                            f"the same database to go on")


def test_a_thread_locked_by_another_writer_for_longer_than_the_timeout_stores_nothing(postgres_conninfo):
    with PostgresSaver(postgres_conninfo, timeout=0.2) as saver:
        saver.put(_cp("c0"))
        with psycopg.connect(postgres_conninfo) as other:  # another writer, in the middle of its put
            other.execute("SELECT 1 FROM wfkit_threads WHERE thread_id = 't' FOR UPDATE")
            with pytest.raises(CheckpointError) as e:
                saver.put(_cp("c1", "c0", step=1))
            assert saver.get("t").id == "c0"  # reading does not wait for the writer
            other.rollback()
        assert str(e.value) == (
            f"cannot store checkpoint `c1` of thread `t`: another writer held the thread's lock at "
            f"{_where(postgres_conninfo)} for more than 0.2 s; nothing was stored. Retry once it is done, or "
            f"give PostgresSaver(..., timeout=...) more seconds")
        saver.put(_cp("c1", "c0", step=1))
        assert [c.id for c in saver.list("t")] == ["c1", "c0"]


def test_waiting_threads_lists_each_head_with_an_interrupt_oldest_first(postgres_conninfo):
    with PostgresSaver(postgres_conninfo) as saver:
        for thread in ("a", "b", "c", "d"):
            saver.put(_cp(f"{thread}0", thread=thread))
        saver.put_writes("b", "b0", [PendingWrite("t1", "ask", "__interrupt__", {"q": "b?"}),
                                     PendingWrite("t2", "other", "x", 1)])
        saver.put_writes("a", "a0", [PendingWrite("t1", "ask", "__interrupt__", {"q": "a?"})])
        saver.put_writes("c", "c0", [PendingWrite("t1", "ask", "__interrupt__", {"q": "c?"})])
        saver.put(_cp("c1", "c0", step=1, thread="c"))  # c moved on: its head has no interrupt
        saver.put_writes("d", "d0", [PendingWrite("t1", "ask", "x", 2)])  # no interrupt on d
        waiting = saver.waiting_threads()
        assert waiting == [
            WaitingThread(_cp("a0", thread="a"), [PendingWrite("t1", "ask", "__interrupt__", {"q": "a?"})]),
            WaitingThread(_cp("b0", thread="b"), [PendingWrite("t1", "ask", "__interrupt__", {"q": "b?"}),
                                                  PendingWrite("t2", "other", "x", 1)]),
        ]
        assert [w.checkpoint.thread_id for w in saver.waiting_threads(limit=1)] == ["a"]


class _Count(TypedDict):
    n: int
    log: Annotated[list, operator.add]


def _backend_waiting_on_a_lock(conninfo) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = _rows(conninfo, "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                "AND query LIKE 'INSERT INTO wfkit_threads%'")
        if found:
            return found[0][0]
        time.sleep(0.01)
    raise AssertionError("the put never waited on the thread's lock")


def test_a_server_connection_lost_mid_superstep_stores_nothing_and_a_retry_runs_it_again(postgres_conninfo):
    calls = []

    def step(state):
        calls.append(state["n"])
        return {"n": state["n"] + 1, "log": [f"step{state['n']}"]}

    graph = StateGraph(_Count)
    graph.add_node("step", step)
    graph.add_edge(START, "step")
    graph.add_edge("step", END)
    saver = PostgresSaver(postgres_conninfo)
    app = graph.compile(checkpointer=saver, interrupt_before=["step"])
    config = {"configurable": {"thread_id": "job"}}
    app.invoke({"n": 0, "log": []}, config)  # stops before `step`
    stored = [c.id for c in saver.list("job")]
    # The superstep's put waits on the thread's lock (held by another connection): its backend is
    # terminated there, as a server restart or a dropped network would, before anything was committed.
    holder = psycopg.connect(postgres_conninfo)
    holder.execute("SELECT 1 FROM wfkit_threads WHERE thread_id = 'job' FOR UPDATE")
    failure = []

    def lost_run():
        with deterministic_ids("lost-"):  # the superstep's checkpoint id is known: the message is asserted whole
            failure.append(pytest.raises(CheckpointError, app.invoke, None, config))

    run = threading.Thread(target=lost_run)
    run.start()
    pid = _backend_waiting_on_a_lock(postgres_conninfo)
    _rows(postgres_conninfo, f"SELECT pg_terminate_backend({pid})")
    run.join()
    holder.rollback()
    holder.close()
    assert calls == [0]
    assert str(failure[0].value) == (
        f"cannot store checkpoint `lost-checkpoint-1` of thread `job`: lost or could not reach the PostgreSQL "
        f"server at {_where(postgres_conninfo)}; nothing was stored, and every checkpoint stored before is intact. "
        f"Check that the server is running and accepts connections there (host, port, user, password and database "
        f"of the conninfo), then run the thread again")
    assert isinstance(failure[0].value.__cause__, psycopg.OperationalError)
    assert [c.id for c in saver.list("job")] == stored  # the superstep is not stored
    assert app.invoke(None, config) == {"n": 1, "log": ["step0"]}  # the retry reconnects and runs it again
    assert calls == [0, 0]
    assert [c.id for c in saver.list("job")][1:] == stored
    saver.close()


def test_an_interrupted_run_resumes_from_another_saver_on_the_same_database(postgres_conninfo):
    def ask(state):
        return {"n": interrupt({"question": "go?"}), "log": ["asked"]}

    graph = StateGraph(_Count)
    graph.add_node("ask", ask)
    graph.add_edge(START, "ask")
    graph.add_edge("ask", END)
    config = {"configurable": {"thread_id": "review"}}
    with PostgresSaver(postgres_conninfo) as one, PostgresSaver(postgres_conninfo) as two:
        first = graph.compile(checkpointer=one).invoke({"n": 0, "log": []}, config)
        assert [i.value for i in first["__interrupt__"]] == [{"question": "go?"}]
        assert [w.checkpoint.thread_id for w in two.waiting_threads()] == ["review"]
        assert graph.compile(checkpointer=two).invoke(wfkit.Command(resume=5), config) == {"n": 5, "log": ["asked"]}
        assert two.waiting_threads() == []


def test_the_async_path_stores_and_resumes_as_the_sync_one(postgres_conninfo):
    def ask(state):
        return {"n": state["n"] + interrupt("how many?"), "log": ["asked"]}

    graph = StateGraph(_Count)
    graph.add_node("ask", ask)
    graph.add_edge(START, "ask")
    graph.add_edge("ask", END)
    config = {"configurable": {"thread_id": "async"}}

    async def run(saver):
        app = graph.compile(checkpointer=saver)
        await app.ainvoke({"n": 1, "log": []}, config)
        return await app.ainvoke(wfkit.Command(resume=2), config)

    with PostgresSaver(postgres_conninfo) as saver:
        assert asyncio.run(run(saver)) == {"n": 3, "log": ["asked"]}
    with PostgresSaver(postgres_conninfo) as again:
        assert graph.compile(checkpointer=again).get_state(config).values == {"n": 3, "log": ["asked"]}


def test_without_a_server_the_postgres_tests_skip_outside_ci_and_fail_under_it(monkeypatch):
    from tests.conftest import _no_server, _start_server

    monkeypatch.setattr("glob.glob", lambda pattern: [])  # no Debian package
    with pytest.raises(RuntimeError) as e:
        _start_server("/nowhere")
    reason = str(e.value)
    assert reason == ("Debian's postgresql package is not installed (no /usr/lib/postgresql/*/bin/initdb); run "
                      "`apt-get install postgresql` or set WFKIT_POSTGRES to a server's conninfo")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failed:
        _no_server(reason)
    assert str(failed.value) == f"no PostgreSQL server for the PostgresSaver tests: {reason}"
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception) as skipped:
        _no_server(reason)
    assert str(skipped.value) == f"no PostgreSQL server for the PostgresSaver tests: {reason}"


def test_a_server_that_stops_taking_connections_is_told_after_the_timeout_and_stores_nothing(postgres_server):
    name = f"gone_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
        conninfo = f"{postgres_server} dbname={name}"
        try:
            saver = PostgresSaver(conninfo, timeout=0.5)
            saver.put(_cp("c0"))
            # As a server going away would: every connection of the saver is dropped, no new one is accepted.
            admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            with pytest.raises(CheckpointError) as e:
                saver.put(_cp("c1", "c0", step=1))
            assert str(e.value) == (
                f"cannot store checkpoint `c1` of thread `t`: no connection to the PostgreSQL server at "
                f"{_where(conninfo)} within 0.5 s; nothing was stored. Check that the server is running and "
                f"accepts connections there, or give PostgresSaver(..., timeout=...) more seconds")
            saver.close()
            admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")  # the server is back
            with PostgresSaver(conninfo) as again:
                assert [c.id for c in again.list("t")] == ["c0"]
                again.put(_cp("c1", "c0", step=1))  # the step runs again
                assert [c.id for c in again.list("t")] == ["c1", "c0"]
        finally:
            admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


def test_idle_connections_the_server_dropped_are_replaced_without_an_error(postgres_conninfo):
    app_name = f"wfkit_{uuid.uuid4().hex[:8]}"
    with PostgresSaver(f"{postgres_conninfo} application_name={app_name}", pool_size=2) as saver:
        saver.put(_cp("c0"))
        # A server restart, or a proxy closing idle connections: the pool's connections are dead.
        dropped = _rows(postgres_conninfo, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                           f"WHERE application_name = '{app_name}'")
        assert dropped and all(ok for (ok,) in dropped)
        saver.put(_cp("c1", "c0", step=1))
        assert [c.id for c in saver.list("t")] == ["c1", "c0"]
