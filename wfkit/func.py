"""The Functional API: `@task` functions return futures and run in parallel; `@entrypoint` turns a plain
function into a runnable with `invoke` / `stream` / `get_state`, built on the same engine as graphs.

An entrypoint is a one-node graph: the input goes in, the function runs as the node, its return value is
the output. Inside it, each `@task` call is numbered in call order; with a checkpointer, finished task
results are kept so that a resumed run (after `interrupt()`) reuses them instead of calling them again.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import dataclasses
import functools
import inspect
import itertools
import threading
from typing import Any, Callable, Generic, TypeVar

from wfkit.constants import END, START
from wfkit.engine.algo import Task
from wfkit.engine.caching import WRITES_NS, check_cache, check_cache_policy, check_store, full_key, identifier
from wfkit.engine.context import TaskContext, current_task, set_current
from wfkit.engine.events import TaskFinished, TaskStarted
from wfkit._sync import run_sync
from wfkit.engine.retry import policies_of, run_attempts, sleep_async, sleep_in_thread
from wfkit.engine.runner import node_threads
from wfkit.engine.spec import GraphSpec, NodeSpec, injected, is_async_callable
from wfkit.engine.trigger import Trigger
from wfkit.errors import TaskOutsideEntrypointError
from wfkit.graph import jsonschema
from wfkit.graph.compiled import CompiledStateGraph
from wfkit.graph.options import check_options
from wfkit.graph.schema import Channel, Schema
from wfkit.types import TimeoutPolicy
from wfkit.runtime import injections, task_runtime

CALL = Trigger("call")  # what schedules a @task call

T = TypeVar("T")
INPUT, OUTPUT, PREVIOUS = "__input__", "__output__", "__previous__"
MISSING = object()


class TaskFuture(Generic[T]):
    """The result of calling a `@task`: `.result()` waits for it (or `await` it in async code)."""

    def __init__(self, future: Any):
        self._future = future

    def result(self, timeout: float | None = None) -> T:
        if isinstance(self._future, concurrent.futures.Future):
            return self._future.result(timeout)
        if self._future.done():
            return self._future.result()
        raise RuntimeError("this task runs on the event loop: `await` it inside an async entrypoint instead of .result()")

    def done(self) -> bool:
        return self._future.done()

    def cancel(self) -> bool:
        """Stop the call if it can still be stopped (an async task, or a sync one not started yet): awaiting
        it then raises `asyncio.CancelledError`, its result is never stored, and a resumed run calls it
        again. Returns whether it was cancelled (False once it finished; a running sync call cannot be)."""
        return self._future.cancel()

    def cancelled(self) -> bool:
        return self._future.cancelled()

    def __await__(self):
        if isinstance(self._future, concurrent.futures.Future):
            return asyncio.wrap_future(self._future).__await__()
        return self._future.__await__()


class _Calls:
    """Per entrypoint run: numbers task calls and remembers their results for resumes."""

    def __init__(self, loop: Any, node_task: Task):
        self.loop, self.node_task = loop, node_task
        self.counter = itertools.count()
        self.lock = threading.Lock()
        history = loop.history
        self.cached = history.task_results(loop.checkpoint_id) if history is not None else {}

    def next_call(self) -> int:
        with self.lock:
            return next(self.counter)

    def context(self, ctx: TaskContext, call_task: Task) -> TaskContext:
        """The context a call runs in: its entrypoint's, except that its `interrupt()` calls are its own (their
        id is the call's task id, and so are their answers), as each `@task` call is a task of its own in
        LangGraph. Inside a subgraph they stay the outer task's, as every interrupt there does."""
        if ctx.parent_owner is not None:
            return ctx
        answers = self.loop.answers
        own = TaskContext(ctx.node, ctx.step, call_task.id, ctx.emit, ctx.stream_messages,
                          answers.replay.get(call_task.id, ()), ctx.config, ctx.task, ctx.loop)
        own.calls = ctx.calls
        own.take_answer = lambda interrupt_id: answers.take(interrupt_id, ctx.task_id)
        return own

    def started(self, call: int, name: str, args: tuple, kwargs: dict, step: int) -> Task:
        """The call as a task (its input: the arguments), announced to listeners: the Debugger shows it
        among the running tasks and in its event log."""
        task = Task(f"{self.node_task.id}:{call}", name, "push", call, (args, kwargs), (CALL,))
        if self.loop.listeners:
            self.loop.emit(TaskStarted(step, task))
        return task

    def finished(self, task: Task, value: Any, step: int) -> None:
        history = self.loop.history
        if history is not None:
            history.save_task_result(self.loop.checkpoint_id, self.node_task.id, task.name, task.index, value)
        if self.loop.listeners:
            self.loop.emit(TaskFinished(step, task, update=value))

    def failed(self, task: Task, error: BaseException, step: int) -> None:
        if self.loop.listeners:
            self.loop.emit(TaskFinished(step, task, error=error))


