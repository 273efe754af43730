"""`CompiledStateGraph.copy`: the same graph with some of what `compile()` was given replaced.

LangGraph's `copy(update)` rebuilds its Pregel object from a dict of its attributes; a wfkit graph's nodes
and edges are fixed when it is compiled, so a copy may replace what `compile()` (or `with_config`) takes:
the checkpointer (a copy with a new one starts with no thread read from the old one), store, cache, name,
interrupt points, bound config, context schema and executor. Other attributes of LangGraph's Pregel are
refused by name: build the graph again with the `StateGraph` to change its nodes or channels.
"""

from __future__ import annotations

from typing import Any

from wfkit.engine.caching import check_cache, check_store
from wfkit.engine.options import check_executor
from wfkit.errors import ArgumentTypeError, GraphBuildError, UnsupportedFeatureError
from wfkit.graph.bound_config import merge_configs

# LangGraph's attribute names for what wfkit's compile() calls interrupt_before / interrupt_after
_ALIASES = {"interrupt_before_nodes": "interrupt_before", "interrupt_after_nodes": "interrupt_after"}
_REPLACEABLE = ("checkpointer", "store", "cache", "name", "interrupt_before", "interrupt_after", "config",
                "context_schema", "executor")


def checked_changes(graph: Any, update: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """`update` and `changes` (attribute name -> new value, LangGraph's names allowed) checked, by wfkit's
    attribute names, as `copy` sets them."""
    if not isinstance(update, (dict, type(None))):
        raise ArgumentTypeError(f"copy(): `update` must be a dict of attributes to replace, got "
                                f"{type(update).__name__}: e.g. graph.copy({{'checkpointer': InMemorySaver()}})")
    changes = {_ALIASES.get(key, key): value for key, value in {**(update or {}), **changes}.items()}
    unknown = [key for key in changes if key not in _REPLACEABLE]
    if unknown:
        raise UnsupportedFeatureError(
            f"copy(): wfkit cannot replace {', '.join(f'`{k}`' for k in unknown)} of a compiled graph; it can "
            f"replace {', '.join(f'`{k}`' for k in _REPLACEABLE)} — to change nodes, edges or channels, build the "
            "graph again with the StateGraph and compile it")
    checks = {"store": check_store, "cache": check_cache,
              "executor": lambda value: check_executor(value, "copy(executor=...)"),
              "config": lambda value: None if value is None else merge_configs(value),
              "name": _name, "interrupt_before": lambda value: _node_names(graph, "interrupt_before", value),
              "interrupt_after": lambda value: _node_names(graph, "interrupt_after", value)}
    return {key: checks[key](value) if key in checks else value for key, value in changes.items()}


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ArgumentTypeError(f"copy(): `name` must be a non-empty str, got {value!r}")
    return value


def _node_names(graph: Any, key: str, value: Any) -> frozenset:
    """`interrupt_before` / `interrupt_after` as compile() takes them: node names, one name, "*" or None."""
    nodes = graph.spec.nodes
    if value is None:
        return frozenset()
    if value == "*":
        return frozenset(nodes)
    names = [value] if isinstance(value, str) else list(value)
    missing = [n for n in names if n not in nodes]
    if missing:
        raise GraphBuildError(f"copy(): `{key}` names {', '.join(f'`{n}`' for n in missing)}, which is not a node of "
                              f"graph `{graph.name}`; its nodes are {', '.join(f'`{n}`' for n in nodes)}")
    return frozenset(names)
