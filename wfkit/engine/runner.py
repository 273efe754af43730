"""Running the tasks of one superstep: sync nodes in worker threads (in parallel, no cap below the number
of tasks unless `max_concurrency` says so), async nodes as asyncio tasks, each inside its TaskContext.
Given an `executor` (any `concurrent.futures.Executor`: a Dask or Ray one, say), every sync node call is
submitted to it instead, a lone task's too; async nodes stay coroutines on the run's event loop.

A task's whole job happens here: call the node, turn its return into writes, follow its static edges,
evaluate its conditional edges on the state as the node itself would see it after its own writes.
Exceptions and interrupts are captured into the `Outcome`, never raised, so the loop can decide.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import itertools
from collections.abc import Callable
from types import CoroutineType  # (what inspect.iscoroutine checks, without its call)
from typing import Any

from wfkit.constants import END, START
from wfkit.engine import algo
from wfkit.engine.algo import Outcome, Task
from wfkit.engine.context import TaskContext, current_task, reset_current, set_current
from wfkit.engine.events import TaskFinished, TaskStarted
from wfkit.engine.spec import GraphSpec
from wfkit.engine.retry import raised_by_the_call, run_attempts, sleep_async, sleep_in_thread
from wfkit.errors import GraphInterrupt, NodeCancelledError, ParentCommand, add_note, is_invalid_resume
from wfkit.types import Send

# Threads are created lazily and reused; the high ceiling means "as many as there are tasks".
node_threads = concurrent.futures.ThreadPoolExecutor(max_workers=1024, thread_name_prefix="wfkit-node")


class Runner:
    """Executes tasks for a loop; `emit` is the loop's event emitter."""

    def __init__(self, spec: GraphSpec, emit: Callable, *, listening: bool, config: dict, inline_sync: bool,
                 stream_messages: bool, max_concurrency: int | None, loop: Any = None,
                 owner: Any = None, take_answer: Callable[[str], list] | None = None,
                 executor: concurrent.futures.Executor | None = None):
        self.spec = spec
        self.emit = emit
        self.listening = listening  # events are built only when someone listens (invoke is the hot path)
        self.config = config
        self.inline_sync = inline_sync and executor is None  # with an executor, every node call goes to it
        self.executor = executor or node_threads
        # a retry waits as the caller's API does: `time.sleep` for invoke/stream, `asyncio.sleep` for ainvoke/astream
        self.sync_caller = inline_sync
        self.sleep = sleep_in_thread if inline_sync else sleep_async
        self.stream_messages = stream_messages
        self.limit = asyncio.Semaphore(max_concurrency) if max_concurrency else None
        self.loop, self.owner = loop, owner  # given to each task's context (see TaskContext)
        self.take_answer = take_answer
        # A TypedDict state whose keys are all the graph's keys: a fresh dict of values is already its view.
        self._state_is_whole = spec.state.kind == "typeddict" and set(spec.state.channels) == set(spec.channels)

    async def superstep(self, step: int, values: dict, tasks: list[Task], done: dict[str, Outcome],
                        resume: dict[str, list], on_finish: Callable[[Outcome], None]) -> list[Outcome]:
        """Run `tasks` (reusing outcomes already in `done`), returning outcomes in task order."""
        if len(tasks) == 1 and not done:  # the common case of a chain: no bookkeeping
            run = self._execute if self.limit is None else self._run_one
            outcome = await run(step, values, tasks[0], resume.get(tasks[0].id, ()), True)
            on_finish(outcome)
            return [outcome]
        outcomes: dict[str, Outcome] = {}
        todo = []
        for task in tasks:
            if task.id in done:
                outcomes[task.id] = done[task.id]
                self._finished(step, done[task.id], cached=True)
            else:
                todo.append(task)
        if len(todo) == 1:
            outcome = await self._run_one(step, values, todo[0], resume.get(todo[0].id, []), alone=True)
            outcomes[todo[0].id] = outcome
            on_finish(outcome)
        elif todo:
            started = {asyncio.ensure_future(self._run_one(step, values, t, resume.get(t.id, []), alone=False)): t
                       for t in todo}
            pending = set(started)
            try:
                while pending:
                    finished, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    for future in finished:
                        if future.cancelled():  # stopped because another task failed: it ran for nothing
                            continue
                        outcome = future.result()
                        outcomes[outcome.task.id] = outcome
                        on_finish(outcome)
                        if outcome.error is not None and not is_invalid_resume(outcome.error):
                            # the superstep fails: stop the tasks still running, as LangGraph does (but an
                            # answer that does not fit its interrupt lets the other answered tasks finish, so
                            # that none is cut off after a side effect and runs it again next time). A sync
                            # node's thread cannot be stopped: a sync call (invoke, stream) and the stepping API
                            # wait for it and keep what it returns, as LangGraph's sync runner does; an async
                            # call drops it (`sync_caller`: set by the Loop)
                            for other in pending:
                                if not self.sync_caller or self._is_async(started[other]):
                                    other.cancel()
            except asyncio.CancelledError:
                # Tasks that finished before the cancellation keep their results; asyncio.wait leaves the
                # others running, so stop them (a sync node's thread cannot be stopped: it ends in the
                # background and what it returns is dropped).
                for future in pending:
                    if future.done() and not future.cancelled():
                        on_finish(future.result())
                    else:
                        future.cancel()
                raise
        return [outcomes[t.id] for t in tasks if t.id in outcomes]  # all of them, unless one failed

    def _is_async(self, task: Task) -> bool:
        node = self.spec.nodes.get(task.name)
        return node is not None and node.is_async

    def _finished(self, step: int, outcome: Outcome, cached: bool = False) -> None:
        if self.listening:
            self.emit(TaskFinished(step, outcome.task, tuple(outcome.writes), tuple(outcome.routes),
                               outcome.error, outcome.interrupts, outcome.update, cached))

    async def _run_one(self, step: int, values: dict, task: Task, resume: list, alone: bool) -> Outcome:
        """Run a task, waiting for its turn under `max_concurrency` when set."""
        if self.limit is None:
            return await self._execute(step, values, task, resume, alone)
        if self.listening:
            self.emit(TaskStarted(step, task))  # started as soon as it is scheduled, as without a limit
        async with self.limit:
            return await self._execute(step, values, task, resume, alone, announced=True)

    async def _execute(self, step: int, values: dict, task: Task, resume: list, alone: bool,
                       announced: bool = False) -> Outcome:
        if self.listening and not announced:
            self.emit(TaskStarted(step, task))
        ctx = TaskContext(task.name, step, task.id, self.emit, self.stream_messages, resume, self.config,
                          task, self.loop, self.owner, self.take_answer)
        token = set_current(ctx)
        try:
            spec = self.spec
            name = task.name
            outcome = Outcome(task)
            try:
                handled = False
                if name == START:
                    writes, goto = list(task.input.items()), []
                    outcome.update = None
                else:
                    node = spec.nodes[name]
                    if alone and self.inline_sync and name in spec.plain_nodes:
                        # a chain's usual task: call it here, without two more coroutine frames
                        returned = self._call_plain(node, task.input)
                        if isinstance(returned, CoroutineType):
                            returned = await self._awaited(node, returned)
                    else:
                        returned, handled = await self._run_node(node, task.input, ctx, alone)
                    writes, goto = algo.writes_from_return(spec, name, returned)
                    if ctx.pushed:  # written while the node ran, so before what it returned
                        writes = [w for w in ctx.pushed if w[0] in spec.channels] + writes
                    if self.listening:  # what the "updates" stream shows; nobody else reads it
                        present = node.present if not handled else None
                        outcome.update = present(writes) if present else algo.shown_update(writes)
                outcome.writes = writes
                routes = [(dest, "goto") for dest in goto] if goto else []
                # a node whose error handler took over goes where the handler's Command says, not on its edges
                static = spec.edge_routes.get(name) if not handled else None
                if static:
                    routes += static  # checked at compile time
                branches = spec.branches.get(name) if not handled else None
                if branches:
                    # the state as this node sees it after its own writes (its writes are re-checked with the
                    # others' when the superstep is applied)
                    fresh = algo.replay_stored(spec, values, [(name, k, v) for k, v in writes])
                    view = fresh if self._state_is_whole else spec.state.view(fresh)
                    nodes = spec.nodes
                    for branch in branches:
                        arg = view if branch.input is None else branch.input.view(fresh)
                        if alone and self.inline_sync and not branch.is_async:  # (as `_call` would, one frame less)
                            result = branch.path(arg, self.config) if branch.takes_config else branch.path(arg)
                            if isinstance(result, CoroutineType):
                                result = await result
                        else:
                            result = await self._call(branch.path, branch.is_async, branch.takes_config, arg, alone)
                        for dest in branch.resolve(result):
                            routes.append((dest, "branch"))
                            if dest.__class__ is str and dest not in nodes and dest != END:
                                outcome.unknown.append(dest)
                            elif isinstance(dest, Send) and dest.node not in nodes:
                                outcome.unknown.append(dest.node)
                if goto:
                    outcome.unknown += algo.unknown_destinations(spec, routes[:len(goto)])
                outcome.routes = routes
            except GraphInterrupt as pause:
                outcome.interrupts = pause.interrupts
                outcome.writes, outcome.routes = [], []
            except Exception as error:  # the loop decides; the note says where it happened
                add_note(error, f"while running node `{name}` in superstep {step}")
                outcome.error = error
                outcome.writes, outcome.routes = [], []
        finally:
            reset_current(token)
        if self.listening:
            self._finished(step, outcome)
        return outcome

    def _call_plain(self, node: Any, arg: Any) -> Any:
        """Call a node of `spec.plain_nodes` (sync; no retry, timeout or error handler) right here, as
        `_run_node` would (its coroutine, if it returns one, is awaited by `_awaited`)."""
        try:
            return node.fn(arg, self.config) if node.takes_config else node.fn(arg)
        except ParentCommand as sent:  # a subgraph this node ran sent it a Command: as if returned here
            return sent.command
        except asyncio.CancelledError as cancelled:
            raise _cancelled(node, cancelled)

    async def _awaited(self, node: Any, returned: Any) -> Any:
        try:
            return await returned
        except ParentCommand as sent:
            return sent.command
        except asyncio.CancelledError as cancelled:
            raise _cancelled(node, cancelled)

    async def _run_node(self, node: Any, arg: Any, ctx: TaskContext, alone: bool) -> tuple[Any, bool]:
        """What the node returns, and whether its error handler returned it instead (see `engine.handler`)."""
        try:
            return await self._call_node(node, arg, alone, ctx), False
        except ParentCommand as sent:  # a subgraph this node ran sent it a Command: as if returned here
            return sent.command, False
        except GraphInterrupt:
            raise
        except asyncio.CancelledError as cancelled:
            if not raised_by_the_call():
                raise
            error: Exception = NodeCancelledError(node.name)
            if node.error_handler is None:
                raise error from cancelled
        except Exception as raised:
            if node.error_handler is None:
                raise
            error = raised
        handler = node.error_handler
        try:
            return await run_attempts(
                handler.name, lambda: self._call(lambda a: handler.call(a, self.config, node.name, error),
                                                 handler.is_async, False, arg, alone),
                retry=handler.retry, timeout=handler.timeout, ctx=ctx, sleep=self.sleep, what="error handler"), True
        except Exception as failed:
            add_note(failed, f"while the error_handler of node `{node.name}` handled its error "
                             f"({type(error).__name__}: {error})")
            raise

    async def _call_node(self, node: Any, arg: Any, alone: bool, ctx: TaskContext) -> Any:
        """Call a node, each attempt within its TimeoutPolicy, again as its RetryPolicy says."""
        if not node.retry and node.timeout is None:
            return await self._call(node.fn, node.is_async, node.takes_config, arg, alone)
        tries = itertools.count(1)

        def again() -> Any:
            attempt = current_task()  # (a timed attempt runs in a copy of the task's context)
            attempt.attempt, attempt.runtime = next(tries), None  # its Runtime's execution_info tells tries apart
            return self._call(node.fn, node.is_async, node.takes_config, arg, alone)

        return await run_attempts(node.name, again, retry=node.retry, timeout=node.timeout, ctx=ctx, sleep=self.sleep)

    async def _call(self, fn: Callable, is_async: bool, takes_config: bool, arg: Any, alone: bool) -> Any:
        args = (arg, self.config) if takes_config else (arg,)
        if is_async:
            return await fn(*args)
        if alone and self.inline_sync:
            result = fn(*args)
        else:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(self.executor, contextvars.copy_context().run, fn, *args)
        if isinstance(result, CoroutineType):  # a sync callable returned a coroutine
            result = await result
        return result


def _cancelled(node: Any, cancelled: asyncio.CancelledError) -> BaseException:
    """What a node's call raising `cancelled` becomes: a NodeCancelledError when its own code raised it
    (see `raised_by_the_call`), else `cancelled` itself (this asyncio task was asked to stop)."""
    if not raised_by_the_call():
        return cancelled
    error = NodeCancelledError(node.name)
    error.__cause__ = cancelled
    return error
