"""History stores what changed: N supersteps that each append one item cost O(N) memory, not O(N^2)."""

import gc
import operator
import tracemalloc
from typing import Annotated

from typing_extensions import TypedDict

from wfkit import END, START, InMemorySaver, StateGraph


class S(TypedDict):
    items: Annotated[list, operator.add]
    n: int


def retained_after(steps: int) -> int:
    g = StateGraph(S)
    g.add_node("grow", lambda s: {"items": ["x" * 100 + str(s["n"])], "n": s["n"] + 1})
    g.add_edge(START, "grow")
    g.add_conditional_edges("grow", lambda s: END if s["n"] >= steps else "grow", ["grow", END])
    saver = InMemorySaver()
    app = g.compile(checkpointer=saver)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    app.invoke({"n": 0}, {"configurable": {"thread_id": "m"}, "recursion_limit": steps + 5})
    del app, g
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert saver is not None
    return used


def test_checkpoint_memory_grows_linearly_with_supersteps():
    small, large = retained_after(250), retained_after(1000)
    # quadratic storage would make the 4x longer run cost ~16x; linear costs ~4x
    assert large / small < 5.0, (small, large)
    assert large < 1000 * 600, large  # well under a kilobyte per superstep of 100 bytes of new data
