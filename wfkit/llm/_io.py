"""One background event loop that owns every network client wfkit opens (today: Anthropic's SDK clients).

An async HTTP client and its pooled connections belong to the event loop that opened them. wfkit's
callers come from many loops: Jupyter's, the per-thread loops of `run_sync`, a stream's helper loop. Keeping
a client per calling loop leaked connections whenever one of those loops went away before the client. So
every request runs here, on one long-lived loop in a daemon thread, and callers await it from wherever
they are: one client per model, connections reused across calls, and closing a client is always possible
(from any thread, also from a garbage-collection finalizer). Cancelling the caller cancels the request.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import AsyncIterator, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_DONE = object()


def io_loop() -> asyncio.AbstractEventLoop:
    """The I/O loop, started on first use."""
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="wfkit-io", daemon=True).start()
            _loop = loop
        return _loop


async def on_io(coro: Coroutine[Any, Any, T]) -> T:
    """Await `coro` on the I/O loop, from any loop."""
    loop = io_loop()
    if asyncio.get_running_loop() is loop:
        return await coro
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))


async def _next(agen: AsyncIterator[T]) -> Any:
    # StopAsyncIteration is turned into a sentinel rather than carried through two futures.
    try:
        return await agen.__anext__()
    except StopAsyncIteration:
        return _DONE


async def iterate_on_io(agen: AsyncIterator[T]) -> AsyncIterator[T]:
    """Iterate an async generator that runs on the I/O loop; closing this one closes it there."""
    try:
        while True:
            item = await on_io(_next(agen))
            if item is _DONE:
                return
            yield item
    finally:
        close = getattr(agen, "aclose", None)
        if close is not None:
            await on_io(close())


def submit(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T] | None:
    """Schedule `coro` on the I/O loop from any thread without waiting; None if that loop is gone."""
    loop = _loop
    if loop is None or loop.is_closed():
        coro.close()
        return None
    return asyncio.run_coroutine_threadsafe(coro, loop)


__all__ = ["io_loop", "iterate_on_io", "on_io", "submit"]
