"""What only `InMemorySaver` promises: its history costs about what its JSON weighs."""

from __future__ import annotations

import gc
import tracemalloc

from wfkit._ids import new_id
from wfkit.checkpoint import Checkpoint, InMemorySaver

STEPS = 1000


def _value(i: int) -> str:
    return f"{i:05d}" + "x" * 95  # 100 bytes, distinct per step


def _retained(build) -> tuple[int, object]:
    """Bytes still allocated after `build()` returns, with its temporaries collected."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        kept = build()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - base, kept
    finally:
        tracemalloc.stop()


def _plain_list():
    return [("agent", "items", _value(i)) for i in range(STEPS)]


def _saver_history():
    saver = InMemorySaver()
    parent = None
    for i in range(STEPS):
        # What the engine puts for a superstep that appends one item: the delta, not the whole list.
        cp = Checkpoint(id=new_id("checkpoint"), thread_id="thread-1", parent_id=parent, step=i, source="loop",
                        created_at="2025-01-02T03:04:05.678901+00:00", writes=[("agent", "items", [_value(i)])],
                        plan={"next": ["agent"]})
        saver.put(cp)
        parent = cp.id
    return saver


def test_a_thousand_step_history_holds_at_most_two_and_a_half_times_its_writes():
    plain, _ = _retained(_plain_list)
    held, saver = _retained(_saver_history)
    ratio = held / plain
    print(f"plain list of {STEPS} writes: {plain} B; InMemorySaver: {held} B; ratio {ratio:.2f}")
    assert ratio <= 2.5, f"InMemorySaver holds {held} B for {STEPS} steps, {ratio:.2f}x the {plain} B of the writes"
    assert len(list(saver.list("thread-1"))) == STEPS
    assert saver.get("thread-1").writes == [("agent", "items", [_value(STEPS - 1)])]


def test_repr_counts_threads_and_checkpoints(make_checkpoint):
    saver = InMemorySaver()
    saver.put(make_checkpoint("c0", thread="a"))
    saver.put(make_checkpoint("c1", thread="a"))
    saver.put(make_checkpoint("c0", thread="b"))
    assert repr(saver) == "InMemorySaver(threads=2, checkpoints=3)"
