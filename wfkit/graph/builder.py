"""`StateGraph`: the builder users write against (LangGraph's API), compiled into a `GraphSpec`."""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Literal, get_args, get_origin

from wfkit.constants import END, RESERVED_CHARS, RESERVED_NAMES, ROOT, START
from wfkit.engine.context import current_task
from wfkit.engine.spec import (Branch, GraphSpec, Join, NodeSpec, accepts_config, injected, is_async_callable,
                               node_key)
from wfkit.errors import GraphBuildError, GraphInterrupt
from wfkit.graph.options import check_options
from wfkit.graph.schema import Schema, node_input_schema, node_output_schema
from wfkit.graph.tool_action import is_tool, tool_node
from wfkit.types import TimeoutPolicy


def _name_of(fn: Any) -> str:
    name = getattr(fn, "name", None) or getattr(fn, "__name__", None)
    if not isinstance(name, str):
        name = type(fn).__name__
    return name


def _literal_targets(fn: Callable) -> list[str] | None:
    """Node names a path function or node declares through a `Literal[...]` (or `Command[Literal]`) return hint."""
    try:
        hint = typing.get_type_hints(fn).get("return")
    except Exception:
        hint = getattr(fn, "__annotations__", {}).get("return")
    if hint is None:
        return None
    if get_origin(hint) is not Literal and get_args(hint):  # Command[Literal[...]]
        inner = [a for a in get_args(hint) if get_origin(a) is Literal]
        hint = inner[0] if inner else None
    if get_origin(hint) is Literal:
        return [str(v) for v in get_args(hint)]
    return None


def _subgraph_node(subgraph: Any) -> Callable:
    """A compiled graph as a node: it gets the parent's state, runs to its end, and its output is the
    node's update (as in LangGraph, every output key is written back, through the parent's reducers). It
    runs as a subgraph of the parent's task, as when a node's code invokes it (see `_make_loop`)."""

    async def run_subgraph(state: Any, config: dict) -> Any:
        parent = current_task()
        out = await subgraph.ainvoke(state, config)  # run from this task: a subgraph of it
        if not isinstance(out, dict):
            return out
        # its own keys (not the parent's) are left out without a word, as LangGraph does
        keys = parent.loop.spec.channels
        return {k: v for k, v in out.items() if k in keys}

    run_subgraph.__name__ = getattr(subgraph, "name", "subgraph")
    run_subgraph.subgraph = subgraph  # for get_state(subgraphs=True) (see CompiledStateGraph)
    return run_subgraph


def _with_injected(fn: Callable, takes_config: bool, names: tuple[str, ...]) -> Callable:
    """A node declaring parameters named `writer`, `store` or `runtime`, called as `(state, config)` with the
    task's stream writer, the graph's store and the task's `Runtime` passed by keyword (and the config as the
    node takes it: by name or second positional)."""
    from wfkit.runtime import injections  # (loaded only for a graph whose nodes take them)

    config_by_name = takes_config and any(p == "config" for p in inspect.signature(fn).parameters)

    def call(state: Any, config: dict) -> Any:
        if not takes_config:
            return fn(state, **injections(names))
        if config_by_name:
            return fn(state, config=config, **injections(names))
        return fn(state, config, **injections(names))

    if is_async_callable(fn):
        async def call_async(state: Any, config: dict) -> Any:
            return await call(state, config)

        return call_async
    return call


# The optional features' modules are imported when a graph uses them: `import wfkit` stays light
def _policies(retry_policy: Any) -> tuple:
    if retry_policy is None:
        return ()
    from wfkit.engine.retry import policies_of

    return policies_of(retry_policy)


def _cache_policy(policy: Any, where: str) -> Any:
    if policy is None:
        return None
    from wfkit.engine.caching import check_cache_policy

    return check_cache_policy(policy, where)


