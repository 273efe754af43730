"""pytest plugin for one run of LangGraph's test files, on LangGraph or (through the shim) on wfkit.

It replaces LangGraph's own conftest (which needs Redis, PostgreSQL and mocks): the same fixture names,
with the checkpointers of the backend under test (in-memory and SQLite), deselects what `lgsuite_rule`
sets aside, and writes every test's outcome to the JSON file named by LGSUITE_RESULTS.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pathlib
import tempfile

import pytest

import lgsuite_rule

import lgsuite_shim

BACKEND = os.environ.get("LGSUITE_BACKEND", "langgraph")
if BACKEND == "wfkit":
    lgsuite_shim.install()
lgsuite_shim.install_absent_test_tools()
_results: dict[str, str] = {}
_set_aside: dict[str, str] = {}


def pytest_collection_modifyitems(config, items):
    verdicts: dict[str, dict[str, str | None]] = {}
    kept, dropped = [], []
    for item in items:
        path = str(item.path)
        if path not in verdicts:
            verdicts[path] = {v.test: v.reason for v in lgsuite_rule.verdicts(item.path.read_text())}
        test = item.nodeid.split("::", 1)[1].split("[")[0]
        reason = verdicts[path].get(test)
        if reason:
            _set_aside[item.nodeid] = reason
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        if report.nodeid not in _results or _results[report.nodeid] == "passed":
            _results[report.nodeid] = report.outcome


def pytest_sessionfinish(session):
    target = os.environ.get("LGSUITE_RESULTS")
    if target:
        pathlib.Path(target).write_text(json.dumps({"results": _results, "set_aside": _set_aside}))


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(params=["sync", "async", "exit"])
def durability(request):
    return request.param


@contextlib.asynccontextmanager
async def _saver(kind: str):
    """The backend's saver of `kind`: wfkit's take a file; LangGraph's own fixtures use in-memory SQLite."""
    if kind == "memory":
        from langgraph.checkpoint.memory import InMemorySaver

        yield InMemorySaver()
    elif BACKEND == "wfkit":
        from langgraph.checkpoint.sqlite import SqliteSaver

        with tempfile.TemporaryDirectory() as folder:
            yield SqliteSaver(os.path.join(folder, "checkpoints.db"))
    elif kind == "sqlite":
        from langgraph.checkpoint.sqlite import SqliteSaver

        with SqliteSaver.from_conn_string(":memory:") as saver:
            yield saver
    else:
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        async with AsyncSqliteSaver.from_conn_string(":memory:") as saver:
            yield saver


@pytest.fixture(params=["memory", "sqlite"])
def sync_checkpointer(request):
    manager = _saver(request.param)
    loop = asyncio.new_event_loop()  # entering these savers awaits nothing; a loop of its own is enough
    try:
        yield loop.run_until_complete(manager.__aenter__())
    finally:
        loop.run_until_complete(manager.__aexit__(None, None, None))
        loop.close()


@pytest.fixture(params=["memory", "sqlite_aio"])
async def async_checkpointer(request):
    async with _saver(request.param) as saver:
        yield saver


@pytest.fixture(params=["sqlite", "memory"])
def cache(request):
    if request.param == "sqlite":
        from langgraph.cache.sqlite import SqliteCache

        return SqliteCache(path=":memory:")
    from langgraph.cache.memory import InMemoryCache

    return InMemoryCache()


@pytest.fixture
def sync_store():
    from langgraph.store.memory import InMemoryStore

    return InMemoryStore()


@pytest.fixture
def async_store():
    from langgraph.store.memory import InMemoryStore

    return InMemoryStore()
