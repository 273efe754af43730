"""The marked picture as DOT: a graph plus marks (node states, the edges of the path, the routes chosen and
not taken, the joins waiting, the Send tasks) become node and edge attributes.

Pure string building shared by `GraphView`, `Compare` and `export_html`. Marks change colours, pens and
external labels (`xlabel`, which Graphviz places after the layout) only, so the boxes stay put while a run
is stepped. A loop of two nodes (`a → b` and `b → a`) has its back edge drawn round the right-hand side, so
the two arrows do not lie on top of each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wfkit.drawing.graph import DrawableGraph
from wfkit.widgets._path import SEND_INPUTS_SHOWN
from wfkit.widgets.styles import EDGE_LOOK, STATES, node_attrs

NODE_MARKS = STATES
EDGE_MARKS = ("taken_edges", "path_edges", "next_edges", "not_taken")
EXTRA_MARKS = ("waiting", "sends")
MARKS = (*NODE_MARKS, *EDGE_MARKS, *EXTRA_MARKS)
BACK_EDGE = {"tailport": "e", "headport": "e"}


def state_of(marks: Mapping[str, Any]) -> dict[str, str]:
    """node id -> the state it is drawn in (the highest-precedence mark it has)."""
    out: dict[str, str] = {}
    for state in reversed(STATES):  # lowest precedence first, so higher ones overwrite
        for node_id in marks.get(state, ()):
            out[node_id] = state
    return out


def back_edges(graph: DrawableGraph) -> set[tuple[str, str]]:
    """The edges `b → a` of two-node loops whose `a → b` comes first in a walk from the start: the ones
    drawn round the side."""
    pairs = {(e.source, e.target) for e in graph.edges}
    order: dict[str, int] = {}
    todo = [n.id for n in graph.nodes if n.kind == "start"] or [n.id for n in graph.nodes[:1]]
    while todo:  # breadth first: a node's order is its distance in edges from the start
        node = todo.pop(0)
        if node in order:
            continue
        order[node] = len(order)
        todo += [e.target for e in graph.edges if e.source == node and e.target not in order]
    rank = {n.id: order.get(n.id, len(order) + i) for i, n in enumerate(graph.nodes)}
    return {(a, b) for a, b in pairs if a != b and (b, a) in pairs and rank[b] < rank[a]}


def picture_styles(graph: DrawableGraph, marks: Mapping[str, Any]) -> tuple[dict, dict]:
    """`(node_styles, edge_styles)` for `graph.to_dot` showing `marks` (see `GraphView.mark`)."""
    kinds = {n.id: n.kind for n in graph.nodes}
    node_styles = {node_id: node_attrs(state, kinds[node_id]) for node_id, state in state_of(marks).items()}
    notes: dict[str, list[str]] = {}
    for node, missing in marks.get("waiting", ()):
        notes.setdefault(node, []).append("waits for " + ", ".join(missing))
    for node, inputs in marks.get("sends", ()):
        lines = [f"{len(inputs)} Send task{'s' if len(inputs) != 1 else ''}:"]
        lines += [f"#{n} {text}" for n, text in enumerate(inputs[:SEND_INPUTS_SHOWN], 1)]
        if len(inputs) > SEND_INPUTS_SHOWN:
            lines.append(f"… {len(inputs) - SEND_INPUTS_SHOWN} more")
        notes.setdefault(node, []).extend(lines)
    for node, lines in notes.items():
        node_styles.setdefault(node, {})["xlabel"] = "\n".join(lines)

    edge_styles: dict[tuple[str, str], dict[str, str]] = {edge: dict(BACK_EDGE) for edge in back_edges(graph)}

    def put(edge, look):
        edge_styles.setdefault(tuple(edge), {}).update(EDGE_LOOK[look].attrs)

    for edge in marks.get("not_taken", ()):
        put(edge, "not taken")
    for source, target, count in marks.get("path_edges", ()):
        put((source, target), "path")
        if count > 1:
            edge_styles[(source, target)].update({"headlabel": f"×{count}", "labeldistance": "1.6"})
    for node, missing in marks.get("waiting", ()):
        for source in missing:
            if (source, node) in edge_styles or any(e.source == source and e.target == node for e in graph.edges):
                put((source, node), "waiting")
    for edge in marks.get("next_edges", ()):
        put(edge, "chosen")
    for edge in marks.get("taken_edges", ()):
        put(edge, "taken")
    return node_styles, edge_styles


def marked_dot(graph: DrawableGraph, marks: Mapping[str, Any]) -> str:
    """The DOT text of `graph` showing `marks`."""
    return graph.to_dot(*picture_styles(graph, marks))


def freeze(marks: Mapping[str, Any]) -> tuple:
    """A hashable key for `marks` (what the picture cache is keyed by)."""
    return (tuple(sorted(state_of(marks).items())),
            *(tuple(sorted(set(map(tuple, marks.get(name, ()))))) for name in EDGE_MARKS),
            *(tuple(sorted((a, tuple(b)) for a, b in marks.get(name, ()))) for name in EXTRA_MARKS))
