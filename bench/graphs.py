"""Each workload written once against the LangGraph API, so that it runs on wfkit and on LangGraph alike.

A builder takes a `Lib` (see `libs`) and returns `make`: `make()` does the untimed set-up (build and
compile the graph, create a checkpointer) and returns the zero-argument callable that is timed. The state
schemas, node functions and the 100-byte chunks are shared with the plain-Python twins in `plain`.
"""

from __future__ import annotations

import asyncio
import operator
import random
import string
import time
from typing import Annotated, Any, TypedDict

from bench.libs import Lib

BIG = {"recursion_limit": 100_000}  # every workload runs more supersteps than the default limit of 25
CHUNK = 100  # bytes (ASCII characters) appended to the growing list per superstep
SLEEP = 0.1


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


_NOISE = ["".join(random.Random(i).choices(string.ascii_letters + string.digits + " ", k=CHUNK - 8))
          for i in range(1024)]


def chunk(step: int) -> str:
    """A fresh 100-byte string per superstep: distinct (no implementation can share them) and about as
    compressible as text (so a store that compresses gains what it would on real messages, no more)."""
    return f"{step:08d}{_NOISE[step % 1024]}"


# -- chain ------------------------------------------------------------------------------------------
def chain_builder(lib: Lib, n: int):
    g = lib.StateGraph(Counter)
    names = [f"n{i}" for i in range(n)]
    for name in names:
        g.add_node(name, inc)
    g.add_edge(lib.START, names[0])
    for a, b in zip(names, names[1:]):
        g.add_edge(a, b)
    g.add_edge(names[-1], lib.END)
    return g


def chain(lib: Lib, n: int):
    def make():
        app = chain_builder(lib, n).compile()
        return lambda: app.invoke({"x": 0}, BIG)
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


# -- fan-out / fan-in -----------------------------------------------------------------------------------
def branch_node(i: int):
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
            g.add_node(f"b{i}", branch_node(i))
            g.add_edge(lib.START, f"b{i}")
            g.add_edge(f"b{i}", "collect")
        g.add_node("collect", collect)
        g.add_edge("collect", lib.END)
        app = g.compile()
        return lambda: app.invoke({"results": []}, BIG)
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


# -- slow nodes in one superstep ------------------------------------------------------------------------
def sleeper_node(i: int, use_async: bool):
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
            g.add_node(f"s{i}", sleeper_node(i, use_async))
            g.add_edge(lib.START, f"s{i}")
            g.add_edge(f"s{i}", lib.END)
        app = g.compile()
        if use_async:
            return lambda: asyncio.run(app.ainvoke({"done": []}))
        return lambda: app.invoke({"done": []})
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


# -- compiling ------------------------------------------------------------------------------------------
def compile_chain(lib: Lib, n: int):
    def make():
        return chain_builder(lib, n).compile  # a fresh builder per measurement; only compile() is timed
    return make
