"""Random graph descriptions for the differential suite: plain data (dicts, lists, str, int, bool) only.

A description says what to build and how to run it; `build.py` turns the same description into a graph on
wfkit and on LangGraph. Every node appends a trace entry `<name><len(trace) it saw>` (so the state a node
saw is visible in the output), may also write `last` (no reducer: two writers in one superstep is an
`InvalidUpdateError`) and `joined` (a custom, order-sensitive reducer), may call `interrupt()`, and may
return a `Command(goto=..., update=...)`. Routers and `Command`s pick their targets from the length of the
trace, so runs are deterministic and loops end (or hit the recursion limit).

Strategies are composed from small draws so that hypothesis shrinks towards the smallest failing graph:
fewer nodes, fewer edges, no routers, no checkpointer.
"""

from __future__ import annotations

from hypothesis import strategies as st

NAMES = ["a", "b", "c", "d", "e", "f"]
END = "__end__"
START = "__start__"
# How a router or a Command picks from its targets: one of them (by len(trace) % n), all of them, or a
# `Send` to each with its own input.
MODES = ["one", "all", "send"]


def _targets(draw, nodes: list[str], with_end: bool) -> list[str]:
    pool = nodes + ([END] if with_end else [])
    return draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))


def _choice(draw, nodes: list[str]) -> dict:
    mode = draw(st.sampled_from(MODES))
    targets = _targets(draw, nodes, with_end=mode != "send")
    return {"mode": mode, "targets": targets}


@st.composite
def descriptions(draw) -> dict:
    n = draw(st.integers(1, len(NAMES)))
    nodes = NAMES[:n]
    checkpointer = draw(st.booleans())
    specs = {}
    for name in nodes:
        command = None
        if draw(st.integers(0, 4)) == 0:
            command = dict(_choice(draw, nodes), update=draw(st.booleans()))
        specs[name] = {
            "writes": draw(st.lists(st.sampled_from(["last", "joined"]), max_size=2, unique=True)),
            "interrupt": checkpointer and draw(st.integers(0, 5)) == 0,
            "returns_none": draw(st.integers(0, 9)) == 0,
            "command": command,
        }
    # START reaches the first node always (so most graphs run); most other nodes get an edge from an
    # earlier node, so that graphs reached only through Command, Send or a router stay a minority.
    edges = [[START, nodes[0]]]
    for i, name in enumerate(nodes[1:], 1):
        if draw(st.integers(0, 5)):
            edges.append([draw(st.sampled_from([START] + nodes[:i])), name])
    edges += draw(st.lists(st.tuples(st.sampled_from([START] + nodes), st.sampled_from(nodes + [END]))
                           .map(list), max_size=n))
    edges = [e for i, e in enumerate(edges) if e not in edges[:i]]
    joins = []
    if n >= 3 and draw(st.integers(0, 3)) == 0:
        sources = draw(st.lists(st.sampled_from(nodes), min_size=2, max_size=3, unique=True))
        joins.append([sources, draw(st.sampled_from(nodes + [END]))])
    routers = []
    for _ in range(draw(st.integers(0, 2))):
        choice = _choice(draw, nodes)
        # "str": a str path_map, which LangGraph ignores (as if None)
        path_map = draw(st.sampled_from([None, "list", "dict", "str"]))
        routers.append(dict(choice, src=draw(st.sampled_from([START] + nodes)), path_map=path_map))
    interrupt_before, interrupt_after = [], []
    if checkpointer:
        interrupt_before = draw(st.lists(st.sampled_from(nodes), max_size=2, unique=True))
        interrupt_after = draw(st.lists(st.sampled_from(nodes), max_size=2, unique=True))
    return {
        "nodes": specs,
        "edges": edges,
        "joins": joins,
        "routers": routers,
        "input": {"trace": draw(st.sampled_from([[], ["in"]]))},
        # mostly room to finish (shrinks towards 25); small limits to hit GraphRecursionError
        "recursion_limit": draw(st.sampled_from([25, 12, 8, 5, 3, 2, 1])),
        "checkpointer": checkpointer,
        "interrupt_before": interrupt_before,
        "interrupt_after": interrupt_after,
        # how several pending interrupts are resumed: one value (an error on both) or a value per id
        "resume": draw(st.sampled_from(["map", "value"])),
        # the thread: a str, a uuid.UUID (the LangGraph docs' habit), or none at all (an error on both)
        "thread": draw(st.sampled_from(["str", "uuid", "none"])) if checkpointer else "str",
        # an output schema of the trace alone: invoke's result is cut to it, streams and snapshots are not
        "output": draw(st.sampled_from([None, None, "trace"])),
    }
