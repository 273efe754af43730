"""Measurements that are not one timed call per implementation: checkpointer memory and history listing,
cold imports, drawing a 30-node graph, and one Debugger step (wfkit only, for the last two)."""

from __future__ import annotations

import importlib.util
import statistics
from time import perf_counter
from typing import Any

from bench.libs import LANGGRAPH, PLAIN, WFKIT, Lib
from bench.timing import Samples, cold_imports, interleaved, retained
from bench.workloads import BIG, Counter, chunk, inc, loop_graph

IMPORTS = {WFKIT: "wfkit", LANGGRAPH: "langgraph.graph", PLAIN: "json"}


# -- checkpointer memory and history -------------------------------------------------------------
def _growing_app(lib: Lib, steps: int):
    app = loop_graph(lib, steps, growing=True, checkpointer=lib.InMemorySaver())
    config = dict(BIG, configurable={"thread_id": "memory"})
    return app, config


def plain_log(steps: int) -> list:
    """The baseline: a list holding each superstep's write, the 100-byte string itself."""
    log = []
    for step in range(steps):
        log.append(chunk(step))
    return log


def plain_write_log(steps: int) -> list:
    """A more literal log, for context: one `(node, key, [value])` record per write, as the node returned it."""
    log = []
    for step in range(steps):
        log.append(("ab"[step % 2], "log", [chunk(step)]))
    return log


def checkpointer_memory(libs: dict[str, Lib], steps: int) -> dict[str, Any]:
    """Bytes each checkpointer still holds after a run of `steps` growing supersteps (the graph is
    compiled before measuring and the run's result is dropped, so only what the run left behind counts),
    next to the plain-Python logs of the same writes."""
    out: dict[str, Any] = {}
    for name, lib in libs.items():
        warm, config = _growing_app(lib, 10)
        warm.invoke({"log": []}, config)  # first-use costs (lazy imports, thread pools) are not history
        app, config = _growing_app(lib, steps)
        size, _ = retained(lambda: (app.invoke({"log": []}, config), None)[1])
        out[name] = size
        del app
    out[PLAIN] = retained(lambda: plain_log(steps))[0]
    out["plain_records"] = retained(lambda: plain_write_log(steps))[0]
    return out


def history_listing(libs: dict[str, Lib], steps: int, reps: int) -> tuple[dict[str, Samples], dict[str, int]]:
    """Time to list a thread's whole history after `steps` growing supersteps, fully consumed."""
    makers = {}
    for name, lib in libs.items():
        def make(lib=lib):
            app, config = _growing_app(lib, steps)
            app.invoke({"log": []}, config)
            return lambda: sum(1 for _ in app.get_state_history(config))
        makers[name] = make
    samples, counts = interleaved(makers, reps, fresh=False)
    return samples, counts


# -- imports -------------------------------------------------------------------------------------
def imports(libs: dict[str, Lib], reps: int) -> dict[str, Samples]:
    modules = {name: IMPORTS[name] for name in [*libs, PLAIN]}
    return cold_imports(modules, reps)


# -- drawing and the Debugger ----------------------------------------------------------------------
def thirty_nodes(lib: Lib, n: int = 30):
    """A 30-node chain in which every sixth node may loop back three nodes (a conditional edge)."""
    def on(state: Counter) -> str:
        return "on"

    g = lib.StateGraph(Counter)
    names = [f"n{i}" for i in range(n)]
    for name in names:
        g.add_node(name, inc)
    g.add_edge(lib.START, names[0])
    for i, (a, b) in enumerate(zip(names, names[1:])):
        if i % 6 == 5:
            g.add_conditional_edges(a, on, {"on": b, "retry": names[i - 3]})
        else:
            g.add_edge(a, b)
    g.add_edge(names[-1], lib.END)
    return g.compile()


def svg(wf: Lib, reps: int) -> Samples:
    app = thirty_nodes(wf)
    samples, results = interleaved({WFKIT: lambda: lambda: app.get_graph().draw_svg()}, reps, fresh=False)
    assert results[WFKIT].lstrip().startswith(("<?xml", "<svg")), "draw_svg() did not return SVG text"
    return samples[WFKIT]


def debugger_available() -> bool:
    return importlib.util.find_spec("wfkit.widgets.debugger") is not None


def debugger_step(wf: Lib, reps: int, steps: int = 12) -> tuple[Samples, str]:
    """Kernel-side time of one Debugger step: execute a superstep and redraw the marked graph.

    Until `wfkit.widgets.debugger` exists this measures its parts: `Run.step()` + `GraphView.mark()`,
    which renders the SVG for the new marks (every step has new marks, so the render cache never hits).
    """
    from wfkit.widgets.graph_view import GraphView

    app = thirty_nodes(wf)
    times: list[float] = []
    for _ in range(reps):
        run = app.start({"x": 0})
        view = GraphView(app)
        visited: list[str] = []
        previous = [wf.START]
        for _ in range(steps):
            start = perf_counter()
            record = run.step()
            current = [t.name for t in record.tasks]
            view.mark(current=current, next=record.next, visited=visited,
                      taken_edges=[(a, b) for a in previous for b in current])
            times.append(perf_counter() - start)
            visited += [c for c in current if c not in visited]
            previous = current
    how = ("Run.step() + GraphView.mark() with its SVG render (wfkit/widgets/debugger.py not present: "
           "the Debugger's parts)")
    return Samples(times), how


def median_ms(samples: Samples) -> float:
    return statistics.median(samples.times) * 1e3