class TaskFunction:
    """A function decorated with `@task`."""

    def __init__(self, fn: Callable, name: str | None = None, retry_policy: Any = None, cache_policy: Any = None,
                 timeout: Any = None):
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.name = name or fn.__name__
        self.is_async = is_async_callable(fn)
        self.retry = policies_of(retry_policy)
        self.timeout = TimeoutPolicy.coerce(timeout)
        self.cache_policy = check_cache_policy(cache_policy, f"task `{self.name}`")
        self.injected = injected(fn)  # `writer`, `store`: given to the function, not recorded as its input

    def clear_cache(self, cache: Any) -> None:
        """Forget this task's results in `cache`, as LangGraph's `clear_cache`."""
        if self.cache_policy is not None:
            cache.clear([self._namespace()])

    async def aclear_cache(self, cache: Any) -> None:
        self.clear_cache(cache)

    def _namespace(self) -> tuple[str, str]:
        return (WRITES_NS, identifier(self.fn))

    def _cached(self, ctx: TaskContext, args: tuple, kwargs: dict) -> tuple[Any, Any]:
        """(the graph's cache and this call's key in it, or None: not cached; the value it holds, or MISSING)."""
        cache = ctx.loop.options.cache if self.cache_policy is not None and ctx.loop is not None else None
        if cache is None:
            return None, MISSING
        key = full_key(self._namespace(), self.cache_policy, *args, **kwargs)
        found = cache.get([key])
        return (cache, key), found.get(key, MISSING)

    def _call_sync(self, args: tuple, kwargs: dict) -> Any:
        if not self.retry and self.timeout is None:
            return self.fn(*args, **kwargs)
        # in this worker thread, on a loop of its own: each attempt in another thread, so its timeout holds
        return run_sync(self._attempts(args, kwargs, sleep_in_thread))

    async def _call_async(self, args: tuple, kwargs: dict) -> Any:
        if not self.retry and self.timeout is None:
            return await self.fn(*args, **kwargs)
        return await self._attempts(args, kwargs, sleep_async)

    async def _attempts(self, args: tuple, kwargs: dict, sleep: Callable) -> Any:
        def call() -> Any:
            if self.is_async:
                return self.fn(*args, **kwargs)
            run = functools.partial(contextvars.copy_context().run, self.fn, *args, **kwargs)
            return asyncio.get_running_loop().run_in_executor(node_threads, run)

        return await run_attempts(self.name, call, retry=self.retry, timeout=self.timeout, ctx=current_task(),
                                  sleep=sleep, what="task")

    def __call__(self, *args: Any, **kwargs: Any) -> TaskFuture:
        ctx = current_task()
        # the stream writer goes to the function, not into the call's recorded input (the Debugger shows that)
        given = ({**injections(tuple(n for n in self.injected if n not in kwargs)), **kwargs} if self.injected
                 else kwargs)
        calls: _Calls | None = ctx.calls if ctx is not None else None
        if ctx is None:  # as in LangGraph: a task belongs to a run
            raise TaskOutsideEntrypointError(
                f"task `{self.name}` was called outside an entrypoint: a @task runs only inside an @entrypoint "
                f"function or a graph node. Call it from one, or call the undecorated function: "
                f"{getattr(self.fn, '__name__', self.name)}.fn(...)")
        if calls is None:  # in a graph node: run it there
            return self._run_alone(args, given)
        call = calls.next_call()
        cache, hit = self._cached(ctx, args, kwargs) if self.cache_policy is not None else (None, MISSING)
        if call in calls.cached or hit is not MISSING:
            done: concurrent.futures.Future = concurrent.futures.Future()
            done.set_result(calls.cached[call] if call in calls.cached else hit)
            return TaskFuture(done)
        step = ctx.step
        call_task = calls.started(call, self.name, args, kwargs, step)

        def failed(error: BaseException) -> None:
            calls.failed(call_task, error, step)

        own = calls.context(ctx, call_task)
        if self.is_async:
            async def run_async() -> Any:
                set_current(own)  # (in this asyncio task's own copy of the context)
                try:
                    value = await self._call_async(args, given)
                except Exception as error:
                    failed(error)
                    raise
                if not ctx.closed:  # the entrypoint's attempt timed out meanwhile: keep nothing of it
                    calls.finished(call_task, value, step)
                    _keep(cache, value, self.cache_policy)
                return value

            return TaskFuture(asyncio.ensure_future(run_async()))

        def run_sync_task() -> Any:
            set_current(own)  # (in the copy of the context this call runs in)
            try:
                value = self._call_sync(args, given)
            except Exception as error:
                failed(error)
                raise
            if not ctx.closed:  # the entrypoint's attempt timed out meanwhile: keep nothing of it
                calls.finished(call_task, value, step)
                _keep(cache, value, self.cache_policy)
            return value

        context = contextvars.copy_context()
        return TaskFuture(node_threads.submit(context.run, run_sync_task))

    def _run_alone(self, args: tuple, kwargs: dict) -> TaskFuture:
        future: concurrent.futures.Future = concurrent.futures.Future()
        try:
            if self.is_async:
                value = run_sync(self._call_async(args, kwargs))
            else:
                value = self._call_sync(args, kwargs)
            future.set_result(value)
        except Exception as error:
            future.set_exception(error)
        return TaskFuture(future)


