"""The graph `test_concurrency.py` steps from several processes: each step adds one to `n` and logs who did
it; `interrupt_before` makes every `invoke(None)` exactly one superstep (one checkpoint)."""

import operator
from typing import Annotated, TypedDict

from wfkit import END, START, SqliteSaver, StateGraph  # noqa: F401


class Count(TypedDict):
    n: int
    log: Annotated[list, operator.add]


def build(path, who, before_step=lambda state: None, saver_class=SqliteSaver, **saver_options):
    def step(state):
        before_step(state)
        return {"n": state["n"] + 1, "log": [f"{who}:{state['n']}"]}

    graph = StateGraph(Count)
    graph.add_node("step", step)
    graph.add_edge(START, "step")
    graph.add_edge("step", "step")
    return graph.compile(checkpointer=saver_class(path, **saver_options), interrupt_before=["step"])
