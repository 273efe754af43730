"""From a compiled graph to the neutral picture model of `wfkit.drawing` (no rendering here)."""

from __future__ import annotations

from wfkit.constants import END, START
from wfkit.engine.spec import GraphSpec


def _metadata(node) -> dict | None:
    metadata = dict(node.metadata or {})
    tools = getattr(node.fn, "tools_by_name", None)  # a ToolNode: LangGraph notes its tools under its name
    if isinstance(tools, dict) and tools:
        metadata["__tools"] = list(tools)
    return metadata or None


def _source(fn) -> tuple[str, ...]:
    target = fn if hasattr(fn, "__qualname__") else type(fn)
    module = getattr(target, "__module__", None) or ""  # None for functions made by exec()
    return (*filter(None, module.split(".")), getattr(target, "__qualname__", type(fn).__name__))


def drawable(spec: GraphSpec):
    from wfkit.drawing import DrawableGraph, DrawEdge, DrawNode

    edges: list = []
    seen: set = set()

    def edge(a: str, b: str, label: str | None = None, conditional: bool = False) -> None:
        key = (a, b, label, conditional)
        if key not in seen:
            seen.add(key)
            edges.append(DrawEdge(a, b, label, conditional))

    for source, targets in spec.edges.items():
        for target in targets:
            edge(source, target)
    for join in spec.joins:
        for source in join.sources:
            edge(source, join.target)
    for source, branches in spec.branches.items():
        for branch in branches:
            if branch.path_map is not None:
                for key, target in branch.path_map.items():
                    edge(source, target, None if str(key) == target else str(key), True)
            else:
                for target in branch.hinted or [*spec.nodes, END]:
                    edge(source, target, None, True)
    for name, node in spec.nodes.items():
        for target in getattr(node, "destinations", ()) or ():
            edge(name, target, None, True)
    # LangGraph's order: the edges sorted by (source, target, conditional, label), the first of any two
    # between the same nodes kept; then, sorted, the edges to END from every node that leads nowhere else
    # or has a plain edge to END (LangGraph draws the latter only when the node leads nowhere else).
    ordered: list = []
    pairs: set = set()
    plain_ends = {e.source for e in edges if e.target == END and not e.conditional}
    for e in sorted(edges, key=lambda e: (e.source, e.target, e.conditional, e.label or "")):
        if (e.source, e.target) not in pairs and not (e.target == END and not e.conditional):
            pairs.add((e.source, e.target))
            ordered.append(e)
    sources = {e.source for e in ordered}
    ends = ({e.target for e in ordered} - sources - {END}) | plain_ends
    ordered += [DrawEdge(t, END) for t in sorted(ends) if (t, END) not in pairs]
    edges = ordered
    used = {e.source for e in edges} | {e.target for e in edges}
    nodes = [DrawNode(START, START, "start", source=("wfkit", "constants", "START"))]
    nodes += [DrawNode(name, name, "node", _metadata(node), _source(node.fn)) for name, node in spec.nodes.items()]
    if END in used:
        nodes.append(DrawNode(END, END, "end"))
    return DrawableGraph(nodes, edges, name=spec.name)
