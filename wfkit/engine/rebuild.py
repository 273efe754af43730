"""Rebuilding a state from stored deltas, in bounded time: when to store a full snapshot, and a replay that
copies the state once rather than once per delta.

Checkpoints hold deltas. Replaying many of them is cheap when they are what the state is made of (each
message of a conversation was written once: replaying them all costs what reading the list costs) and
wasteful when they keep rewriting a small state (a counter written a thousand times). So a checkpoint
gets a snapshot of the full values when `EVERY` or more deltas lie between it and the last snapshot and
those deltas weigh more than `GROWTH` times the state they build: a growing list never pays for copies
of itself, and no state is ever more than `EVERY` deltas from a snapshot unless its deltas are what it
is made of. The weight of a value is its length for a list, tuple, dict or set, else 1.

The replay copies the starting state once and lets the reducers it knows (`operator.add` on lists,
`add_messages`) extend that copy in place, so N appended items cost O(N), not O(N²); any other reducer
is called as the graph would call it.
"""

from __future__ import annotations

import operator
import sys
from typing import Any

from wfkit.engine.spec import GraphSpec
from wfkit.engine.stored import BadDelta
from wfkit.types import overwritten

# K, measured (bench/growth.py, 1000 supersteps of a counter): a cold `get_state` took 28 µs with K = 8,
# 50 µs with 16 and 48-75 µs with 32 on InMemorySaver (SQLite: 124, 315, 157-201 µs, noisy); the bytes
# stored per superstep did not change (a small state's snapshot weighs what one delta does).
EVERY = 8  # at most this many deltas replayed for a state its deltas keep rewriting
GROWTH = 2  # ...unless the deltas weigh less than this many times the state: then they are the state

_SIZED = (list, tuple, dict, set, frozenset)
_MISSING = object()


def weight(value: Any) -> int:
    return len(value) if isinstance(value, _SIZED) else 1


def delta_weight(delta: list) -> int:
    return sum([weight(w[2]) for w in delta])


def wants_snapshot(count: int, replayed: int, values: dict) -> bool:
    """Whether a checkpoint `count` deltas (of total weight `replayed`) after the last snapshot should
    store its full `values`."""
    return count >= EVERY and replayed >= GROWTH * sum([weight(v) for v in values.values()])


def replay_deltas(spec: GraphSpec, base: dict, deltas: list[list]) -> dict:
    """`base` with the stored deltas applied in order (oldest first), through the graph's reducers; `base`
    and the deltas are left as they were. Each delta is one superstep's writes: an `Overwrite` drops the
    writes to its key that follow it in the same superstep, as it did when the superstep ran. A write its
    reducer refuses raises `BadDelta`."""
    values = dict(base)
    owned: dict[str, Any] = {}  # keys whose value this replay made (free to extend) -> what their reducer keeps
    channels = spec.channels
    for index, delta in enumerate(deltas):
        overwritten_keys: set[str] = set()
        for _, key, value in delta:
            channel = channels.get(key)
            if channel is None or key in overwritten_keys:
                continue
            is_overwrite, unwrapped = overwritten(value)
            current = values.get(key, _MISSING)
            if is_overwrite or channel.reducer is None or current is _MISSING:
                values[key] = unwrapped if is_overwrite else value
                owned.pop(key, None)
                if is_overwrite:
                    overwritten_keys.add(key)
            else:
                try:
                    values[key] = _reduce(channel.reducer, key, current, value, owned)
                except Exception as e:  # a write no run made (a damaged row): named by the caller
                    raise BadDelta(index, key, value, e) from e
    return values


def _reduce(reducer: Any, key: str, current: Any, value: Any, owned: dict[str, Any]) -> Any:
    if reducer is operator.add and type(current) is list and type(value) is list:
        if key not in owned:
            current, owned[key] = list(current), None
        current.extend(value)
        return current
    messages = sys.modules.get("wfkit.messages")  # not imported: no graph uses add_messages
    if messages is not None and reducer is messages.add_messages:
        return _add_messages(key, current, value, owned)
    owned.pop(key, None)
    return reducer(current, value)


def _add_messages(key: str, current: Any, value: Any, owned: dict[str, Any]) -> list:
    """`add_messages(current, value)`, extending the replay's own list when `value` only adds or replaces
    messages that have ids (what stored deltas hold); anything else (removals, dicts, strings) goes through
    `add_messages` itself."""
    from wfkit.messages import BaseMessage, RemoveMessage, add_messages

    index = owned.get(key)
    if index is None:  # first write to the key in this replay: take a normalized copy (ids given)
        current = add_messages(current, [])
        index = owned[key] = {m.id: i for i, m in enumerate(current)}
    if type(value) is not list or not all(isinstance(m, BaseMessage) and m.id is not None
                                          and not isinstance(m, RemoveMessage) for m in value):
        merged = add_messages(current, value)
        owned[key] = {m.id: i for i, m in enumerate(merged)}
        return merged
    for m in value:
        at = index.get(m.id)
        if at is None:
            index[m.id] = len(current)
            current.append(m)
        else:
            current[at] = m
    return current
