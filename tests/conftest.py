"""A real PostgreSQL server for the tests of `PostgresSaver`: `postgres_conninfo` gives each test a fresh schema.

The server is the one `WFKIT_POSTGRES` names (a libpq conninfo), or else one this session starts from
Debian's `postgresql` package: `initdb` into a temporary folder (as the `postgres` user when running as root,
since PostgreSQL refuses to run as root), listening only on a unix socket in that folder, stopped at the end.
When no server can be had the tests are skipped with the reason, except under CI (`CI=true`), where that fails.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid

import pytest


def _no_server(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"no PostgreSQL server for the PostgresSaver tests: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL server for the PostgresSaver tests: {reason}")


def _start_server(folder: str) -> tuple[str, list[str]]:
    """Start a throwaway server with its data and socket in `folder`; its conninfo and the stop command."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("Debian's postgresql package is not installed (no /usr/lib/postgresql/*/bin/initdb); "
                           "run `apt-get install postgresql` or set WFKIT_POSTGRES to a server's conninfo")
    bin_dir = os.path.dirname(found[-1])
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, log = os.path.join(folder, "data"), os.path.join(folder, "server.log")
    subprocess.run([*as_user, f"{bin_dir}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-sync"], check=True, capture_output=True, text=True)
    options = f"-k {folder} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    subprocess.run([*as_user, f"{bin_dir}/pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start"],
                   check=True, capture_output=True, text=True)
    return (f"host={folder} port=5432 user=postgres dbname=postgres",
            [*as_user, f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"])


@pytest.fixture(scope="session")
def postgres_server():
    """The conninfo of a PostgreSQL server for this test session."""
    psycopg = pytest.importorskip("psycopg", reason='PostgresSaver needs `pip install "wfkit[postgres]"`')
    given = os.environ.get("WFKIT_POSTGRES")
    if given:
        yield given
        return
    folder = tempfile.mkdtemp(prefix="wfkit-pg-")
    stop = None
    try:
        try:
            conninfo, stop = _start_server(folder)
            psycopg.connect(conninfo).close()
        except (OSError, RuntimeError, subprocess.CalledProcessError, psycopg.Error) as e:
            detail = getattr(e, "stderr", "") or ""
            _no_server(f"{e} {detail}".strip())
        yield conninfo
    finally:
        if stop is not None:
            subprocess.run(stop, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_conninfo(postgres_server):
    """A conninfo whose tables go to a schema of this test's own, dropped at the end."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{postgres_server} options='-csearch_path={schema}'"
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
