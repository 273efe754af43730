"""`CompiledStateGraph`: run a graph (invoke / stream, sync and async), read and change its threads'
state, draw it, and step through it.

Every public run method goes through one async path; the sync methods wrap it with `wfkit._sync`.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from wfkit._sync import iter_sync, run_sync
from wfkit.constants import INTERRUPT_KEY
from wfkit.engine import algo, nested
from wfkit.engine.batch import run_batch
from wfkit.engine.drive import run_to_pause, stream_loop
from wfkit.engine.events import BatchProgress
from wfkit.engine.durability import DeferredSaver, at_exit, durability_of
from wfkit.engine.loop import Loop
from wfkit.engine.options import RunOptions, check_config, check_executor, given, options_from, thread_key
from wfkit.engine.algo import Plan
from wfkit.engine.caching import check_cache, check_store, clear_nodes
from wfkit.engine.persist import History
from wfkit.engine.stream import check_modes, check_version, graph_chunker, graph_output, stream_part
from wfkit.engine.update import (COPY, apply_updates, check_supersteps, copy_checkpoint, copy_updates, input_update,
                                 update_task_results)
from wfkit.checkpoint.base import Checkpoint
from wfkit.engine.context import TaskContext, current_task
from wfkit.errors import (ArgumentTypeError, CheckpointError, GraphInterrupt, MissingThreadError, NoCheckpointerError, SubgraphOnlyError, ThreadKeyMissingError,
                          UnsupportedFeatureError)
from wfkit.graph.options import RUN_OPTIONS, check_options
from wfkit.runtime import run_runtime
from wfkit.graph import jsonschema, subgraph_state
from wfkit.graph.copying import checked_changes
from wfkit.graph.bound_config import bound, merge_configs
from wfkit.graph.snapshots import Snapshots
from wfkit.graph.subgraph_lookup import subgraphs_of
from wfkit.types import Command, StateSnapshot


class CompiledStateGraph:
    """A validated graph, ready to run. Made by `StateGraph.compile()`."""

    def __init__(self, builder: Any, spec: Any, *, checkpointer: Any = None, interrupt_before: frozenset = frozenset(),
                 interrupt_after: frozenset = frozenset(), name: str | None = None, executor: Any = None,
                 store: Any = None, cache: Any = None):
        self.builder = builder
        self.store, self.cache = check_store(store), check_cache(cache)
        self.spec = spec
        self.context_schema = getattr(builder, "context_schema", None)  # see wfkit.runtime.coerce_context
        self.__dict__.update(self._checkpointer_fields(checkpointer))
        self.interrupt_before = interrupt_before
        self.interrupt_after = interrupt_after
        self.name = name or "LangGraph"
        self.executor = check_executor(executor, "compile(executor=...)")
        self.config: dict | None = None  # bound by `with_config`, merged under each call's
        if hasattr(getattr(self.cache, "serde", None), "register_types"):  # its values are kept as JSON too
            self.cache.serde.register_types(self._models())
        for name, node in spec.nodes.items():  # a compiled graph added as a node (see builder._subgraph_node)
            if getattr(node.fn, "subgraph", None) is not None:
                spec.subgraphs[name] = node.fn.subgraph

    def _checkpointer_fields(self, checkpointer: Any) -> dict:
        """The attributes a graph with `checkpointer` (a saver, True, False or None) has: for `__init__` and
        `copy` (a copy's reads none of the old checkpointer's threads)."""
        if not (checkpointer is None or isinstance(checkpointer, bool) or hasattr(checkpointer, "register_types")):
            # (a saver is known by what is called on it: wrappers of one count too) LangGraph's type for it: TypeError
            raise ArgumentTypeError(
                f"`checkpointer` must be a checkpointer, True, False or None, got {given(checkpointer)}: pass e.g. "
                "checkpointer=InMemorySaver(), or checkpointer=SqliteSaver('checkpoints.db') to keep threads in a file")
        saver = None if isinstance(checkpointer, bool) else checkpointer
        if saver is not None:
            saver.register_types(self._models())
            # what `saver.get_tuple(config)` shows as channel_values: the state, rebuilt with this graph's reducers
            spec = self.spec
            with contextlib.suppress(AttributeError):  # a wrapper that takes no attributes: values stay unshown
                saver.values_reader = lambda key, cp: History(spec, saver, key).values_at(cp)
        # checkpointer=True (LangGraph's): only ever a subgraph, under its node's name; False: as a subgraph,
        # no checkpoints of its own (see `engine.nested`)
        return {"subgraph_only": checkpointer is True, "stateless": checkpointer is False, "checkpointer": saver,
                "_registered": [],  # savers other than its own that keep its checkpoints as a subgraph
                "_histories": {}}  # one History per thread, on this checkpointer

    def _models(self) -> list:
        models = list(self.spec.state.models())
        for schema in [self.spec.input, self.spec.output, *(n.input for n in self.spec.nodes.values())]:
            models += [m for m in schema.models() if m not in models]
        return models

    def register_on(self, saver: Any) -> None:
        """Let `saver` (a parent's, keeping this graph's checkpoints as a subgraph) revive this graph's types."""
        if saver is not self.checkpointer and not any(s is saver for s in self._registered):
            saver.register_types(self._models())
            self._registered.append(saver)

    @property
    def nodes(self) -> dict:
        return dict(self.spec.nodes)

    # -- plumbing ------------------------------------------------------------------------------------
    def history_of(self, options: RunOptions) -> History | None:
        """The history of the thread `options` name, on this graph's checkpointer (None without one): one
        object per thread, kept, so rebuilt states are shared by the runs, snapshots and steppers of it."""
        if self.checkpointer is None:
            return None
        if options.thread_id is None:
            raise MissingThreadError(
                "this graph has a checkpointer, so each run needs a thread: pass "
                "config={'configurable': {'thread_id': 'some-id'}}"
            )
        return self._history(options.thread_id)

    def _history(self, thread_id: str) -> History:
        history = self._histories.get(thread_id)
        if history is None:
            history = self._histories[thread_id] = History(self.spec, self.checkpointer, thread_id)
        return history

    def _make_loop(self, input: Any, config: dict | None, listeners: list, *, inline: bool,
                   stream_messages: bool = False, interrupt_before=None, interrupt_after=None,
                   parent: TaskContext | None = None, durability: str = "async", context: Any = None,
                   control: Any = None) -> Loop:
        """A loop for a run of this graph. With `parent` (the task running when invoke/stream was called, or
        the task of this graph added as a node) the run is a subgraph of the parent's run, as in LangGraph:
        its events reach the parent's listeners under its namespace, its `interrupt()` calls pause the
        parent's task, and it is part of the parent's thread, with checkpoints of its own under its
        namespace when the parent keeps checkpoints (see `engine.nested`)."""
        config = bound(self.config, config)
        owner = history = None
        # a graph with a checkpointer of its own, given a thread of its own, keeps to that thread
        own_thread = parent is not None and self.checkpointer is not None and nested.other_thread(config, parent)
        if parent is not None:
            namespace = parent.nested_namespace(stable=self.subgraph_only)
            listeners = [*listeners, parent.nested_listener(self.spec, namespace)]
            stream_messages = stream_messages or parent.stream_messages
            if not own_thread:
                config = {k: v for k, v in (config or {}).items() if k != "configurable"}
                if parent.loop is not None:
                    parent.loop.spec.subgraphs.setdefault(parent.node, self)  # for get_state(subgraphs=True)
                history = nested.nested_history(self, parent, namespace)
                if history is None:  # its interrupts are the parent task's: it runs again from its start
                    owner = parent.owner
                else:
                    config["configurable"] = nested.config_for(history, parent)
        elif self.subgraph_only:
            raise SubgraphOnlyError(
                f"graph `{self.name}` was compiled with checkpointer=True, which makes it a subgraph that keeps "
                "to its parent's thread, so it cannot run on its own; run it from a node of a graph that has a "
                "checkpointer, or compile it with checkpointer=InMemorySaver() to run it alone")
        options = options_from(
            config, inline_sync=inline, executor=self.executor, **self._stores(parent), stream_messages=stream_messages, want_records=False,
            interrupt_before=frozenset(interrupt_before) if interrupt_before is not None else self.interrupt_before,
            interrupt_after=frozenset(interrupt_after) if interrupt_after is not None else self.interrupt_after,
        )
        options.runtime = run_runtime(self.context_schema, context,
                                      getattr(self, "store", None), config, control, parent)
        if parent is None or own_thread:
            # a subgraph's checkpoint (without a checkpointer, the namespace is only metadata, as in LangGraph)
            if self.checkpointer is not None and config and (config.get("configurable") or {}).get("checkpoint_ns"):
                options.config = subgraph_state.parent_run_config(self._require_history(config), config)
                options.checkpoint_id = options.config["configurable"]["checkpoint_id"]
            history = self.history_of(options)
            if history is not None and durability == "exit":  # the run's own view of the thread: see `durability`
                history = History(self.spec, DeferredSaver(self.checkpointer), history.thread_id)
        loop = Loop(self.spec, options, history, listeners, owner)
        if parent is not None and not own_thread and history is not None:
            nested.start(loop, input, parent)
        else:
            loop.setup(input)
        return loop

    def _stores(self, parent: TaskContext | None) -> dict:
        """The store and cache a run uses: the graph's own, else (a subgraph) its parent run's."""
        inherited = parent.loop.options if parent is not None and parent.loop is not None else None
        return {"store": self.store if self.store is not None or inherited is None else inherited.store,
                "cache": self.cache if self.cache is not None or inherited is None else inherited.cache}

    def clear_cache(self, nodes: list[str] | None = None) -> None:
        """Forget the cached results of `nodes` (all nodes when None), as LangGraph's `clear_cache`."""
        clear_nodes(self, nodes)

    async def aclear_cache(self, nodes: list[str] | None = None) -> None:
        clear_nodes(self, nodes)

    def _result(self, loop: Loop) -> dict:
        out = algo.output_values(self.spec, loop.values if loop.paused_values is None else loop.paused_values)
        if loop.interrupts:
            # an entrypoint paused before returning has no value yet: the interrupts are the result
            out = dict(out) if isinstance(out, dict) else {}
            out[INTERRUPT_KEY] = list(loop.interrupts)
        return out

    def _nested_result(self, loop: Loop) -> dict:
        """What a subgraph's run gives its parent task: its output, or (paused by `interrupt()`) the parent
        task pauses too; on resume the task runs again, and this graph with it: from where it stopped when
        it keeps checkpoints, else from its start."""
        if loop.interrupts:
            raise GraphInterrupt(list(loop.interrupts))
        return self._result(loop)

    # -- running -------------------------------------------------------------------------------------
    async def _ainvoke(self, input: Any, config: dict | None, inline: bool, parent: TaskContext | None = None,
                       **kw: Any) -> dict:
        loop = self._make_loop(input, config, [], inline=inline, parent=parent, **kw)
        try:
            await run_to_pause(loop)
        finally:
            at_exit(loop)
        if parent is not None:
            return self._nested_result(loop)
        # a new input whose run changed no state key has no output: LangGraph's invoke returns None
        if not loop.wrote and not loop.interrupts and self.spec.output_key is None and input is not None \
                and not isinstance(input, Command):
            return None
        return self._result(loop)

    async def ainvoke(self, input: Any, config: dict | None = None, *, interrupt_before=None, interrupt_after=None,
                      stream_mode: Any = "values", version: str = "v1", **options: Any) -> Any:
        """Run to the end (or an interrupt) and return the final state (`version="v2"`: a `GraphOutput`); with
        another `stream_mode` (or a list of modes), the list of the chunks `astream` gives, as LangGraph's."""
        _check_invoke(stream_mode, options, version)
        if stream_mode != "values":
            return [chunk async for chunk in self.astream(input, config, stream_mode=stream_mode, version=version,
                                                          interrupt_before=interrupt_before,
                                                          interrupt_after=interrupt_after, **options)]
        result = await self._ainvoke(input, config, False, current_task(), interrupt_before=interrupt_before,
                                     interrupt_after=interrupt_after, **_run_kw(options))
        return graph_output(self.spec, result) if version == "v2" else result

    def invoke(self, input: Any, config: dict | None = None, *, interrupt_before=None, interrupt_after=None,
               stream_mode: Any = "values", version: str = "v1", **options: Any) -> Any:
        """Run to the end (or an interrupt) and return the final state (also works inside Jupyter);
        `version="v2"`: a `GraphOutput` (the output as `.value`, the interrupts it waits at as `.interrupts`)."""
        _check_invoke(stream_mode, options, version)
        if stream_mode != "values":  # the chunks of that stream, as a list (LangGraph's)
            return list(self.stream(input, config, stream_mode=stream_mode, version=version,
                                    interrupt_before=interrupt_before, interrupt_after=interrupt_after, **options))
        # the running task is read here: the coroutine may run on a helper thread, which does not see it
        result = run_sync(self._ainvoke(input, config, True, current_task(), interrupt_before=interrupt_before,
                                        interrupt_after=interrupt_after, **_run_kw(options)))
        return graph_output(self.spec, result) if version == "v2" else result

    def _astream(self, input: Any, config: dict | None, stream_mode: Any, inline: bool,
                 interrupt_before=None, interrupt_after=None, subgraphs: bool = False,
                 options: dict | None = None, version: str = "v1") -> AsyncIterator[Any]:
        check_options("stream()", options or {}, RUN_OPTIONS)
        check_version(version, "stream()")
        durability = _durability(options or {})
        parent = current_task()  # read here, not in the generator: the sync stream may pump it on another thread
        modes, pairs = check_modes(stream_mode)

        def listener_for(put):
            # subgraphs=True: LangGraph's shape, each chunk behind the namespace it came from
            if version == "v2":  # whatever the modes: a dict per chunk, its namespace inside
                emit = lambda ns, m, c: put(stream_part(self.spec, ns, m, c))  # noqa: E731
            elif subgraphs:
                emit = (lambda ns, m, c: put((ns, m, c))) if pairs else (lambda ns, m, c: put((ns, c)))
            else:
                emit = (lambda ns, m, c: put((m, c))) if pairs else (lambda ns, m, c: put(c))
            return graph_chunker(self.spec, modes, emit, subgraphs, bound(self.config, config))

        def make_loop(listeners: list) -> Loop:
            made.append(self._make_loop(input, config, listeners, inline=inline, stream_messages="messages" in modes,
                                        interrupt_before=interrupt_before, interrupt_after=interrupt_after,
                                        parent=parent, **_run_kw(options or {})))
            return made[-1]

        made: list[Loop] = []
        chunks = stream_loop(make_loop, listener_for)
        if durability == "exit":
            chunks = _stored_at_exit(chunks, made)
        return chunks if parent is None else self._nested_stream(chunks, made)

    def _nested_stream(self, chunks: AsyncIterator[Any], made: list) -> AsyncIterator[Any]:
        """A subgraph's stream, read by its parent task's code: its chunks, then (paused) the task pauses."""
        async def stream() -> AsyncIterator[Any]:
            async for chunk in chunks:
                yield chunk
            self._nested_result(made[0])

        return stream()

    def astream(self, input: Any, config: dict | None = None, *, stream_mode: Any = "updates",
                interrupt_before=None, interrupt_after=None, subgraphs: bool = False, version: str = "v1",
                **options: Any) -> AsyncIterator[Any]:
        """Stream chunks as the run goes: modes `values`, `updates`, `checkpoints`, `tasks`, `debug`,
        `messages`, `custom`, or a list; `version="v2"`: each chunk a `StreamPart` dict `{type, ns, data}`."""
        return self._astream(input, config, stream_mode, False, interrupt_before, interrupt_after, subgraphs, options,
                             version)

    def stream(self, input: Any, config: dict | None = None, *, stream_mode: Any = "updates",
               interrupt_before=None, interrupt_after=None, subgraphs: bool = False, version: str = "v1",
               **options: Any) -> Iterator[Any]:
        """Sync version of `astream` (also works inside Jupyter). Nodes run off the loop's thread, so chunks
        reach the caller while a long node is still running."""
        return iter_sync(self._astream(input, config, stream_mode, False, interrupt_before, interrupt_after,
                                       subgraphs, options, version))

    async def abatch(self, inputs: list, config: dict | list | None = None, *, return_exceptions: bool = False,
                     max_concurrency: int | None = None, executor: Any = None,
                     on_progress: Callable[[BatchProgress], Any] | None = None, **kw: Any) -> list:
        """Run many inputs, each on its own thread (`config`: one config for all, or one per input), at most
        `max_concurrency` at once (default: the config's `max_concurrency`, else all). Each run stops at the
        end or at its interrupts; returns each run's result (its values, with `__interrupt__` when it
        waits) in input order. A failed run: with `return_exceptions=True` its exception stands in its
        place; without, the first failure (in input order) is raised once every run has ended.
        `executor`: a `concurrent.futures.Executor` that runs every sync node call of the batch.
        `on_progress` gets a `BatchProgress` at the start and as each run ends (a progress bar:
        `wfkit.widgets.ProgressBar()`)."""
        return await run_batch(list(inputs), config, return_exceptions=return_exceptions,
                               max_concurrency=max_concurrency, executor=executor, on_progress=on_progress,
                               run=self._batch_run(kw, current_task()))

    def batch(self, inputs: list, config: dict | list | None = None, *, return_exceptions: bool = False,
              max_concurrency: int | None = None, executor: Any = None,
              on_progress: Callable[[BatchProgress], Any] | None = None, **kw: Any) -> list:
        """Sync version of `abatch` (also works inside Jupyter)."""
        # the running task is read here: the coroutine may run on a helper thread, which does not see it
        return run_sync(run_batch(list(inputs), config, return_exceptions=return_exceptions,
                                  max_concurrency=max_concurrency, executor=executor, on_progress=on_progress,
                                  run=self._batch_run(kw, current_task())))

    def _batch_run(self, kw: dict, parent: TaskContext | None) -> Callable:
        """How `batch` runs one input: as `invoke` would, with the same keyword arguments."""
        before, after = kw.pop("interrupt_before", None), kw.pop("interrupt_after", None)
        _check_invoke(kw.pop("stream_mode", "values"), kw, "v1")
        return lambda input, config: self._ainvoke(input, config, False, parent, interrupt_before=before,
                                                   interrupt_after=after, **_run_kw(kw))

    # -- stepping ------------------------------------------------------------------------------------
    def start(self, input: Any, config: dict | None = None):
        """A `Run` that has executed nothing yet: step through it superstep by superstep."""
        from wfkit.stepping import Run

        return Run(self, input, bound(self.config, config))

    def with_config(self, config: dict | None = None, **kwargs: Any) -> "CompiledStateGraph":
        """A copy of this graph whose runs and state calls use `config` and `kwargs` (e.g.
        `recursion_limit=10`) merged under the config each call gives, as LangGraph's `with_config`."""
        graph = copy.copy(self)
        graph.config = merge_configs(self.config, config, kwargs)
        return graph

    def copy(self, update: dict[str, Any] | None = None, **changes: Any) -> "CompiledStateGraph":
        """A copy of this graph with some of its attributes replaced, as LangGraph's `copy`: e.g.
        `graph.copy({"checkpointer": InMemorySaver()})` or `graph.copy(name="other")`."""
        changes = checked_changes(self, update, changes)
        graph = copy.copy(self)
        graph.__dict__.update({k: v for k, v in changes.items() if k != "checkpointer"})
        if "checkpointer" in changes:
            graph.__dict__.update(self._checkpointer_fields(changes["checkpointer"]))
        return graph

    def get_input_jsonschema(self, config: dict | None = None) -> dict[str, Any]:
        """The JSON Schema of what `invoke` takes, as LangGraph's (see `wfkit.graph.jsonschema`)."""
        return jsonschema.state_jsonschema(self.spec.input, jsonschema.titled(self.name, "Input"))

    def get_output_jsonschema(self, config: dict | None = None) -> dict[str, Any]:
        """The JSON Schema of what `invoke` returns, as LangGraph's."""
        return jsonschema.state_jsonschema(self.spec.output, jsonschema.titled(self.name, "Output"))

    def get_input_schema(self, config: dict | None = None) -> Any:
        raise UnsupportedFeatureError("get_input_schema() (a pydantic class) is not provided by wfkit: use "
                                      "get_input_jsonschema(), the same JSON Schema LangGraph gives")

    def get_output_schema(self, config: dict | None = None) -> Any:
        raise UnsupportedFeatureError("get_output_schema() (a pydantic class) is not provided by wfkit: use "
                                      "get_output_jsonschema(), the same JSON Schema LangGraph gives")

    def get_context_jsonschema(self) -> dict[str, Any] | None:
        """The JSON Schema of the graph's `context_schema` (None without one), as LangGraph's."""
        return jsonschema.context_jsonschema(self.context_schema)

    # -- state ---------------------------------------------------------------------------------------
    def _require_history(self, config: dict | None, writing: bool = False) -> History:
        config = bound(self.config, config)
        if self.checkpointer is None:
            raise NoCheckpointerError("this graph has no checkpointer: compile(checkpointer=InMemorySaver()) to keep state")
        configurable = check_config(config)
        thread_id = thread_key(configurable.get("thread_id"))
        if thread_id is None:
            raise ThreadKeyMissingError(
                "reading or writing a thread's state needs its thread: pass "
                "config={'configurable': {'thread_id': 'some-id'}}")
        ns = configurable.get("checkpoint_ns")
        if ns:  # a subgraph's own checkpoints (see `engine.nested`)
            return subgraph_state.history_at(self, self._history(thread_id), ns, writing)
        return self._history(thread_id)

    def _snapshots(self, history: History) -> Snapshots:
        return Snapshots(history.spec, history)

    def get_state(self, config: dict, *, subgraphs: bool = False) -> StateSnapshot:
        """The thread's state at its latest checkpoint (or the one named in the config); each task that runs
        a subgraph shows the config naming its checkpoints, or with `subgraphs=True` its snapshot."""
        config = bound(self.config, config)
        history = self._require_history(config)
        configurable = config.get("configurable") or {}
        # as in LangGraph: naming a checkpoint gives the record of its superstep, not the live state
        snapshot = self._snapshots(history).current(configurable.get("checkpoint_id"),
                                                    live="checkpoint_id" not in configurable)
        if snapshot is None:
            return StateSnapshot({}, (), config, None, None, None, (), ())
        if history.spec.subgraphs:
            snapshot = subgraph_state.with_subgraph_states(history, snapshot, subgraphs, self._snapshots)
        return snapshot

    async def aget_state(self, config: dict, *, subgraphs: bool = False) -> StateSnapshot:
        return self.get_state(config, subgraphs=subgraphs)

    def get_state_history(self, config: dict, *, filter: dict | None = None, before: dict | None = None,
                          limit: int | None = None) -> Iterator[StateSnapshot]:
        """Every checkpoint of the thread, newest first."""
        yield from self._listing(config, filter, before, limit)

    async def aget_state_history(self, config: dict, *, filter: dict | None = None, before: dict | None = None,
                                 limit: int | None = None) -> AsyncIterator[StateSnapshot]:
        """`get_state_history` as an async generator."""
        for snapshot in self._listing(config, filter, before, limit):
            yield snapshot

    def _listing(self, config: dict, filter: dict | None, before: dict | None, limit: int | None) -> list:
        history = self._require_history(config)
        _check_listing(filter, before, limit)
        before_id = (before or {}).get("configurable", {}).get("checkpoint_id") if before else None
        return self._snapshots(history).listing(filter=filter, before_id=before_id, limit=limit)

    def update_state(self, config: dict, values: Any, as_node: str | None = None) -> dict:
        """Write `values` to the thread as if node `as_node` had returned them; returns the new config. On a
        thread with no state yet it is the first checkpoint (by default as the input: from START)."""
        config = bound(self.config, config)
        history = self._require_history(config, writing=True)
        checkpoint = history.get((config.get("configurable") or {}).get("checkpoint_id"))
        if as_node == COPY:
            if checkpoint is None:
                raise CheckpointError(f"thread `{history.thread_id}` has no checkpoint to copy yet; invoke the "
                                      "graph first, or update_state(config, values) to give it a first state")
            updates = copy_updates(checkpoint, values)
            copied = copy_checkpoint(history, checkpoint)
            return self._update(history, copied, updates)[0] if updates else self._snapshots(history).config(copied.id)
        return self._update(history, checkpoint, [(values, as_node)])[0]

    def bulk_update_state(self, config: dict, supersteps: Any) -> dict:
        """Apply several supersteps of updates: each a list of `StateUpdate(values, as_node)` applied together,
        as the tasks of one superstep, into one checkpoint; returns the last one's config."""
        supersteps = check_supersteps(supersteps)
        config = bound(self.config, config)
        history = self._require_history(config, writing=True)
        checkpoint = history.get((config.get("configurable") or {}).get("checkpoint_id"))
        for step in supersteps:
            if len(step) == 1 and step[0].as_node == COPY:  # alone, as update_state takes it
                new_config = self.update_state(
                    {**config, "configurable": {**config["configurable"], "checkpoint_id": checkpoint and checkpoint.id}},
                    step[0].values, COPY)
                checkpoint = history.get(new_config["configurable"]["checkpoint_id"])
            else:
                new_config, checkpoint = self._update(history, checkpoint, [(u.values, u.as_node) for u in step])
        return new_config

    async def abulk_update_state(self, config: dict, supersteps: Any) -> dict:
        return self.bulk_update_state(config, supersteps)

    def _update(self, history: History, checkpoint: Any, updates: list) -> tuple[dict, Any]:
        """Store the checkpoint that `updates` make on `checkpoint` (None: the thread's first); returns its
        config and itself."""
        if checkpoint is None:  # a thread with no state: the updates start it, as LangGraph's do
            current, base = algo.initial_values(history.spec), Checkpoint("", history.thread_id, None, -1, "update", "")
            base.plan = Plan().to_json()
        else:
            current, base = history.values_at(checkpoint), checkpoint
        parents = base.metadata.get("parents")  # a subgraph's: the parent checkpoints it belongs under
        metadata = {"parents": parents} if parents else None
        if (plan := input_update(history.spec, Plan.from_json(base.plan), updates)) is not None:  # as LangGraph: step -1 on a new thread
            saved = history.save(parent_id=checkpoint and checkpoint.id, step=base.step + 1 if checkpoint else -1,
                                 source="input", delta=[], plan=plan, values=current, metadata=metadata)
            return self._snapshots(history).config(saved.id, None, parents), saved
        as_nodes = [as_node for _, as_node in updates]
        parent = (history.get(base.parent_id) if None in as_nodes and base.source == "loop"
                  and base.parent_id is not None else None)
        ran = Plan.from_json(parent.plan).names() if parent is not None else ()
        written: list = []
        new_values, delta, plan = apply_updates(history.spec, base, current, updates, ran, written)
        saved = history.save(parent_id=checkpoint and checkpoint.id, step=base.step + 1, source="update",
                             delta=delta, plan=plan, values=new_values, metadata=metadata)
        if checkpoint is not None:
            history.save_update_results(checkpoint.id, update_task_results(history.spec, checkpoint, written))
        return self._snapshots(history).config(saved.id, None, parents), saved

    async def aupdate_state(self, config: dict, values: Any, as_node: str | None = None) -> dict:
        return self.update_state(config, values, as_node)

    def waiting_threads(self, *, limit: int | None = None) -> list[StateSnapshot]:
        """The state of every thread of the checkpointer that waits at `interrupt()` (its `interrupts` not
        empty), oldest first (by when it paused); at most `limit` threads are read (None: all)."""
        if self.checkpointer is None:
            raise NoCheckpointerError("this graph has no checkpointer, so no thread can wait at an interrupt: "
                                      "compile(checkpointer=SqliteSaver('runs.db')) to keep its threads")
        found = []
        for waiting in self.checkpointer.waiting_threads(limit=limit):
            # a History of its own: listing thousands of threads keeps none of their states
            history = History(self.spec, self.checkpointer, waiting.checkpoint.thread_id)
            snapshot = self._snapshots(history).waiting(waiting.checkpoint, waiting.writes)
            if snapshot.interrupts:  # (answered ones are still listed by the saver until the run moves on)
                found.append(snapshot)
        return found


    def get_subgraphs(self, *, namespace: str | None = None, recurse: bool = False) -> Iterator[tuple[str, Any]]:
        """`(namespace, subgraph)` for each node that runs a subgraph (`recurse`: theirs too, as `a|b`);
        with `namespace`, only the one at exactly that namespace."""
        yield from subgraphs_of(self, namespace, recurse)

    async def aget_subgraphs(self, *, namespace: str | None = None, recurse: bool = False
                             ) -> AsyncIterator[tuple[str, Any]]:
        """`get_subgraphs` as an async generator."""
        for pair in subgraphs_of(self, namespace, recurse):
            yield pair

    # -- drawing -------------------------------------------------------------------------------------
    def get_graph(self, xray: bool | int = False):
        """A drawable picture of the graph: `.to_dot()`, `.draw_svg()`, `.draw_png()`, `.draw_mermaid()`..."""
        from wfkit.graph.drawable import drawable

        return drawable(self.spec)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.get_graph()._repr_mimebundle_(include=include, exclude=exclude)

    def __repr__(self) -> str:
        return f"<CompiledStateGraph {self.name!r}: {', '.join(self.spec.nodes)}>"


