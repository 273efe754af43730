"""Which nodes of a graph run a subgraph, for `get_subgraphs`: found as LangGraph finds them.

A node runs a subgraph when it is a compiled graph added as a node, or when its function reaches one
through the names it closes over or reads as globals (a node that calls `subgraph.invoke(...)` in its code).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from wfkit.constants import NS_LEVEL, join_ns


def _is_graph(value: Any) -> bool:
    return hasattr(value, "spec") and hasattr(value, "ainvoke") and hasattr(value, "get_subgraphs")


def _reached(fn: Any) -> list:
    """What a function closes over or reads as a global (bound methods: their object)."""
    if inspect.ismethod(fn):
        return [fn.__self__]
    code = getattr(fn, "__code__", None)
    if code is None:
        return []
    found = [cell.cell_contents for cell in (getattr(fn, "__closure__", None) or ())
             if _filled(cell)]
    scope = getattr(fn, "__globals__", {})
    found += [scope[name] for name in code.co_names if name in scope]
    return found


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents
    except ValueError:  # a closure variable not assigned yet
        return False
    return True


def find_subgraph(fn: Any) -> Any:
    """The compiled graph a node's function runs, or None: the first found, breadth first."""
    candidates, seen = [fn], set()
    for candidate in candidates:
        if id(candidate) in seen:
            continue
        seen.add(id(candidate))
        if _is_graph(candidate):
            return candidate
        if callable(candidate) and not isinstance(candidate, type):
            candidates.extend(_reached(candidate))
    return None


def declared_subgraph(graph: Any, node: str) -> Any:
    """The compiled graph node `node` of `graph` declares (added as the node, or found in its function), or None."""
    spec_node = graph.spec.nodes.get(node)
    if spec_node is None:
        return None
    sub = getattr(spec_node.fn, "subgraph", None) or find_subgraph(spec_node.fn)
    return None if sub is graph else sub


def subgraphs_of(graph: Any, namespace: str | None, recurse: bool) -> Iterator[tuple[str, Any]]:
    """`(namespace, subgraph)` pairs of `graph`'s nodes (LangGraph's `get_subgraphs`): with `namespace`,
    only the subgraph at exactly that namespace (`parent|child` needs `recurse=True`)."""
    for name, node in graph.spec.nodes.items():
        if namespace is not None and namespace != name and not namespace.startswith(name + NS_LEVEL):
            continue
        sub = find_subgraph(node.fn)
        if sub is None or sub is graph:
            continue
        if name == namespace:
            yield name, sub
            return
        if namespace is None:
            yield name, sub
        if recurse:
            inner = None if namespace is None else namespace[len(name) + 1:]
            yield from ((join_ns(name, n), s) for n, s in subgraphs_of(sub, inner, recurse))
