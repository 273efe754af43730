"""Driving a loop to the end (or a pause), and turning it into an async stream of chunks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from wfkit.engine.loop import Loop

_DONE = object()
_READY = object()


async def run_to_pause(loop: Loop) -> None:
    """Tick until the run is done or paused (an interrupt or a breakpoint)."""
    while loop.status not in ("done", "interrupted"):
        await loop.tick()


async def stream_loop(make_loop: Callable[[list], Loop], listener_for: Callable[[Callable], Callable]) -> AsyncIterator[Any]:
    """Yield what the loop's listener `put`s, in order, driving the loop only as far as the consumer pulls.

    Pull-driven, as LangGraph's streams are: a superstep starts only when the consumer asks for a chunk and
    none is left; while it runs, its chunks are yielded as they come (its tasks go on meanwhile). A consumer
    that stops (break, close) stops the run there: the superstep in flight is cancelled, nothing after it
    runs. `listener_for(put)` builds the loop listener; `put(item)` may be called from worker threads.
    """
    queue: asyncio.Queue = asyncio.Queue()
    aloop = asyncio.get_running_loop()

    def put(item: Any) -> None:
        # Always through the loop's callback queue, even from its own thread: chunks from worker threads
        # were scheduled the same way, so the order they happened in is the order they are yielded.
        aloop.call_soon_threadsafe(queue.put_nowait, item)

    loop = make_loop([listener_for(put)])
    failed: list[BaseException] = []

    async def superstep() -> None:
        try:
            await loop.tick()
        except Exception as error:  # raised to the consumer after the chunks put before it
            failed.append(error)
        finally:
            aloop.call_soon_threadsafe(queue.put_nowait, _DONE)

    running: asyncio.Future | None = None
    try:
        while True:
            if running is None:
                if loop.status in ("done", "interrupted"):
                    put(_DONE)  # after anything still on its way (put before it, from any thread)
                    while (item := await queue.get()) is not _DONE:
                        yield item
                    return
                # what was put since the last superstep (a continued run's first "values") goes to the
                # consumer first: the next superstep starts only when it asks for more, as in LangGraph
                put(_READY)
                while (item := await queue.get()) is not _READY:
                    yield item
                running = asyncio.ensure_future(superstep())
            item = await queue.get()
            if item is _DONE:
                running = None
                if failed:
                    raise failed[0]
                continue
            yield item
    finally:
        if running is not None and not running.done():
            running.cancel()
            try:
                await running
            except (asyncio.CancelledError, Exception):
                pass