def _check_listing(filter: Any, before: Any, limit: Any) -> None:
    """get_state_history's arguments, each None or of its type."""
    for name, value, kind, what, example in (
            ("filter", filter, dict, "a dict of metadata to match", "filter={'source': 'loop'}"),
            ("before", before, dict, "a config dict", "before=snapshot.config"),
            ("limit", limit, int, "an int (the most snapshots to list)", "limit=10")):
        if value is not None and not isinstance(value, kind):
            raise ArgumentTypeError(f"get_state_history(): `{name}` must be {what} (or None), got {given(value)}: "
                                    f"e.g. {example}")


def _durability(options: dict) -> str:
    return durability_of(options.get("durability"), options.get("checkpoint_during"))


def _run_kw(options: dict) -> dict:
    """What a run's keyword options give `_make_loop`: its durability, and its Runtime's context and control."""
    return {"durability": _durability(options), "context": options.get("context"), "control": options.get("control")}


async def _stored_at_exit(chunks: AsyncIterator[Any], made: list) -> AsyncIterator[Any]:
    """A stream in "exit" mode: its run's last checkpoint is stored when the stream ends (or is closed)."""
    try:
        async for chunk in chunks:
            yield chunk
    finally:
        if made:
            at_exit(made[0])


def _check_invoke(stream_mode: Any, options: dict, version: Any) -> None:
    check_version(version, "invoke()")
    check_options("invoke()", options, RUN_OPTIONS)
