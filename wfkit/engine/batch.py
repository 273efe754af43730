"""`batch` / `abatch`: many runs of one graph at once, each on its own thread, with bounded concurrency.

Each run is one coroutine on the caller's event loop (the runs wait for their nodes side by side); a
semaphore keeps at most `max_concurrency` of them going. The sync node calls go to wfkit's node threads, or
to the `executor` given (any `concurrent.futures.Executor`). Progress goes to a callable as `BatchProgress`
events, which a widget (or a plain text line) renders: the engine never draws anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from wfkit.constants import INTERRUPT_KEY
from wfkit.engine.events import BatchProgress


def batch_configs(inputs: list, config: dict | list | None) -> list:
    """One config per input: `config` repeated, or the list given (which must match the inputs)."""
    configs = list(config) if isinstance(config, (list, tuple)) else [config] * len(inputs)
    if len(configs) != len(inputs):
        raise ValueError(f"batch() got {len(inputs)} inputs but {len(configs)} configs; pass one config "
                         f"for all, or one per input")
    return configs


def concurrency(max_concurrency: Any, configs: list) -> int | None:
    """The runs allowed at once: `max_concurrency`, else LangGraph's place for it (the config's
    `max_concurrency`, read from the first config), else no limit."""
    if max_concurrency is None and configs and isinstance(configs[0], dict):
        max_concurrency = configs[0].get("max_concurrency")
    if max_concurrency is not None and (not isinstance(max_concurrency, int) or isinstance(max_concurrency, bool)
                                        or max_concurrency < 1):
        raise ValueError(f"batch(max_concurrency={max_concurrency!r}): give the number of runs allowed at once, "
                         f"an int >= 1 (or None: all at once)")
    return max_concurrency


async def run_batch(inputs: list, config: dict | list | None, *, return_exceptions: bool,
                    max_concurrency: int | None, executor: Any, on_progress: Callable | None,
                    run: Callable[[Any, dict | None], Awaitable[Any]]) -> list:
    configs = batch_configs(inputs, config)
    gate = asyncio.Semaphore(concurrency(max_concurrency, configs) or max(len(inputs), 1))
    if executor is not None:
        configs = [{**(c or {}), "executor": executor} for c in configs]
    total, ended = len(inputs), 0

    def report(event: BatchProgress) -> None:
        if on_progress is not None:
            on_progress(event)

    async def one(index: int, input: Any, cfg: dict | None) -> Any:
        nonlocal ended
        thread_id = ((cfg or {}).get("configurable") or {}).get("thread_id")
        try:
            async with gate:
                result = await run(input, cfg)
        except Exception as error:  # reported, and raised (or returned) once every run has ended
            ended += 1
            report(BatchProgress(ended, total, index, "error", thread_id, error))
            return error
        ended += 1
        status = "interrupted" if isinstance(result, dict) and result.get(INTERRUPT_KEY) else "done"
        report(BatchProgress(ended, total, index, status, thread_id))
        return result

    report(BatchProgress(0, total))
    results = await asyncio.gather(*(one(i, x, c) for i, (x, c) in enumerate(zip(inputs, configs))))
    failed = [r for r in results if isinstance(r, Exception)]
    if failed and not return_exceptions:
        raise failed[0]
    return list(results)
