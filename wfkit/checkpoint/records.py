"""The stored records of checkpoints and pending writes, as the savers keep them.

A saver keeps one JSON array per checkpoint and one per pending write; the functions here lay those arrays
out and check their shape when they are read back, and hand every value inside them to a `JsonSerde`, which
alone decides how a value is written and which types may be revived. The ids a record belongs to are not in
it: the saver keeps them where it finds the record (a dict key, a column), so a record stays short, and a
record that is damaged or was edited outside wfkit is named by those ids when it is refused.
"""

from __future__ import annotations

import json
from typing import Any

from wfkit.checkpoint.base import Checkpoint, PendingWrite
from wfkit.checkpoint.nesting import MAX_DEPTH, deeper_than
from wfkit._secrets import secrets
from wfkit.checkpoint.serde import JsonSerde, _dump_text
from wfkit.errors import CheckpointError

_RECORD_VERSION = 1


def dumps_checkpoint(serde: JsonSerde, cp: Checkpoint) -> str:
    """`[1, parent_id, step, source, created_at, [[node, key, value]...], plan, metadata, snapshot]`: the
    thread id and the checkpoint id are where the record is kept (a key, a column), not in it. All or
    nothing: `CheckpointError` on the first value that cannot be stored."""
    context = f"cannot store checkpoint `{cp.id}` of thread `{cp.thread_id}`"
    _check_ids(context, {"thread_id": cp.thread_id, "id": cp.id})
    writes = []
    secret = secrets()
    for i, write in enumerate(cp.writes):
        if not (isinstance(write, (tuple, list)) and len(write) == 3 and isinstance(write[0], str)
                and isinstance(write[1], str)):
            raise CheckpointError(f"{context}: writes[{i}] is {write!r}; each write must be a "
                                  f"(node, key, value) tuple with str node and key")
        node, key, value = write
        head = serde._encode([node, key], context=context, root=f"writes[{i}]", secret=secret)
        writes.append([*head, serde._encode(value, context=context, root=f"`{key}`",
                                            note=f" (written by node `{node}`)", secret=secret)])
    head = serde._encode([_RECORD_VERSION, cp.parent_id, cp.step, cp.source, cp.created_at],
                         context=context, root="the checkpoint's header", secret=secret)
    tail = [serde._encode(getattr(cp, name), context=context, root=f"`{name}`", secret=secret)
            for name in ("plan", "metadata", "snapshot")]
    return _dump_text([*head, writes, *tail])


def has_snapshot(text: str) -> bool:
    """Whether a stored checkpoint record holds a snapshot, without parsing it: the snapshot is the record's
    last item, `null` when there is none."""
    return not text.endswith(NO_SNAPSHOT)


NO_SNAPSHOT = "null]"  # how a record without a snapshot ends (compact JSON: no spaces)
_HEAD = "[" + str(_RECORD_VERSION) + ","
_DECODER = json.JSONDecoder()


def parent_of(text: str) -> str | None:
    """The parent id of a stored checkpoint record, read from its start without parsing the rest (a walk
    up a thread's history reads one per checkpoint). A record of another shape raises `CheckpointError`
    when it is decoded; here it just ends the walk."""
    if type(text) is not str or not text.startswith(_HEAD):
        return None
    try:
        parent = _DECODER.raw_decode(text, len(_HEAD))[0]
    except (ValueError, RecursionError):  # a damaged record: `loads_checkpoint` names it when it is read
        return None
    return parent if type(parent) is str else None


def damaged(thread_id: str, checkpoint_id: str, what: str) -> CheckpointError:
    """The error for a checkpoint whose record reads but holds what no run stores (`what` names the field)."""
    return CheckpointError(f"checkpoint `{checkpoint_id}` of thread `{thread_id}`: {what}; the row was damaged or "
                           f"edited outside wfkit — delete the thread or restore the file")


