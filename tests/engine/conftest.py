import pytest

from wfkit import InMemorySaver, SqliteSaver


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def saver(request, tmp_path):
    """Every persistence test runs against every checkpointer (PostgreSQL: a fresh schema, tests/conftest.py)."""
    if request.param == "memory":
        yield InMemorySaver()
    else:
        if request.param == "sqlite":
            s = SqliteSaver(str(tmp_path / "checkpoints.db"))
        else:
            from wfkit.checkpoint.postgres import PostgresSaver

            s = PostgresSaver(request.getfixturevalue("postgres_conninfo"))
        yield s
        close = getattr(s, "close", None)
        if close:
            close()
