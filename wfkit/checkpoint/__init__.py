"""Checkpointers: where a graph keeps each superstep's record so a run can pause, resume, rewind and fork.

`BaseCheckpointSaver` is the contract (`base.py`); `InMemorySaver` keeps records in this process,
`SqliteSaver` in a SQLite file, `PostgresSaver` on a PostgreSQL server (psycopg, imported when used); all
store the JSON text that `JsonSerde` makes, which revives only registered types.
"""

from wfkit.checkpoint.base import BaseCheckpointSaver, Checkpoint, PendingWrite, WaitingThread
from wfkit.checkpoint.memory import InMemorySaver
from wfkit.checkpoint.serde import JsonSerde


def __getattr__(name: str):
    # Lazy: the engine imports this package, and `import wfkit` should not pay for sqlite3.
    if name == "SqliteSaver":
        from wfkit.checkpoint.sqlite import SqliteSaver

        return SqliteSaver
    if name == "PostgresSaver":
        from wfkit.checkpoint.postgres import PostgresSaver

        return PostgresSaver
    raise AttributeError(f"module 'wfkit.checkpoint' has no attribute {name!r}")

__all__ = ["BaseCheckpointSaver", "Checkpoint", "InMemorySaver", "JsonSerde", "PendingWrite", "PostgresSaver",
           "SqliteSaver", "WaitingThread"]
