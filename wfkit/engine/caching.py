"""Node results from the graph's cache: look up the tasks of a superstep whose node has a `CachePolicy`,
and keep what the others produced.

A hit becomes the task's outcome without running the node: its writes and routes apply as if it ran, and
the "updates" stream marks it (`"__metadata__": {"cached": True}`), as LangGraph does. Entries live under
LangGraph's namespace `("__pregel_ns_writes", <function id>, <node>)` with the sha256 of the policy's key.
"""

from __future__ import annotations

import hashlib
from typing import Any

from wfkit.engine.algo import Outcome, Task
from wfkit.engine.options import given
from wfkit.engine.persist import decode_routes, encode_routes
from wfkit.errors import ArgumentTypeError, NoCacheError

WRITES_NS = "__pregel_ns_writes"


def identifier(fn: Any) -> str:
    """A function's stable name in cache namespaces: `module.qualname` (`__dynamic__` when it has none)."""
    fn = getattr(fn, "node_fn", fn)
    module, name = getattr(fn, "__module__", None), getattr(fn, "__qualname__", None)
    return f"{module}.{name}" if module and name else "__dynamic__"


def check_store(store: Any) -> Any:
    if store is not None and not all(hasattr(store, m) for m in ("put", "get", "search")):
        raise ArgumentTypeError(f"`store` must be a store (put/get/search), got {given(store)}: pass e.g. "
                                "store=InMemoryStore() from wfkit.store")
    return store


def check_cache(cache: Any) -> Any:
    if cache is not None and not all(hasattr(cache, m) for m in ("get", "set", "clear")):
        raise ArgumentTypeError(f"`cache` must be a cache (get/set/clear), got {given(cache)}: pass e.g. "
                                "cache=InMemoryCache() from wfkit.cache")
    return cache


def check_cache_policy(policy: Any, where: str) -> Any:
    if policy is not None and not (callable(getattr(policy, "key_func", None)) and hasattr(policy, "ttl")):
        raise ArgumentTypeError(f"{where}: `cache_policy` must be a CachePolicy, got {given(policy)}: pass e.g. "
                                "cache_policy=CachePolicy(ttl=60) (from wfkit.types)")
    return policy


def full_key(namespace: tuple, policy: Any, *args: Any, **kwargs: Any) -> tuple[tuple, str]:
    key = policy.key_func(*args, **kwargs)
    return namespace, hashlib.sha256(key.encode() if isinstance(key, str) else key).hexdigest()


def node_namespace(node: Any) -> tuple[str, str, str]:
    return (WRITES_NS, identifier(node.fn), node.name)


def _keys(spec: Any, tasks: list[Task]) -> dict[str, tuple]:
    out = {}
    for task in tasks:
        node = spec.nodes.get(task.name)
        if node is not None and node.cache_policy is not None:
            out[task.id] = full_key(node_namespace(node), node.cache_policy, task.input)
    return out


async def lookup(spec: Any, cache: Any, tasks: list[Task], done: dict) -> dict[str, Outcome]:
    """The outcomes the cache holds for `tasks` (those not already `done`), by task id."""
    keys = _keys(spec, [t for t in tasks if t.id not in done])
    if not keys:
        return {}
    found = await cache.aget(list(keys.values()))
    out = {}
    for task in tasks:
        stored = found.get(keys.get(task.id))
        if stored is not None:
            writes = [tuple(w) for w in stored["writes"]]
            out[task.id] = Outcome(task, writes, decode_routes(stored["routes"]), dict(writes) if writes else None)
    return out


async def keep(spec: Any, cache: Any, outcomes: list[Outcome], hits: dict) -> None:
    """Put the results of the finished tasks that have a CachePolicy (and were not hits) in the cache."""
    fresh = [o.task for o in outcomes if o.ok and o.task.id not in hits]
    keys = _keys(spec, fresh)
    if keys:
        by_id = {o.task.id: o for o in outcomes}
        await cache.aset({key: ({"writes": [list(w) for w in by_id[tid].writes],
                                 "routes": encode_routes(by_id[tid].routes)},
                                spec.nodes[by_id[tid].task.name].cache_policy.ttl) for tid, key in keys.items()})


def clear_nodes(graph: Any, nodes: list[str] | None) -> None:
    """`graph.clear_cache(nodes)`: forget the cached results of those nodes (all when None)."""
    if graph.cache is None:
        raise NoCacheError(f"graph `{graph.name}` has no cache, so there is nothing to clear; compile it with "
                         "cache=InMemoryCache() to cache node results")
    chosen = graph.spec.nodes if nodes is None else nodes
    graph.cache.clear([node_namespace(graph.spec.nodes[n]) for n in chosen if n in graph.spec.nodes])
