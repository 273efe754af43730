"""The timed workloads: each one built the same way on wfkit and LangGraph, plus its plain-Python twin.

A workload maps implementation names to `make` functions. `make()` does the untimed set-up (build and
compile the graph, create a checkpointer) and returns the zero-argument callable that is timed. When a
workload is `fresh`, `make()` runs before every measurement (a new checkpointer each time, so history
from one repetition never weighs on the next); otherwise the callable is reused and may be called several
times per measurement. `answer` turns each result into a comparable value: before any timing, the run
checks that all implementations compute the same thing.
"""

from __future__ import annotations

import asyncio
import operator
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypedDict

from bench.libs import LANGGRAPH, PLAIN, WFKIT, Lib

BIG = {"recursion_limit": 100_000}  # every workload runs more supersteps than the default limit of 25
CHUNK = 100  # bytes (ASCII characters) appended to the growing list per superstep
SLEEP = 0.1


@dataclass
class Workload:
    key: str
    title: str
    impls: dict[str, Callable[[], Callable[[], Any]]]
    reps: int
    quick_reps: int
    fresh: bool = False
    answer: Callable[[Any], Any] = lambda result: result
    size: int = 0  # nodes, supersteps or items: what the per-unit overheads divide by
    plain_same: bool = True  # False: the plain baseline is a reference (one node alone), not the same work
    notes: dict[str, str] = field(default_factory=dict)


# -- state schemas (shared by both libraries: both read TypedDict + Annotated reducers) -----------------
class Counter(TypedDict):
    x: int


class Growing(TypedDict):
    log: Annotated[list, operator.add]


class Fan(TypedDict):
    results: Annotated[list, operator.add]
    total: int


class MapReduce(TypedDict):
    items: list
    results: Annotated[list, operator.add]
    total: int


class Sleepers(TypedDict):
    done: Annotated[list, operator.add]


def inc(state: Counter) -> dict:
    return {"x": state["x"] + 1}


def chunk(step: int) -> str:
    """A distinct 100-byte string per superstep (distinct, so no implementation can share them)."""
    return f"{step:08d}".ljust(CHUNK, "x")


# -- chain ------------------------------------------------------------------------------------------
def chain_graph(lib: Lib, n: int, checkpointer: Any = None):
    g = lib.StateGraph(Counter)
    names = [f"n{i}" for i in range(n)]
    for name in names:
        g.add_node(name, inc)
    g.add_edge(lib.START, names[0])
    for a, b in zip(names, names[1:]):
        g.add_edge(a, b)
    g.add_edge(names[-1], lib.END)
    return g.compile(checkpointer=checkpointer)


def chain(lib: Lib, n: int):
    def make():
        app = chain_graph(lib, n)
        return lambda: app.invoke({"x": 0}, BIG)
    return make


def chain_plain(n: int):
    fns = [inc] * n

    def make():
        def run():
            state = {"x": 0}
            for fn in fns:
                state = {**state, **fn(state)}
            return state
        return run
    return make


# -- two-node loop ------------------------------------------------------------------------------------
def loop_graph(lib: Lib, steps: int, growing: bool, checkpointer: Any = None):
    if growing:
        def a(state: Growing) -> dict:
            return {"log": [chunk(len(state["log"]))]}

        def again(state: Growing) -> str:
            return "a" if len(state["log"]) < steps else lib.END
        g = lib.StateGraph(Growing)
    else:
        a = inc

        def again(state: Counter) -> str:
            return "a" if state["x"] < steps else lib.END
        g = lib.StateGraph(Counter)
    g.add_node("a", a)
    g.add_node("b", a)
    g.add_edge(lib.START, "a")
    g.add_edge("a", "b")
    g.add_conditional_edges("b", again, ["a", lib.END])
    return g.compile(checkpointer=checkpointer)


def loop(lib: Lib, steps: int, saver: bool, growing: bool):
    start = {"log": []} if growing else {"x": 0}
    config = dict(BIG, configurable={"thread_id": "bench"})

    def make():
        app = loop_graph(lib, steps, growing, lib.InMemorySaver() if saver else None)
        return lambda: app.invoke(start, config)
    return make


def loop_plain(steps: int, growing: bool):
    def make():
        if growing:
            def run():
                state = {"log": []}
                while True:
                    for _ in "ab":
                        state = {**state, "log": operator.add(state["log"], [chunk(len(state["log"]))])}
                    if len(state["log"]) >= steps:
                        return state
        else:
            def run():
                state = {"x": 0}
                while True:
                    state = {**state, **inc(state)}
                    state = {**state, **inc(state)}
                    if state["x"] >= steps:
                        return state
        return run
    return make


