"""Calling a node or a `@task` again as its `RetryPolicy` says: one schedule (`policy.waits()`), the same
note on the error that ends it. The async form serves nodes and async tasks; sync tasks run in a worker
thread, where waiting means `time.sleep`, hence the second form."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from wfkit.errors import add_note
from wfkit.types import RetryPolicy


def _gave_up(error: BaseException, policy: RetryPolicy, culprit: str) -> None:
    add_note(error, f"{culprit} failed {policy.max_attempts} times (RetryPolicy max_attempts={policy.max_attempts})")


async def retrying(policy: RetryPolicy, call: Callable[[], Awaitable[Any]], culprit: str) -> Any:
    """`await call()`, again after each wait while it raises one of `policy.retry_on`; `culprit` names what
    is called (``node `x` ``) in the note added to the last error."""
    for wait in [*policy.waits(), None]:
        try:
            return await call()
        except policy.retryable() as error:
            if wait is None:
                _gave_up(error, policy, culprit)
                raise
            await asyncio.sleep(wait)


def retrying_sync(policy: RetryPolicy, call: Callable[[], Any], culprit: str) -> Any:
    """`retrying` for a sync call in a worker thread."""
    for wait in [*policy.waits(), None]:
        try:
            return call()
        except policy.retryable() as error:
            if wait is None:
                _gave_up(error, policy, culprit)
                raise
            time.sleep(wait)
