"""A saver read the way LangGraph's docs and tests read one: `saver.get_tuple(config)`, `saver.get(config)`
and `saver.list(config, before=, limit=, filter=)` take a config dict and give `CheckpointTuple`s.

wfkit's own calls take a thread id (`saver.list("t1")`, `saver.get("t1", checkpoint_id)`); given a config
dict instead, `list` and `get` answer in LangGraph's shape (`BaseCheckpointSaver` dispatches on the type).
A checkpoint is a dict with `id`, `ts` and `channel_values`: the state at that checkpoint. A wfkit record
keeps a superstep's writes, not the state, so the values are rebuilt by the graph compiled with the saver
(`values_reader`, set by the graph), with its reducers; a saver no graph was compiled with gives the values
only of a checkpoint that stores a snapshot of them. LangGraph's channel versions are not kept (empty dicts).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from wfkit.checkpoint.keys import nested_key
from wfkit.errors import ArgumentTypeError, ThreadKeyMissingError

if TYPE_CHECKING:
    from wfkit.checkpoint.base import Checkpoint


class CheckpointTuple(NamedTuple):
    """One checkpoint as LangGraph's savers give it."""

    config: dict
    checkpoint: dict
    metadata: dict
    parent_config: dict | None = None
    pending_writes: list | None = None


def checkpoint_metadata(checkpoint: Checkpoint) -> dict:
    """LangGraph's metadata for a checkpoint: source, step, parents, and anything extra that was stored."""
    return {"source": checkpoint.source, "step": checkpoint.step, "parents": {}, **checkpoint.metadata}


def get_tuple(saver: Any, config: dict) -> CheckpointTuple | None:
    """The checkpoint the config names (its `checkpoint_id`, else the thread's newest), or None."""
    thread_id, ns, checkpoint_id = _named(config, "get_tuple")
    key = nested_key(thread_id, ns)
    checkpoint, writes = saver.get_with_writes(key, checkpoint_id)
    return None if checkpoint is None else _tuple(saver, checkpoint, thread_id, ns, key, writes)


def list_tuples(saver: Any, config: dict | None, *, before: dict | None = None, limit: int | None = None,
                filter: dict | None = None) -> Iterator[CheckpointTuple]:
    """The thread's checkpoints, newest first: those put before `before`'s checkpoint, whose metadata has
    every item of `filter`, at most `limit`."""
    if config is None:
        raise ArgumentTypeError("list(None): wfkit's savers list one thread at a time; pass "
                                "config={'configurable': {'thread_id': 'some-id'}} (or the thread id)")
    thread_id, ns, _ = _named(config, "list")
    if before is not None and not isinstance(before, dict):
        raise ArgumentTypeError(f"list(): `before` must be a config dict naming a checkpoint, got {before!r}: "
                                "e.g. before=snapshot.config")
    before_id = (before or {}).get("configurable", {}).get("checkpoint_id")
    key = nested_key(thread_id, ns)
    found = 0
    for checkpoint in saver.list(key, before=before_id):
        if limit is not None and found >= limit:
            return
        metadata = checkpoint_metadata(checkpoint)
        if filter and any(metadata.get(k) != v for k, v in filter.items()):
            continue
        found += 1
        yield _tuple(saver, checkpoint, thread_id, ns, key, saver.get_writes(key, checkpoint.id), metadata)


def get_checkpoint(saver: Any, config: dict) -> dict | None:
    """`get(config)`: the checkpoint dict of `get_tuple`, or None."""
    found = get_tuple(saver, config)
    return None if found is None else found.checkpoint


def _named(config: Any, call: str) -> tuple[str, str, str | None]:
    configurable = config.get("configurable") if isinstance(config, dict) else None
    thread_id = configurable.get("thread_id") if isinstance(configurable, dict) else None
    if thread_id is None:
        raise ThreadKeyMissingError(f"{call}(): the config names no thread, got {config!r}; pass "
                                    "{'configurable': {'thread_id': 'some-id'}}")
    return str(thread_id), configurable.get("checkpoint_ns") or "", configurable.get("checkpoint_id")


def _tuple(saver: Any, checkpoint: Checkpoint, thread_id: str, ns: str, key: str, writes: list,
           metadata: dict | None = None) -> CheckpointTuple:
    def config_of(checkpoint_id: str) -> dict:
        return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns, "checkpoint_id": checkpoint_id}}

    reader = getattr(saver, "values_reader", None)
    values = reader(key, checkpoint) if reader is not None else dict(checkpoint.snapshot or {})
    stored = {"v": 4, "id": checkpoint.id, "ts": checkpoint.created_at, "channel_values": values,
              "channel_versions": {}, "versions_seen": {},
              "updated_channels": sorted({k for _, k, _ in checkpoint.writes})}
    return CheckpointTuple(config_of(checkpoint.id), stored, metadata or checkpoint_metadata(checkpoint),
                           None if checkpoint.parent_id is None else config_of(checkpoint.parent_id),
                           [(w.task_id, w.key, w.value) for w in writes])