# -- fan-out / fan-in -----------------------------------------------------------------------------------
def _branch(i: int):
    def branch(state: Fan) -> dict:
        return {"results": [i]}
    branch.__name__ = f"b{i}"
    return branch


def collect(state: Fan) -> dict:
    return {"total": sum(state["results"])}


def fanout(lib: Lib, n: int):
    def make():
        g = lib.StateGraph(Fan)
        for i in range(n):
            g.add_node(f"b{i}", _branch(i))
            g.add_edge(lib.START, f"b{i}")
            g.add_edge(f"b{i}", "collect")
        g.add_node("collect", collect)
        g.add_edge("collect", lib.END)
        app = g.compile()
        return lambda: app.invoke({"results": []}, BIG)
    return make


def fanout_plain(n: int):
    branches = [_branch(i) for i in range(n)]

    def make():
        def run():
            state = {"results": []}
            writes = [fn(state) for fn in branches]
            for w in writes:
                state = {**state, "results": operator.add(state["results"], w["results"])}
            return {**state, **collect(state)}
        return run
    return make


# -- Send map-reduce --------------------------------------------------------------------------------
def work(arg: dict) -> dict:
    return {"results": [arg["item"] * 2]}


def reduce_(state: MapReduce) -> dict:
    return {"total": sum(state["results"])}


def mapreduce(lib: Lib, n: int):
    def fan(state: MapReduce) -> list:
        return [lib.Send("work", {"item": i}) for i in state["items"]]

    def make():
        g = lib.StateGraph(MapReduce)
        g.add_node("work", work)
        g.add_node("reduce", reduce_)
        g.add_conditional_edges(lib.START, fan, ["work"])
        g.add_edge("work", "reduce")
        g.add_edge("reduce", lib.END)
        app = g.compile()
        items = list(range(n))
        return lambda: app.invoke({"items": items, "results": []}, BIG)
    return make


def mapreduce_plain(n: int):
    def make():
        items = list(range(n))

        def run():
            state = {"items": items, "results": []}
            for w in [work({"item": i}) for i in state["items"]]:
                state = {**state, "results": operator.add(state["results"], w["results"])}
            return {**state, **reduce_(state)}
        return run
    return make


# -- agent loop -----------------------------------------------------------------------------------------
def agent(lib: Lib, length: int):
    def model(state):
        n = len(state["messages"])
        call = {"name": "lookup", "args": {"q": n}, "id": f"call_{n}"}
        return {"messages": [lib.AIMessage(content="", tool_calls=[call])]}

    def tools(state):
        call = state["messages"][-1].tool_calls[0]
        return {"messages": [lib.ToolMessage(content=f"result {call['args']['q']}", tool_call_id=call["id"])]}

    def route(state):
        return "tools" if len(state["messages"]) < length else lib.END

    def make():
        g = lib.StateGraph(lib.MessagesState)
        g.add_node("model", model)
        g.add_node("tools", tools)
        g.add_edge(lib.START, "model")
        g.add_conditional_edges("model", route, ["tools", lib.END])
        g.add_edge("tools", "model")
        app = g.compile()
        return lambda: app.invoke({"messages": [lib.HumanMessage(content="go")]}, BIG)
    return make


def agent_plain(length: int):
    def make():
        def run():
            messages = [{"role": "user", "content": "go"}]
            while True:
                n = len(messages)
                messages = messages + [{"role": "assistant", "content": "", "tool_calls": [
                    {"name": "lookup", "args": {"q": n}, "id": f"call_{n}"}]}]
                if len(messages) >= length:
                    return {"messages": messages}
                call = messages[-1]["tool_calls"][0]
                messages = messages + [{"role": "tool", "content": f"result {call['args']['q']}",
                                        "tool_call_id": call["id"]}]
        return run
    return make


# -- slow nodes in one superstep ------------------------------------------------------------------------
def _sleeper(i: int, use_async: bool):
    if use_async:
        async def node(state: Sleepers) -> dict:
            await asyncio.sleep(SLEEP)
            return {"done": [i]}
    else:
        def node(state: Sleepers) -> dict:
            time.sleep(SLEEP)
            return {"done": [i]}
    node.__name__ = f"s{i}"
    return node


def sleepers(lib: Lib, n: int, use_async: bool):
    def make():
        g = lib.StateGraph(Sleepers)
        for i in range(n):
            g.add_node(f"s{i}", _sleeper(i, use_async))
            g.add_edge(lib.START, f"s{i}")
            g.add_edge(f"s{i}", lib.END)
        app = g.compile()
        if use_async:
            return lambda: asyncio.run(app.ainvoke({"done": []}))
        return lambda: app.invoke({"done": []})
    return make


