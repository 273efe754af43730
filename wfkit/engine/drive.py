"""Driving a loop to the end (or a pause), and turning it into an async stream of chunks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from wfkit.engine.loop import Loop

_DONE = object()


async def run_to_pause(loop: Loop) -> None:
    """Tick until the run is done or paused (an interrupt or a breakpoint)."""
    while loop.status not in ("done", "interrupted"):
        await loop.tick()


async def stream_loop(make_loop: Callable[[list], Loop], listener_for: Callable[[Callable], Callable]) -> AsyncIterator[Any]:
    """Run a loop in the background of this event loop and yield what its listener `put`s, in order.

    `listener_for(put)` builds the loop listener; `put(item)` may be called from worker threads.
    """
    queue: asyncio.Queue = asyncio.Queue()
    aloop = asyncio.get_running_loop()

    def put(item: Any) -> None:
        # Always through the loop's callback queue, even from its own thread: chunks from worker threads
        # were scheduled the same way, so the order they happened in is the order they are yielded.
        aloop.call_soon_threadsafe(queue.put_nowait, item)

    loop = make_loop([listener_for(put)])

    async def drive() -> None:
        try:
            await run_to_pause(loop)
        finally:
            aloop.call_soon_threadsafe(queue.put_nowait, _DONE)

    task = asyncio.ensure_future(drive())
    try:
        while True:
            item = await queue.get()
            if item is _DONE:
                break
            yield item
        await task
    finally:
        if not task.done():
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