def loads_checkpoints(serde: JsonSerde, found: list[tuple[str, str]], thread_id: str) -> list[Checkpoint]:
    """Many stored checkpoints `(id, text)` at once (a history listing): one JSON parse for all of them
    when that succeeds, else one by one, so a bad record is still named exactly."""
    if len(found) > 1:
        texts = []
        for _, text in found:
            if type(text) is not str or deeper_than(text, MAX_DEPTH - 1):  # an edited file may hold a BLOB
                break
            texts.append(text)
        else:
            try:
                records = serde._parse("[" + ",".join(texts) + "]")
            except CheckpointError:
                records = None
            if records is not None and len(records) == len(found):
                return [_checkpoint_from(rec, text, thread_id, cid) for (cid, text), rec in zip(found, records)]
    return [loads_checkpoint(serde, text, thread_id, cid) for cid, text in found]


def loads_checkpoint(serde: JsonSerde, text: str, thread_id: str, checkpoint_id: str) -> Checkpoint:
    """The checkpoint stored as `text` under that thread and id; `CheckpointError` names a bad record."""
    try:
        rec = serde.loads(text)
    except CheckpointError as e:
        raise type(e)(f"checkpoint `{checkpoint_id}` of thread `{thread_id}`: {e}") from None
    return _checkpoint_from(rec, text, thread_id, checkpoint_id)


def _checkpoint_from(rec: Any, text: str, thread_id: str, checkpoint_id: str) -> Checkpoint:
    if not (type(rec) is list and len(rec) == 9 and type(rec[0]) is int and rec[0] == _RECORD_VERSION and _record_fits(rec)):
        raise CheckpointError(f"checkpoint `{checkpoint_id}` of thread `{thread_id}`: the stored record is "
                              f"malformed ({text[:200]!r}); the row was damaged or edited outside wfkit")
    _, parent_id, step, source, created_at, writes, plan, metadata, snapshot = rec
    # positional, in the field order of Checkpoint: keywords cost a third of the call, a listing makes thousands
    return Checkpoint(checkpoint_id, thread_id, parent_id, step, source, created_at, [tuple(w) for w in writes],
                      plan, metadata, snapshot)


def _record_fits(rec: list) -> bool:
    """The shape check of a checkpoint record, written out flat: it runs once per checkpoint read, and a
    history listing reads thousands."""
    parent, step, source, created, writes, plan, metadata, snapshot = rec[1:]
    if not ((parent is None or type(parent) is str) and type(step) is int and type(source) is str
            and type(created) is str and type(writes) is list and type(plan) is dict and type(metadata) is dict
            and (snapshot is None or type(snapshot) is dict)):
        return False
    for w in writes:
        if not (type(w) is list and len(w) == 3 and type(w[0]) is str and type(w[1]) is str):
            return False
    return True


def dumps_write(serde: JsonSerde, write: PendingWrite, *, context: str) -> str:
    """`[task_id, task_name, key, value]`; `CheckpointError` (after `context`) for a value it cannot hold."""
    _check_ids(context, {"task_id": write.task_id, "task_name": write.task_name, "key": write.key})
    secret = secrets()
    value = serde._encode(write.value, context=context, root=f"`{write.key}`",
                          note=f" (written by task `{write.task_name}`)", secret=secret)
    return _dump_text([*serde._encode([write.task_id, write.task_name, write.key], context=context,
                                      root="the write's header", secret=secret), value])


def loads_write(serde: JsonSerde, text: str, thread_id: str, checkpoint_id: str) -> PendingWrite:
    """A pending write stored as `text` on that checkpoint; `CheckpointError` names a bad record."""
    where = f"a pending write on checkpoint `{checkpoint_id}` of thread `{thread_id}`"
    try:
        rec = serde.loads(text)
    except CheckpointError as e:
        raise type(e)(f"{where}: {e}") from None
    if not (isinstance(rec, list) and len(rec) == 4 and all(isinstance(x, str) for x in rec[:3])):
        raise CheckpointError(f"{where}: the stored record is malformed ({text[:200]!r}); the row was "
                              f"damaged or edited outside wfkit")
    return PendingWrite(task_id=rec[0], task_name=rec[1], key=rec[2], value=rec[3])


def _check_ids(context: str, ids: dict[str, Any]) -> None:
    for field, value in ids.items():
        if not isinstance(value, str) or not value:
            raise CheckpointError(f"{context}: `{field}` must be a non-empty str, got {value!r}")