def one_sleeper(use_async: bool):
    def make():
        node = _sleeper(0, use_async)
        if use_async:
            return lambda: asyncio.run(node({"done": []}))
        return lambda: node({"done": []})
    return make


# -- the functional API ---------------------------------------------------------------------------------
def tasks(lib: Lib, n: int):
    @lib.task
    def double(i: int) -> int:
        return i * 2

    @lib.entrypoint()
    def flow(count: int) -> int:
        futures = [double(i) for i in range(count)]
        return sum(f.result() for f in futures)

    def make():
        return lambda: flow.invoke(n)
    return make


def tasks_plain(n: int):
    def double(i: int) -> int:
        return i * 2

    def make():
        return lambda: sum(double(i) for i in range(n))
    return make


# -- compiling ------------------------------------------------------------------------------------------
def compile_chain(lib: Lib, n: int):
    def make():
        g = lib.StateGraph(Counter)
        names = [f"n{i}" for i in range(n)]
        for name in names:
            g.add_node(name, inc)
        g.add_edge(lib.START, names[0])
        for a, b in zip(names, names[1:]):
            g.add_edge(a, b)
        g.add_edge(names[-1], lib.END)
        return g.compile
    return make


# -- the list --------------------------------------------------------------------------------------------
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
    out = [
        Workload("chain10", "chain of 10 nodes", each(lambda l: chain(l, 10), chain_plain(10)),
                 reps=41, quick_reps=5, answer=x, size=10),
        Workload("chain100", "chain of 100 nodes", each(lambda l: chain(l, 100), chain_plain(100)),
                 reps=31, quick_reps=3, answer=x, size=100),
        Workload("loop1000", "two-node loop, 1000 supersteps",
                 each(lambda l: loop(l, 1000, False, False), loop_plain(1000, False)),
                 reps=11, quick_reps=2, answer=x, size=1000),
        Workload("loop1000_saver", "  … with InMemorySaver",
                 each(lambda l: loop(l, 1000, True, False), loop_plain(1000, False)),
                 reps=7, quick_reps=1, fresh=True, answer=x, size=1000),
        Workload("loop1000_growing", "  … with InMemorySaver, +100 B/step",
                 each(lambda l: loop(l, 1000, True, True), loop_plain(1000, True)),
                 reps=5, quick_reps=1, fresh=True, answer=size_of_log, size=1000),
        Workload("fanout10", "fan-out 10 → operator.add fan-in", each(lambda l: fanout(l, 10), fanout_plain(10)),
                 reps=31, quick_reps=3, answer=total, size=10),
        Workload("fanout100", "fan-out 100 → operator.add fan-in", each(lambda l: fanout(l, 100), fanout_plain(100)),
                 reps=15, quick_reps=2, answer=total, size=100),
        Workload("send100", "Send map-reduce, 100 items", each(lambda l: mapreduce(l, 100), mapreduce_plain(100)),
                 reps=15, quick_reps=2, answer=total, size=100),
        Workload("send1000", "Send map-reduce, 1000 items", each(lambda l: mapreduce(l, 1000), mapreduce_plain(1000)),
                 reps=7, quick_reps=1, answer=total, size=1000),
        Workload("agent200", "agent loop to 200 messages", each(lambda l: agent(l, 200), agent_plain(200)),
                 reps=9, quick_reps=1, answer=lambda r: len(r["messages"]), size=199),
        Workload("tasks100", "100 @task futures", each(lambda l: tasks(l, 100), tasks_plain(100)),
                 reps=15, quick_reps=2, size=100),
        Workload("sleep_sync", "8 sync nodes × sleep 0.1 s, one superstep",
                 each(lambda l: sleepers(l, 8, False), one_sleeper(False)),
                 reps=5, quick_reps=1, answer=lambda r: sorted(r["done"]), plain_same=False,
                 notes={PLAIN: "one node alone"}),
        Workload("sleep_async", "8 async nodes × sleep 0.1 s, one superstep",
                 each(lambda l: sleepers(l, 8, True), one_sleeper(True)),
                 reps=5, quick_reps=1, answer=lambda r: sorted(r["done"]), plain_same=False,
                 notes={PLAIN: "one node alone"}),
        Workload("compile100", "compile a 100-node graph", each(lambda l: compile_chain(l, 100), None),
                 reps=21, quick_reps=2, fresh=True, answer=lambda app: "compiled"),
    ]
    return out


__all__ = ["Workload", "workloads", "WFKIT", "LANGGRAPH", "PLAIN", "loop_graph", "chain_graph", "chunk", "BIG"]
