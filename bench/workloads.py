"""The list of timed workloads: for each, its implementations (wfkit, LangGraph, plain Python), how many
repetitions, and how to check that they all computed the same thing.

Each implementation is a `make` function (see `graphs` and `plain`). When a workload is `fresh`, `make()`
runs before every measurement (a new checkpointer each time, so history from one repetition never weighs
on the next); otherwise its callable is reused. `answer` turns each result into a comparable value: before
any number is printed, the run checks that all implementations agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.graphs import agent, chain, compile_chain, fanout, loop, mapreduce, sleepers, tasks
from bench.libs import PLAIN, Lib
from bench.plain import (agent_plain, chain_plain, fanout_plain, loop_plain, mapreduce_plain, one_sleeper,
                         tasks_plain)


@dataclass
class Workload:
    key: str
    title: str
    impls: dict[str, Callable[[], Callable[[], Any]]]
    reps: int
    quick_reps: int
    fresh: bool = False
    answer: Callable[[Any], Any] = lambda result: result
    plain_same: bool = True  # False: the plain baseline is a reference (one node alone), not the same work
    notes: dict[str, str] = field(default_factory=dict)


def workloads(libs: dict[str, Lib]) -> list[Workload]:
    """Every timed workload, with repetitions sized so the full run stays within a few minutes."""

    def each(build: Callable[[Lib], Callable], plain: Callable | None) -> dict:
        impls = {name: build(lib) for name, lib in libs.items()}
        if plain is not None:
            impls[PLAIN] = plain
        return impls

    x = lambda r: r["x"]  # noqa: E731
    total = lambda r: r["total"]  # noqa: E731
    size_of_log = lambda r: (len(r["log"]), r["log"][-1])  # noqa: E731
    return [
        Workload("chain10", "chain of 10 nodes", each(lambda l: chain(l, 10), chain_plain(10)),
                 reps=61, quick_reps=5, answer=x),
        Workload("chain100", "chain of 100 nodes", each(lambda l: chain(l, 100), chain_plain(100)),
                 reps=41, quick_reps=3, answer=x),
        Workload("loop1000", "two-node loop, 1000 supersteps",
                 each(lambda l: loop(l, 1000, False, False), loop_plain(1000, False)),
                 reps=21, quick_reps=2, answer=x),
        Workload("loop1000_saver", "  … with InMemorySaver",
                 each(lambda l: loop(l, 1000, True, False), loop_plain(1000, False)),
                 reps=15, quick_reps=1, fresh=True, answer=x),
        Workload("loop1000_growing", "  … with InMemorySaver, +100 B/step",
                 each(lambda l: loop(l, 1000, True, True), loop_plain(1000, True)),
                 reps=11, quick_reps=1, fresh=True, answer=size_of_log),
        Workload("fanout10", "fan-out 10 → operator.add fan-in", each(lambda l: fanout(l, 10), fanout_plain(10)),
                 reps=61, quick_reps=3, answer=total),
        Workload("fanout100", "fan-out 100 → operator.add fan-in", each(lambda l: fanout(l, 100), fanout_plain(100)),
                 reps=31, quick_reps=2, answer=total),
        Workload("send100", "Send map-reduce, 100 items", each(lambda l: mapreduce(l, 100), mapreduce_plain(100)),
                 reps=31, quick_reps=2, answer=total),
        Workload("send1000", "Send map-reduce, 1000 items", each(lambda l: mapreduce(l, 1000), mapreduce_plain(1000)),
                 reps=15, quick_reps=1, answer=total),
        Workload("agent200", "agent loop to 200 messages", each(lambda l: agent(l, 200), agent_plain(200)),
                 reps=21, quick_reps=1, answer=lambda r: len(r["messages"])),
        Workload("tasks100", "100 @task futures", each(lambda l: tasks(l, 100), tasks_plain(100)),
                 reps=41, quick_reps=2),
        Workload("sleep_sync", "8 sync nodes × sleep 0.1 s, one superstep",
                 each(lambda l: sleepers(l, 8, False), one_sleeper(False)),
                 reps=7, quick_reps=1, answer=lambda r: sorted(r["done"]), plain_same=False,
                 notes={PLAIN: "one node alone"}),
        Workload("sleep_async", "8 async nodes × sleep 0.1 s, one superstep",
                 each(lambda l: sleepers(l, 8, True), one_sleeper(True)),
                 reps=7, quick_reps=1, answer=lambda r: sorted(r["done"]), plain_same=False,
                 notes={PLAIN: "one node alone"}),
        Workload("compile100", "compile a 100-node graph", each(lambda l: compile_chain(l, 100), None),
                 reps=41, quick_reps=2, fresh=True, answer=lambda app: "compiled"),
    ]
