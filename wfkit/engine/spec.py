"""The compiled form of a graph that the engine runs: nodes, edges, branches, joins and state channels.

`StateGraph.compile()` builds one `GraphSpec`; the pure functions in `algo` and the loop read it and never
change it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any

from wfkit.errors import ArgumentTypeError, InvalidRouteError
from wfkit.graph.schema import Channel, Schema
from wfkit.types import Send


def _parameters(fn: Callable) -> list[inspect.Parameter]:
    target = getattr(fn, "__call__", fn) if not inspect.isroutine(fn) else fn
    try:
        return list(inspect.signature(target).parameters.values())
    except (TypeError, ValueError):
        return []


def accepts_config(fn: Callable) -> bool:
    """Whether `fn` takes a second positional parameter or one named `config` (LangGraph's convention); a
    parameter named in `INJECTED` (the stream writer, the store, the Runtime) is never the config."""
    params = _parameters(fn)
    if any(p.name == "config" for p in params):
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name not in INJECTED]
    return len(positional) >= 2 and positional[1].default is inspect.Parameter.empty


# Parameters a node, task or entrypoint gets by keyword when it names them (LangGraph decides by the name)
INJECTED = ("writer", "store", "runtime")


def injected(fn: Callable) -> tuple[str, ...]:
    """The names of `INJECTED` that `fn` takes as parameters passable by keyword."""
    return tuple(p.name for p in _parameters(fn)
                 if p.name in INJECTED and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


def node_key(name: Any) -> Any:
    """A node name as the engine keys it: a `str` subclass (a `class Name(str, Enum)` member) becomes the
    plain string it is equal to (its hash differs, so dict lookups by the string would miss it)."""
    return str.__str__(name) if isinstance(name, str) and name.__class__ is not str else name


def is_async_callable(fn: Callable) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(getattr(fn, "__call__", None))


@dataclass(frozen=True)
class NodeRunnable:
    """What `NodeSpec.runnable` returns: the node's own callable as `func` (LangGraph's `RunnableCallable.func`)."""

    func: Callable


@dataclass(frozen=True)
class NodeSpec:
    name: str
    fn: Callable
    input: Schema
    is_async: bool
    takes_config: bool
    metadata: dict = field(default_factory=dict)
    present: Callable | None = None  # how the node's writes show in the "updates" stream (default: a dict)
    retry: tuple = ()  # its RetryPolicy tuple: how often to try the node again when it raises (engine.retry)
    timeout: Any = None  # a TimeoutPolicy: how long one attempt may take
    error_handler: Any = None  # an engine.handler.ErrorHandler: what runs instead when it still fails
    destinations: tuple = ()  # where a node may go with Command(goto=...), when declared (for drawing)
    cache_policy: Any = None  # a CachePolicy: its results are kept in the graph's cache (see engine.caching)
    defer: bool = False  # runs only when nothing else is left to run (see algo.next_plan)

    @property
    def runnable(self) -> "NodeRunnable":
        """The node's function as LangGraph's `StateNodeSpec.runnable` shows it: `.runnable.func` is the
        callable given to `add_node` (before wfkit wraps it for injected arguments)."""
        return NodeRunnable(getattr(self.fn, "node_fn", self.fn))

    def copy(self, update: dict | None = None) -> "NodeSpec":
        """This node with some fields replaced (LangGraph's `PregelNode.copy`)."""
        unknown = [k for k in (update or {}) if k not in self.__dataclass_fields__]
        if unknown:
            raise ArgumentTypeError(f"node `{self.name}`.copy(): no field {', '.join(f'`{k}`' for k in unknown)}; "
                                    f"its fields are {', '.join(f'`{k}`' for k in self.__dataclass_fields__)}")
        return replace(self, **(update or {}))


@dataclass(frozen=True)
class Branch:
    """A conditional edge: `path(state)` picks destinations, translated through `path_map`."""

    source: str
    path: Callable
    path_map: dict[Hashable, str] | None
    is_async: bool
    takes_config: bool
    name: str
    hinted: tuple[str, ...] = ()  # destinations from a `-> Literal[...]` hint, when there is no path_map
    input: Schema | None = None  # what `path` gets, when its first parameter's hint names a schema (else the state)

    def resolve(self, result: Any, known: Any = None) -> list:
        """Destinations (node names and Sends) for what `path` returned; unknown names are kept (the loop
        warns about them) unless a path_map forbids them."""
        if result.__class__ is str and self.path_map is None:  # the usual answer: one node's name
            return [result]
        items = result if isinstance(result, (list, tuple)) else [result]
        out = []
        for item in items:
            if isinstance(item, Send):
                out.append(item)
                continue
            if self.path_map is not None:
                if item not in self.path_map:
                    allowed = ", ".join(f"`{k}`" for k in self.path_map)
                    raise InvalidRouteError(
                        f"the path function `{self.name}` of node `{self.source}` returned `{item}`, which is none "
                        f"of {allowed} (from the path_map of add_conditional_edges({self.source!r}, ...)); "
                        "return one of those, or add it to the path_map"
                    )
                item = self.path_map[item]
            out.append(node_key(item))
        return out

    def targets(self) -> list[str] | None:
        """The nodes this branch may lead to, when known (for drawing and validation)."""
        if self.path_map is not None:
            return list(dict.fromkeys(self.path_map.values()))
        return list(self.hinted) or None


@dataclass(frozen=True)
class Join:
    """`add_edge([a, b], c)`: `c` runs once every source has finished since it last ran."""

    sources: tuple[str, ...]
    target: str


@dataclass
class GraphSpec:
    name: str
    state: Schema
    input: Schema
    output: Schema
    channels: dict[str, Channel]
    nodes: dict[str, NodeSpec]
    edges: dict[str, tuple[str, ...]]
    branches: dict[str, tuple[Branch, ...]]
    joins: tuple[Join, ...]
    joins_by_source: dict[str, tuple[int, ...]] = field(default_factory=dict)
    output_key: str | None = None  # set by the functional API: the output is this key's value
    # Set by the functional API: shows the stepping API's tasks and records in the entrypoint's own terms
    # (its input value, what it returned) rather than in the channels it is built on.
    shown: Any = None
    managed: dict = field(default_factory=dict)  # key -> Managed: the state's and nodes' managed keys
    # node -> rank in the order the nodes were added: the order snapshots and checkpoint events list tasks in
    node_order: dict[str, int] = field(default_factory=dict)
    # node -> the compiled graph it runs as a subgraph (added as a node, or seen run by the node's code)
    subgraphs: dict = field(default_factory=dict)
    # Facts the hot path reads instead of asking every superstep (set below, from the nodes and channels):
    # the keys whose reducer has a `prepare` (add_messages), and whether any node is deferred
    prepare_keys: frozenset = field(default=frozenset(), init=False)
    deferring: bool = field(default=False, init=False)
    # the nodes the runner may call inline, with nothing around the call: sync, no retry, timeout or handler
    plain_nodes: frozenset = field(default=frozenset(), init=False)
    edge_routes: dict = field(default_factory=dict, init=False)  # node -> its static edges as routes

    def __post_init__(self) -> None:
        self.prepare_keys = frozenset(key for key, ch in self.channels.items()
                                      if getattr(ch.reducer, "prepare", None) is not None)
        self.deferring = any(node.defer for node in self.nodes.values())
        self.plain_nodes = frozenset(name for name, node in self.nodes.items() if not node.is_async and not node.retry
                                     and node.timeout is None and node.error_handler is None)
        self.edge_routes = {source: tuple((dest, "edge") for dest in dests) for source, dests in self.edges.items()}
        for schema in (self.state, *(n.input for n in self.nodes.values())):
            self.managed.update(getattr(schema, "managed", None) or {})
        by_source: dict[str, list[int]] = {}
        for index, join in enumerate(self.joins):
            for source in join.sources:
                by_source.setdefault(source, []).append(index)
        self.joins_by_source = {k: tuple(v) for k, v in by_source.items()}
        self.node_order = {name: rank for rank, name in enumerate(self.nodes)}