def _keep(cache: Any, value: Any, policy: Any) -> None:
    """A cached task's result goes in the graph's cache (`cache`: (the cache, the call's key), or None)."""
    if cache is not None:
        cache[0].set({cache[1]: (value, policy.ttl)})


def task(fn: Callable | None = None, *, name: str | None = None, retry_policy: Any = None, cache_policy: Any = None,
         timeout: Any = None, **options: Any):
    """Decorate a function as a task: calling it inside an entrypoint returns a future and runs in parallel.
    `retry_policy=RetryPolicy(...)` calls it again when it raises and `timeout=` (seconds or a TimeoutPolicy)
    limits each attempt, as for a node; `cache_policy=CachePolicy()` reuses its result for the same arguments
    from the entrypoint's cache (`entrypoint(cache=...)`)."""
    check_options("task()", options, frozenset({"retry"}))
    retry_policy = retry_policy or options.get("retry")  # LangGraph's older name for the same option
    timeout = TimeoutPolicy.coerce(timeout)  # a wrong timeout is refused where it is written
    if fn is None:
        return lambda f: TaskFunction(f, name, retry_policy, cache_policy, timeout)
    return TaskFunction(fn, name, retry_policy, cache_policy, timeout)


R, S = TypeVar("R"), TypeVar("S")


class entrypoint:
    """Decorate a function as a workflow: `@entrypoint()` or `@entrypoint(checkpointer=InMemorySaver())`.

    The function takes the input as its first parameter; it may also take `previous` (what the last run on
    this thread returned or saved), `config` and `writer` (a `StreamWriter`: what it is called with streams
    in mode "custom"); a `@task` may take `writer` too. Return `entrypoint.final(value=..., save=...)` to return
    one value but keep another as the next run's `previous`.
    """

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class final(Generic[R, S]):
        """`entrypoint.final(value=..., save=...)`: the entrypoint returns `value` and the next run on the thread
        gets `save` as `previous`. Subscriptable as a return hint: `-> entrypoint.final[int, int]`."""

        value: R
        save: S

    def __init__(self, checkpointer: Any = None, store: Any = None, cache: Any = None, retry_policy: Any = None,
                 timeout: Any = None, context_schema: Any = None, **options: Any):
        check_options("entrypoint()", options)
        self.checkpointer, self.store, self.cache = checkpointer, check_store(store), check_cache(cache)
        self.retry, self.timeout = policies_of(retry_policy), TimeoutPolicy.coerce(timeout)
        self.context_schema = context_schema

    def __call__(self, fn: Callable) -> "Entrypoint":
        graph = Entrypoint(fn, self.checkpointer, self.store, self.cache, self.retry, self.timeout)
        graph.context_schema = self.context_schema
        return graph


