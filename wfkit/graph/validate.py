"""Compile-time checks of a `StateGraph`: every error names the culprit and the fix."""

from __future__ import annotations

import collections.abc
import typing
import warnings
from typing import Any, Literal, get_args, get_origin

from wfkit.constants import END, START
from wfkit.errors import GraphBuildError, WfkitWarning
from wfkit.types import Command, Send


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
    """Warn about a node nothing can lead to. LangGraph compiles such a graph, so wfkit does too; it only
    warns when no router, `Command` or `Send` could reach the node: every node and path function has a
    return hint that bounds where it goes (an unhinted function may return a `Command` or a `Send`)."""
    if any(_may_go_anywhere(node.fn) for node in builder.nodes.values()):
        return
    incoming: set[str] = set()
    for _, b in builder.edges:
        incoming.add(b)
    for join in builder.joins:
        incoming.add(join.target)
    for branches in builder.branches.values():
        for branch in branches:
            targets = branch.targets()
            if targets is None or (branch.path_map is not None and _may_go_anywhere(branch.path)):
                return  # may route anywhere (a name, or a Send past the path_map): cannot tell statically
            incoming.update(targets)
    for targets in builder.destinations.values():
        incoming.update(targets)
    for name in builder.nodes:
        if name not in incoming:
            warnings.warn(
                f"node `{name}` has no way in: no edge, conditional edge or Command leads to it, so it never runs. "
                f"Connect it with add_edge(<node>, {name!r}) or add_edge(START, {name!r}), or remove it",
                WfkitWarning, stacklevel=4,
            )


def _may_go_anywhere(fn) -> bool:
    """Whether `fn` may return a `Command` or a `Send` to any node: true unless its return hint says otherwise."""
    try:
        hints = typing.get_type_hints(fn)
    except Exception:
        return True
    return "return" not in hints or _open_hint(hints["return"])


def _open_hint(hint) -> bool:
    if get_origin(hint) is Literal:
        return False
    if hint is Any or hint is object or hint is Send or isinstance(hint, (str, typing.ForwardRef)):
        return True
    if hint is Command or get_origin(hint) is Command:  # Command[Literal[...]] goes where it says
        args = get_args(hint)
        return not args or any(get_origin(a) is not Literal for a in args)
    if get_origin(hint) in (dict, collections.abc.Mapping, collections.abc.MutableMapping):
        return False  # an update: its values may be anything, it goes nowhere
    return any(_open_hint(arg) for arg in get_args(hint))
