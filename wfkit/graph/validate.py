"""Compile-time checks of a `StateGraph`: every error names the culprit and the fix."""

from __future__ import annotations

from wfkit.constants import END, START
from wfkit.errors import GraphBuildError


def _unknown(name: str, known: list[str], where: str) -> GraphBuildError:
    listing = ", ".join(f"`{n}`" for n in known) or "none yet"
    return GraphBuildError(
        f"{where} refers to `{name}`, which is not a node; known nodes: {listing}. "
        f"Add it with add_node({name!r}, fn) or fix the name."
    )


def validate(builder, interrupt_before=None, interrupt_after=None) -> None:
    nodes = list(builder.nodes)
    known = set(nodes) | {START, END}
    sources_from_start = [b for a, b in builder.edges if a == START] + list(builder.branches.get(START, []))
    if not sources_from_start:
        raise GraphBuildError(
            "the graph has no entry point: add an edge from START, e.g. "
            f"add_edge(START, {nodes[0] if nodes else 'first_node'!r})"
        )
    for a, b in builder.edges:
        for name in (a, b):
            if name not in known:
                raise _unknown(name, nodes, f"add_edge({a!r}, {b!r})")
    for join in builder.joins:
        for name in (*join.sources, join.target):
            if name not in known:
                raise _unknown(name, nodes, f"add_edge({list(join.sources)!r}, {join.target!r})")
    for source, branches in builder.branches.items():
        if source not in known:
            raise _unknown(source, nodes, f"add_conditional_edges({source!r}, ...)")
        for branch in branches:
            for target in (branch.path_map or {}).values():
                if target not in known:
                    raise _unknown(target, nodes, f"the path_map of add_conditional_edges({source!r}, ...)")
    for label, names in (("interrupt_before", interrupt_before), ("interrupt_after", interrupt_after)):
        if names and names != "*":
            for name in [names] if isinstance(names, str) else names:
                if name not in builder.nodes:
                    raise _unknown(name, nodes, f"compile({label}=...)")
    _check_reachable(builder)


def _check_reachable(builder) -> None:
    """Every node needs a way in. Skipped when a conditional edge may go anywhere (no path_map, no hint)."""
    incoming: set[str] = set()
    for _, b in builder.edges:
        incoming.add(b)
    for join in builder.joins:
        incoming.add(join.target)
    for branches in builder.branches.values():
        for branch in branches:
            targets = branch.targets()
            if not targets:
                return  # may route anywhere: cannot tell statically
            incoming.update(targets)
    for targets in builder.destinations.values():
        incoming.update(targets)
    for name in builder.nodes:
        if name not in incoming:
            raise GraphBuildError(
                f"node `{name}` has no way in: no edge, conditional edge or Command leads to it. Connect it with "
                f"add_edge(<node>, {name!r}) or add_edge(START, {name!r}); if a Command(goto={name!r}) or a Send "
                f"reaches it, declare that with a path_map or a `-> Command[Literal[{name!r}]]` return hint"
            )
