"""Checkpointers: where a graph keeps each superstep's record so a run can pause, resume, rewind and fork.

`BaseCheckpointSaver` is the contract (`base.py`); `InMemorySaver` keeps records in this process,
`SqliteSaver` in a SQLite file; both store the JSON text that `JsonSerde` makes, which revives only
registered types.
"""

from wfkit.checkpoint.base import BaseCheckpointSaver, Checkpoint, PendingWrite
from wfkit.checkpoint.memory import InMemorySaver
from wfkit.checkpoint.serde import JsonSerde
from wfkit.checkpoint.sqlite import SqliteSaver

__all__ = ["BaseCheckpointSaver", "Checkpoint", "InMemorySaver", "JsonSerde", "PendingWrite", "SqliteSaver"]
