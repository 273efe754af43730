"""Running the widgets' work without blocking the kernel.

In Jupyter a button's click handler (and a cell) runs on the kernel's event loop. A superstep awaited there
as an asyncio task leaves the loop free between awaits, so the kernel keeps handling widget messages (other
clicks, trait updates) while slow nodes run. Outside a running loop (a plain script, a unit test) the same
coroutine simply runs to completion on the spot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from wfkit._sync import run_sync

_tasks: set[asyncio.Task] = set()  # strong references: the loop keeps only weak ones to running tasks


def running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def launch(coro: Coroutine) -> Any:
    """Schedule `coro` on the running loop and return its `asyncio.Task`; with no loop running in this
    thread, run it now and return its result."""
    loop = running_loop()
    if loop is None:
        return run_sync(coro)
    task = loop.create_task(coro)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return task
