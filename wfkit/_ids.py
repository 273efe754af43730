"""Ids for messages, checkpoints, tasks and interrupts, with one seam to make them deterministic.

Notebooks and tests that show ids call `deterministic_ids()`; everything else gets uuid4 hex strings.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import threading
import uuid

_lock = threading.Lock()
_counter: itertools.count | None = None
_prefix = ""


def new_id(kind: str = "id", short: bool = False) -> str:
    """A fresh id: random by default (`short`: 16 hex digits, for ids stored by the thousand, unique within
    a thread), `<kind>-<n>` inside `deterministic_ids()`."""
    if _counter is None:
        return uuid.uuid4().hex[:16] if short else uuid.uuid4().hex
    with _lock:
        return f"{_prefix}{kind}-{next(_counter)}"


@contextlib.contextmanager
def deterministic_ids(prefix: str = ""):
    """Within the block, ids are `<prefix><kind>-1`, `<prefix><kind>-2`, ... in creation order."""
    global _counter, _prefix
    saved = (_counter, _prefix)
    _counter, _prefix = itertools.count(1), prefix
    try:
        yield
    finally:
        _counter, _prefix = saved


def stable_id(*parts: object) -> str:
    """A deterministic id derived from its parts (same parts, same id): the scripted model's tool-call ids."""
    # blake2b is several times cheaper than uuid5 (sha1 + UUID object), and this runs once per task
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16).hexdigest()
