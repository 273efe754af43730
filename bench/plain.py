"""The plain-Python twins of the workloads: the same node functions called straight, the state merged by
hand (`{**state, **update}`, `operator.add` for the reducer keys), in loops instead of supersteps."""

from __future__ import annotations

import asyncio
import operator

from bench.graphs import branch_node, chunk, collect, inc, reduce_, sleeper_node, work


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


def fanout_plain(n: int):
    branches = [branch_node(i) for i in range(n)]

    def make():
        def run():
            state = {"results": []}
            writes = [fn(state) for fn in branches]
            for w in writes:
                state = {**state, "results": operator.add(state["results"], w["results"])}
            return {**state, **collect(state)}
        return run
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


def one_sleeper(use_async: bool):
    def make():
        node = sleeper_node(0, use_async)
        if use_async:
            return lambda: asyncio.run(node({"done": []}))
        return lambda: node({"done": []})
    return make


def tasks_plain(n: int):
    def double(i: int) -> int:
        return i * 2

    def make():
        return lambda: sum(double(i) for i in range(n))
    return make
