"""Fault tolerance for one node or `@task` call: its attempts, as its `RetryPolicy` and `TimeoutPolicy` say.

One async path serves every call (a sync function runs in a worker thread the caller awaits, so its
timeout holds too: past it the thread is left to finish in the background and what it returns or streams
is dropped). An attempt that times out raises `NodeTimeoutError`; one whose own code raises
`asyncio.CancelledError` raises `NodeCancelledError`; both then go through the retry policies like any
other error. Interrupts and `Command.PARENT` are control flow and are never retried.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from wfkit.engine.context import reset_current, set_current
from wfkit.errors import GraphInterrupt, NodeCancelledError, NodeTimeoutError, ParentCommand, add_note
from wfkit.types import RetryPolicy, TimeoutPolicy


def policies_of(retry_policy: RetryPolicy | Sequence[RetryPolicy] | None) -> tuple[RetryPolicy, ...]:
    """`retry_policy=` as a tuple: one policy, several (the first that matches an error applies), or none."""
    if retry_policy is None:
        return ()
    if isinstance(retry_policy, RetryPolicy):
        return (retry_policy,)
    return tuple(retry_policy)


async def sleep_async(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def sleep_in_thread(seconds: float) -> None:
    """The wait of a run started by a sync call (`invoke`, `stream`): `time.sleep`, as LangGraph's sync runner
    does, in a worker thread so that the event loop goes on serving the superstep's other tasks."""
    await asyncio.get_running_loop().run_in_executor(None, time.sleep, seconds)


async def run_attempts(name: str, call: Callable[[], Awaitable[Any]], *, retry: tuple[RetryPolicy, ...] = (),
                       timeout: TimeoutPolicy | None = None, ctx: Any = None,
                       sleep: Callable[[float], Awaitable[None]] = sleep_async, what: str = "node") -> Any:
    """`await call()`, each attempt within `timeout`, again after a wait while an error matches one of `retry`.
    `ctx` (the TaskContext the call runs in) is what an idle timeout watches for progress; `what` and `name`
    name the call in the note on the error that ends the retries (``node `x` failed 3 times ...``)."""
    failures = 0
    while True:
        try:
            if timeout is None:
                return await call()
            return await _timed(name, call, timeout, ctx)
        except (GraphInterrupt, ParentCommand):
            raise
        except asyncio.CancelledError as cancelled:
            if not raised_by_the_call():
                raise
            error: Exception = NodeCancelledError(name)
            error.__cause__ = cancelled
        except Exception as raised:
            error = raised
        policy = next((p for p in retry if p.matches(error)), None)
        if policy is None:
            raise error
        failures += 1
        if failures >= policy.max_attempts:
            add_note(error, f"{what} `{name}` failed {failures} times (RetryPolicy max_attempts={policy.max_attempts})")
            raise error
        await sleep(policy.wait(failures))


def raised_by_the_call() -> bool:
    """Whether the `CancelledError` being handled came from the call's own code: then nobody asked this
    asyncio task to stop (`cancelling()` is 0), as when the engine stops the tasks of a failed superstep."""
    current = asyncio.current_task()
    return current is not None and current.cancelling() == 0


class _Attempt:
    """One timed attempt's view of its task's progress: what it emits (stream writes, message chunks, a
    subgraph's events) counts as progress for an idle timeout, and after the timeout it emits nothing."""

    __slots__ = ("emit", "last", "open", "counts")

    def __init__(self, emit: Callable[[Any], None], counts: bool):
        self.emit, self.last, self.open, self.counts = emit, time.monotonic(), True, counts

    def beat(self) -> None:
        """`runtime.heartbeat()`: progress, whatever `refresh_on` says."""
        if self.open:
            self.last = time.monotonic()

    def guarded(self, event: Any) -> None:
        if self.open:
            if self.counts:
                self.last = time.monotonic()
            self.emit(event)


async def _timed(name: str, call: Callable[[], Awaitable[Any]], timeout: TimeoutPolicy, ctx: Any) -> Any:
    run, idle = timeout.run_timeout, timeout.idle_timeout
    attempt = _Attempt(ctx.emit if ctx is not None else (lambda event: None), timeout.refresh_on == "auto")
    # The attempt runs in a context of its own, so that what it does after its timeout (a worker thread
    # cannot be stopped) reaches nobody: its emits are dropped and the functional API stores no result for it.
    own = ctx.copy(emit=attempt.guarded, beat=attempt.beat, runtime=None) if ctx is not None else None
    token = set_current(own) if own is not None else None
    try:
        job = asyncio.ensure_future(call())  # a task copies the current context: it runs in `own`
    finally:
        if token is not None:
            reset_current(token)
    start = time.monotonic()
    try:
        while True:
            limits = []
            if run is not None:
                limits.append((start + run, "run"))
            if idle is not None:
                limits.append((attempt.last + idle, "idle"))
            deadline, kind = min(limits)
            left = deadline - time.monotonic()
            if left > 0:
                done, _ = await asyncio.wait({job}, timeout=left)
                if done:
                    return job.result()
                continue
            raise NodeTimeoutError(name, time.monotonic() - start, kind=kind, idle_timeout=idle, run_timeout=run)
    finally:
        if not job.done():
            attempt.open = False
            if own is not None:
                own.closed = True
            job.cancel()  # a coroutine stops here; a worker thread ends on its own and its result is dropped
            job.add_done_callback(_retrieve)


def _retrieve(job: asyncio.Future) -> None:
    if not job.cancelled():
        job.exception()  # read, so that asyncio does not log it as never retrieved
