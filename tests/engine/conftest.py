import pytest

from wfkit import InMemorySaver, SqliteSaver


@pytest.fixture(params=["memory", "sqlite"])
def saver(request, tmp_path):
    """Every persistence test runs against both checkpointers."""
    if request.param == "memory":
        yield InMemorySaver()
    else:
        s = SqliteSaver(str(tmp_path / "checkpoints.db"))
        yield s
        close = getattr(s, "close", None)
        if close:
            close()