class StateGraph:
    """Build a graph over a state schema: add nodes and edges, then `compile()`."""

    def __class_getitem__(cls, params: Any) -> Any:
        """`StateGraph[State]` or `StateGraph[State, Context, Input, Output]` in a type hint, as in LangGraph."""
        return types.GenericAlias(cls, params)

    def __init__(self, state_schema: Any = None, config_schema: Any = None, *, input_schema: Any = None,
                 output_schema: Any = None, context_schema: Any = None, **legacy: Any):
        check_options("StateGraph()", legacy, frozenset({"input", "output"}))
        if state_schema is None:
            raise GraphBuildError("StateGraph needs a state schema, e.g. StateGraph(State) with `class State(TypedDict): ...`")
        self.state_schema = state_schema
        self.context_schema = context_schema  # a run's `context=` dict is coerced into it (see wfkit.runtime)
        self.schema = Schema(state_schema)
        self.input_schema = Schema(input_schema or legacy.get("input") or state_schema)
        self.output_schema = Schema(output_schema or legacy.get("output") or state_schema)
        self.nodes: dict[str, NodeSpec] = {}
        self.edges: list[tuple[str, str]] = []
        self.joins: list[Join] = []
        self.branches: dict[str, list[Branch]] = {}
        self.destinations: dict[str, list[str]] = {}
        self.node_defaults: dict[str, Any] = {}  # set_node_defaults(): "retry", "timeout", "error_handler", "cache_policy"
        self.extra_schemas: list[Schema] = []  # declared by return hints and path functions: their keys are channels

    # -- nodes ---------------------------------------------------------------------------------------
    def add_node(self, node: str | Callable, action: Callable | None = None, *, input_schema: Any = None,
                 metadata: dict | None = None, destinations: Sequence[str] | dict | None = None,
                 retry_policy: Any = None, defer: bool = False, cache_policy: Any = None,
                 error_handler: Callable | None = None, timeout: Any = None, **legacy: Any) -> "StateGraph":
        """Add a node: `add_node("name", fn)` or `add_node(fn)` (named after the function). `retry_policy`,
        `timeout` and `error_handler`: see `engine.retry` and `engine.handler`."""
        check_options("add_node()", legacy, frozenset({"input", "retry"}))
        input_schema = input_schema or legacy.get("input")  # LangGraph's older names for the same options
        retry_policy = retry_policy or legacy.get("retry")
        if action is None:
            if isinstance(node, str):
                raise GraphBuildError(f"add_node({node!r}) got no function; pass it: add_node({node!r}, fn)")
            node, action = _name_of(node), node
        node = node_key(node)
        if not isinstance(node, str):
            raise GraphBuildError(f"a node name must be a string, got {type(node).__name__}: {node!r}")
        if node in RESERVED_NAMES:
            raise GraphBuildError(f"node name `{node}` is reserved for the graph's own start/end; pick another name")
        for char in RESERVED_CHARS:
            if char in node:
                raise GraphBuildError(f"node name `{node}` contains `{char}`, which is reserved; pick a name without it")
        if node in self.nodes:
            raise GraphBuildError(f"node `{node}` is already in the graph; give the second one another name")
        if hasattr(action, "spec") and hasattr(action, "ainvoke"):  # a compiled graph used as a node
            action = _subgraph_node(action)
        elif is_tool(action):  # a tool used as a node gets the state as its arguments, as in LangGraph
            action = tool_node(action)
        if not callable(action):
            raise GraphBuildError(f"node `{node}` must be a function (sync or async), got {type(action).__name__}")
        schema = self._schema(input_schema or node_input_schema(action)) or self.schema
        returned = self._schema(node_output_schema(action))
        if returned is not None:  # its keys are the graph's too (LangGraph reads the hint the same way)
            self.extra_schemas.append(returned)
        run, takes_config = action, accepts_config(action)
        if injected(action):
            run, takes_config = _with_injected(action, takes_config, injected(action)), True
            run.node_fn = action  # (its id in the cache's namespaces)
        handler = None
        if error_handler is not None:
            from wfkit.engine.handler import handler_name, make_handler

            handler = make_handler(error_handler, node)
            if handler_name(node) in self.nodes:
                raise GraphBuildError(f"Auto-generated error handler node `{handler_name(node)}` already exists: "
                                      f"rename that node, or the node `{node}`")
        self.nodes[node] = NodeSpec(node, run, schema, is_async_callable(action), takes_config,
                                    dict(metadata or {}), retry=_policies(retry_policy), defer=bool(defer),
                                    cache_policy=_cache_policy(cache_policy, f"add_node({node!r}, ...)"),
                                    timeout=TimeoutPolicy.coerce(timeout), error_handler=handler)
        hinted = list(destinations) if destinations else _literal_targets(action)
        if hinted:
            self.destinations[node] = [d for d in hinted if d != END] + ([END] if END in hinted else [])
        return self

    def _schema(self, declared: Any) -> Schema | None:
        """The Schema of a schema a node or path function declares (None: none, or the state's own)."""
        return None if declared is None or declared is self.state_schema else Schema(declared)

    def add_sequence(self, nodes: Sequence[Callable | tuple[str, Callable]]) -> "StateGraph":
        """Add nodes and chain them with edges, in order."""
        if not nodes:
            raise GraphBuildError("add_sequence() needs at least one node")
        names = []
        for item in nodes:
            name, fn = item if isinstance(item, tuple) else (_name_of(item), item)
            self.add_node(name, fn)
            names.append(name)
        for a, b in zip(names, names[1:]):
            self.add_edge(a, b)
        return self

    def set_node_defaults(self, *, retry_policy: Any = None, cache_policy: Any = None,
                          error_handler: Callable | None = None, timeout: Any = None) -> "StateGraph":
        """Policies for every node that `add_node` gave none (applied at `compile()`, not to subgraphs):
        `cache_policy` caches every node without its own; `retry_policy` and `timeout` also apply to error handlers; `error_handler` handles every node without
        its own (a handler's failure fails the run)."""
        if cache_policy is not None:
            self.node_defaults["cache_policy"] = _cache_policy(cache_policy, "set_node_defaults(...)")
        if retry_policy is not None:
            self.node_defaults["retry"] = _policies(retry_policy)
        if error_handler is not None:
            from wfkit.engine.handler import DEFAULT_HANDLER, make_handler

            self.node_defaults["error_handler"] = make_handler(error_handler, DEFAULT_HANDLER)
        if timeout is not None:
            self.node_defaults["timeout"] = TimeoutPolicy.coerce(timeout)
        return self

    # -- edges ---------------------------------------------------------------------------------------
    def add_edge(self, start_key: str | Sequence[str], end_key: str) -> "StateGraph":
        """`add_edge(a, b)`: b runs after a. `add_edge([a, b], c)`: c runs once after both a and b."""
        start_key, end_key = node_key(start_key), node_key(end_key)
        if isinstance(start_key, str):
            if start_key == END:
                raise GraphBuildError(f"add_edge(END, {end_key!r}): END has no way out; an edge cannot start at END")
            if end_key == START:
                raise GraphBuildError(f"add_edge({start_key!r}, START): START has no way in; an edge cannot end at START")
            self.edges.append((start_key, end_key))
            return self
        sources = tuple(node_key(s) for s in start_key)
        if not sources:
            raise GraphBuildError(f"add_edge([], {end_key!r}) needs at least one source node")
        if END in sources or end_key == START:
            raise GraphBuildError(f"add_edge({list(sources)!r}, {end_key!r}): a join cannot start at END or end at START")
        if len(sources) == 1:
            return self.add_edge(sources[0], end_key)
        self.joins.append(Join(sources, end_key))
        return self

    def add_conditional_edges(self, source: str, path: Callable, path_map: dict[Hashable, str] | list[str] | None = None,
                              then: str | None = None) -> "StateGraph":
        """After `source`, call `path(state)`; it returns node name(s), END, Send(s) or keys of `path_map`."""
        if not callable(path):
            raise GraphBuildError(f"add_conditional_edges({source!r}, ...): the path must be a function, got {path!r}")
        if isinstance(path_map, str):  # LangGraph ignores a str path_map: the path's returns go where they name
            path_map = None
        elif isinstance(path_map, (list, tuple)):
            path_map = {name: node_key(name) for name in path_map}
        elif path_map is not None:
            path_map = {label: node_key(name) for label, name in dict(path_map).items()}
        source = node_key(source)
        name = _name_of(path)
        for existing in self.branches.get(source, []):
            if existing.name == name:
                raise GraphBuildError(f"node `{source}` already has a conditional edge with path `{name}`")
        hinted = _literal_targets(path) if path_map is None else None
        declared = node_input_schema(path)
        branch = Branch(source, path, path_map, is_async_callable(path), accepts_config(path), name,
                        tuple(hinted or ()), self._schema(declared))
        self.branches.setdefault(source, []).append(branch)
        if then is not None:
            raise GraphBuildError("add_conditional_edges(then=...) is not supported; add an edge from each destination")
        return self

    def set_entry_point(self, key: str) -> "StateGraph":
        return self.add_edge(START, key)

    def set_conditional_entry_point(self, path: Callable, path_map: dict | list | None = None) -> "StateGraph":
        return self.add_conditional_edges(START, path, path_map)

    def set_finish_point(self, key: str) -> "StateGraph":
        return self.add_edge(key, END)

    # -- compile -------------------------------------------------------------------------------------
    def compile(self, checkpointer: Any = None, *, interrupt_before: Sequence[str] | str | None = None,
                interrupt_after: Sequence[str] | str | None = None, name: str | None = None,
                debug: bool = False, store: Any = None, cache: Any = None, executor: Any = None, **options: Any):
        """Validate the graph and return a runnable `CompiledStateGraph`. `executor`: a
        `concurrent.futures.Executor` that runs its sync node calls (a `Send` fan-out's among them)."""
        check_options("compile()", options)
        from wfkit.engine.handler import DEFAULT_HANDLER, with_defaults
        from wfkit.graph.compiled import CompiledStateGraph
        from wfkit.graph.validate import validate

        validate(self, interrupt_before, interrupt_after)
        if "error_handler" in self.node_defaults and DEFAULT_HANDLER in self.nodes:
            raise GraphBuildError(
                f"Auto-generated default error handler node `{DEFAULT_HANDLER}` already exists: the graph has a node "
                f"of that name, which set_node_defaults(error_handler=...) needs; rename that node")
        channels = dict(self.schema.channels)
        branch_inputs = [b.input for bs in self.branches.values() for b in bs if b.input is not None]
        for schema in [self.input_schema, self.output_schema, *(n.input for n in self.nodes.values()),
                       *self.extra_schemas, *branch_inputs]:
            for key, channel in schema.channels.items():
                channels.setdefault(key, channel)
        edges: dict[str, list[str]] = {}
        for a, b in self.edges:
            edges.setdefault(a, []).append(b)
        root = self.schema.kind == "root"  # a state that is one value: nodes' updates and the output are it
        nodes = {name_: dataclasses.replace(with_defaults(node, self.node_defaults), destinations=tuple(self.destinations.get(name_, ())),
                                            **({"present": _root_update} if root else {}))
                 for name_, node in self.nodes.items()}
        spec = GraphSpec(
            name=name or "LangGraph", state=self.schema, input=self.input_schema, output=self.output_schema,
            channels=channels, nodes=nodes, edges={k: tuple(v) for k, v in edges.items()},
            branches={k: tuple(v) for k, v in self.branches.items()}, joins=tuple(self.joins),
            output_key=ROOT if root else None,
        )
        return CompiledStateGraph(self, spec, checkpointer=checkpointer,
                                  interrupt_before=_names(interrupt_before, self.nodes),
                                  interrupt_after=_names(interrupt_after, self.nodes), name=name,
                                  executor=executor, store=store, cache=cache)


def _root_update(writes: list) -> Any:
    """A node's update in the "updates" stream, when the state is one value: the value it wrote (the list
    of them when it wrote several, as LangGraph shows it)."""
    if len(writes) > 1:
        return [value for _, value in writes]
    return writes[0][1] if writes else None


def _names(value: Sequence[str] | str | None, nodes: dict) -> frozenset:
    if value is None:
        return frozenset()
    if value == "*":
        return frozenset(nodes)
    return frozenset([value] if isinstance(value, str) else value)
