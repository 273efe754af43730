"""Run a coroutine to completion from synchronous code, also inside Jupyter's already running event loop.

wfkit writes every run once, as a coroutine; `invoke`, `stream` and friends are thin wrappers over this.
With no loop running in this thread we drive the coroutine on a loop kept per thread (cheap to reuse).
With a loop already running (a notebook cell), we cannot block it re-entrantly, so the coroutine runs on
a private loop in a helper thread while this thread waits for the result.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
_local = threading.local()
_helper = concurrent.futures.ThreadPoolExecutor(max_workers=64, thread_name_prefix="wfkit-sync")


def _thread_loop() -> asyncio.AbstractEventLoop:
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = _local.loop = asyncio.new_event_loop()
        _loops.append(loop)
    return loop


_loops: list[asyncio.AbstractEventLoop] = []


@atexit.register
def _close_loops() -> None:
    for loop in _loops:
        if not loop.is_running() and not loop.is_closed():
            loop.close()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to completion and return its result, whether or not an event loop is running here."""
    if not _loop_running():
        return _thread_loop().run_until_complete(coro)
    return _helper.submit(lambda: _thread_loop().run_until_complete(coro)).result()


def iter_sync(agen: AsyncIterator[T]) -> Iterator[T]:
    """Iterate an async iterator from synchronous code, one item at a time (lazily, like a generator)."""
    if not _loop_running():
        yield from _iter_here(agen)
        return
    # A loop runs in this thread: pump the iterator on one dedicated helper thread (an async generator
    # must stay on the loop it started on), one item per request.
    # The pump's loop is its own and is closed with it, so a stream leaves no loop (and no file
    # descriptors) behind however many times a notebook streams.
    pump = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="wfkit-stream")
    loop = asyncio.new_event_loop()
    try:
        while True:
            try:
                yield pump.submit(loop.run_until_complete, agen.__anext__()).result()
            except StopAsyncIteration:
                return
    finally:
        pump.submit(_finish, loop, agen).result()
        pump.shutdown(wait=False)


def _finish(loop: asyncio.AbstractEventLoop, agen: AsyncIterator[Any]) -> None:
    try:
        loop.run_until_complete(_aclose(agen))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()


def _iter_here(agen: AsyncIterator[T]) -> Iterator[T]:
    loop = _thread_loop()
    try:
        while True:
            try:
                yield loop.run_until_complete(agen.__anext__())
            except StopAsyncIteration:
                return
    finally:
        loop.run_until_complete(_aclose(agen))


async def _aclose(agen: AsyncIterator[Any]) -> None:
    close = getattr(agen, "aclose", None)
    if close is not None:
        await close()
