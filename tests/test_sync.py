"""The sync wrappers over the one async path: results, laziness, and no leaked loops, also under a running loop."""

import asyncio
import os
import threading

import pytest

from wfkit._sync import iter_sync, run_sync


async def numbers(n, log):
    try:
        for i in range(n):
            await asyncio.sleep(0)
            log.append(i)
            yield i
    finally:
        log.append("closed")


def open_fds():
    return len(os.listdir("/proc/self/fd"))


def test_run_sync_returns_and_raises_with_or_without_a_running_loop():
    async def double(x):
        await asyncio.sleep(0)
        return 2 * x

    async def fail():
        raise KeyError("boom")

    async def cell():
        with pytest.raises(KeyError, match="boom"):
            run_sync(fail())
        return run_sync(double(21))

    assert run_sync(double(4)) == 8
    assert asyncio.run(cell()) == 42


@pytest.mark.parametrize("inside_a_loop", [False, True], ids=["plain", "notebook-cell"])
def test_iter_sync_is_lazy_and_closes_the_iterator_when_left_early(inside_a_loop):
    log = []

    def consume():
        seen = []
        for item in iter_sync(numbers(10, log)):
            seen.append(item)
            if item == 2:
                break
        return seen

    async def cell():
        return consume()

    seen = asyncio.run(cell()) if inside_a_loop else consume()
    assert seen == [0, 1, 2]
    assert log == [0, 1, 2, "closed"]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts file descriptors through /proc")
def test_streams_inside_a_running_loop_leave_no_loops_or_descriptors_behind():
    async def cell():
        return [list(iter_sync(numbers(3, []))) for _ in range(30)]

    asyncio.run(cell())  # warm up the helper threads and their loops
    before, threads = open_fds(), threading.active_count()
    assert asyncio.run(cell()) == [[0, 1, 2]] * 30
    assert open_fds() - before <= 2  # 30 streams used to leave 30 loops, three descriptors each
    assert threading.active_count() - threads <= 1
