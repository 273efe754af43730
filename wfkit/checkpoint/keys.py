"""The thread key a saver stores a subgraph's checkpoints under."""

from __future__ import annotations


# A subgraph's checkpoints live in a thread of their own, named by the parent's thread and the subgraph's
# checkpoint_ns (LangGraph's "node:task id", "|" between levels): `nested_key` joins them with a character no
# thread id uses, so every saver stores them without knowing of namespaces, and `delete_thread` finds them
# as the keys that start with `thread_id + NS_SEP` (a range scan in SQL).
NS_SEP = "\x1f"


def nested_key(thread_id: str, checkpoint_ns: str) -> str:
    """The thread key a saver stores a subgraph's checkpoints under ("" is the thread itself)."""
    return f"{thread_id}{NS_SEP}{checkpoint_ns}" if checkpoint_ns else thread_id