class Entrypoint(CompiledStateGraph):
    """A runnable made by `@entrypoint`: the same run, stream and state methods as a compiled graph."""

    def __init__(self, fn: Callable, checkpointer: Any, store: Any = None, cache: Any = None, retry: tuple = (),
                 timeout: Any = None):
        self.fn = fn
        name = fn.__name__
        params = inspect.signature(fn).parameters
        wants_previous, wants_config, wants = "previous" in params, "config" in params, injected(fn)
        is_async = is_async_callable(fn)

        def unwrap(result: Any) -> dict:
            if isinstance(result, entrypoint.final):
                return {OUTPUT: result.value, PREVIOUS: result.save}
            return {OUTPUT: result, PREVIOUS: result}

        def kwargs_for(state: dict, config: dict) -> dict:
            kwargs = {}
            if wants_previous:
                kwargs["previous"] = state.get(PREVIOUS)
            if wants_config:
                kwargs["config"] = config
            if wants:
                kwargs.update(injections(wants))
            return kwargs

        def setup_calls(state: dict) -> None:
            ctx = current_task()
            ctx.calls = _Calls(ctx.loop, ctx.task)
            # the entrypoint's runtime (its parameter's, get_runtime()'s) has `previous`, as in LangGraph
            ctx.runtime = task_runtime(ctx).override(previous=state.get(PREVIOUS))

        if is_async:
            async def node(state: dict, config: dict) -> dict:
                setup_calls(state)
                return unwrap(await fn(state.get(INPUT), **kwargs_for(state, config)))
        else:
            def node(state: dict, config: dict) -> dict:
                setup_calls(state)
                return unwrap(fn(state.get(INPUT), **kwargs_for(state, config)))

        schema = Schema(dict)
        channels = {key: Channel(key) for key in (INPUT, OUTPUT, PREVIOUS)}
        node_spec = NodeSpec(name, node, schema, is_async, True, present=lambda writes: dict(writes).get(OUTPUT),
                             retry=retry, timeout=timeout)
        spec = GraphSpec(name=name, state=schema, input=schema, output=schema, channels=channels,
                         nodes={name: node_spec}, edges={START: (name,), name: (END,)}, branches={}, joins=(),
                         output_key=OUTPUT)
        spec.input = _InputSchema()
        spec.shown = _Shown()
        super().__init__(None, spec, checkpointer=checkpointer, name=name, store=store, cache=cache)
        functools.update_wrapper(self, fn, updated=())

    def get_input_jsonschema(self, config: dict | None = None) -> dict:
        """The JSON Schema of the function's first parameter's type, as LangGraph's (titled "LangGraphInput")."""
        return jsonschema.value_jsonschema(jsonschema.entrypoint_hints(self.fn, entrypoint.final)[0], "LangGraphInput")

    def get_output_jsonschema(self, config: dict | None = None) -> dict:
        """The JSON Schema of the type it returns (R of `entrypoint.final[R, S]`), as LangGraph's."""
        return jsonschema.value_jsonschema(jsonschema.entrypoint_hints(self.fn, entrypoint.final)[1], "LangGraphOutput")


class _Shown:
    """The stepping API's view of an entrypoint: the task's input is the value the function received, the
    state is its return value, and it "wrote" `return` (and `save`, when `entrypoint.final` saved
    something else for `previous`)."""

    @staticmethod
    def task(task: Task) -> Task:
        return dataclasses.replace(task, input=task.input.get(INPUT))

    def record(self, record: Any) -> Any:
        writes = []
        for name, pairs in record.writes:
            values = dict(pairs)
            shown = [("return", values.get(OUTPUT))]
            if values.get(PREVIOUS) != values.get(OUTPUT):
                shown.append(("save", values.get(PREVIOUS)))
            writes.append((name, tuple(shown)))
        return dataclasses.replace(record, tasks=tuple(self.task(t) for t in record.tasks), writes=tuple(writes),
                                   values=record.values.get(OUTPUT), updated=())


class _InputSchema(Schema):
    """The entrypoint's input is any value: it is stored whole under one key."""

    def __init__(self):
        super().__init__(dict)
        self.channels = {INPUT: Channel(INPUT)}

    def validate_input(self, value: Any) -> dict:
        return {INPUT: value}
