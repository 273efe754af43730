"""Measurements that are not one timed call per implementation: checkpointer memory and history listing,
cold imports, drawing a 30-node graph, and one Debugger step (wfkit only, for the last two)."""

from __future__ import annotations

import functools
import statistics
from time import perf_counter
from typing import Any

from bench.graphs import BIG, Counter, chunk, inc, loop_graph
from bench.libs import LANGGRAPH, PLAIN, WFKIT, Lib
from bench.timing import Samples, cold_imports, interleaved, retained

IMPORTS = {WFKIT: "wfkit", LANGGRAPH: "langgraph.graph", PLAIN: None}  # plain: the bare interpreter


# -- checkpointer memory and history -------------------------------------------------------------
def _invoke_only(app: Any, config: dict) -> None:
    app.invoke({"log": []}, config)


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


def checkpointer_memory(libs: dict[str, Lib], steps: int, reps: int) -> dict[str, Any]:
    """Bytes retained after a run of `steps` growing supersteps, median of `reps` alternating runs: the
    graph is compiled (with an empty InMemorySaver) before measuring and the run's result is dropped, so
    what counts is what the checkpointer, and the compiled graph's per-thread bookkeeping, keep. Next to
    them, the plain-Python logs of the same writes."""
    for lib in libs.values():
        warm, config = _growing_app(lib, 10)
        warm.invoke({"log": []}, config)  # first-use costs (lazy imports, thread pools) are not history
    sizes: dict[str, list[int]] = {name: [] for name in libs}
    for _ in range(reps):
        for name, lib in libs.items():
            # Built outside the measured call: only what the run leaves behind (the history) is counted.
            app, config = _growing_app(lib, steps)
            sizes[name].append(retained(functools.partial(_invoke_only, app, config))[0])
            app = config = None
    out: dict[str, Any] = {name: statistics.median(s) for name, s in sizes.items()}
    out[PLAIN] = retained(lambda: plain_log(steps))[0]
    out["plain_records"] = retained(lambda: plain_write_log(steps))[0]
    out["steps"] = steps
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
def imports(libs: dict[str, Lib], reps: int) -> dict[str, dict[str, Samples]]:
    modules = {name: IMPORTS[name] for name in [*libs, PLAIN]}
    return cold_imports(modules, reps)


# -- drawing and the Debugger ----------------------------------------------------------------------
def thirty_nodes(lib: Lib, n: int = 30, **compile_options):
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
    return g.compile(**compile_options)


def svg(wf: Lib, reps: int) -> Samples:
    app = thirty_nodes(wf)
    samples, results = interleaved({WFKIT: lambda: lambda: app.get_graph().draw_svg()}, reps, fresh=False)
    assert results[WFKIT].lstrip().startswith(("<?xml", "<svg")), "draw_svg() did not return SVG text"
    return samples[WFKIT]


def debugger_step(wf: Lib, reps: int, steps: int = 12) -> tuple[Samples, str] | None:
    """Kernel-side time of one Debugger step on the 30-node graph: `Debugger.step()` outside a running
    event loop runs the superstep and every redraw (picture, timeline, inspector) before returning.

    Without `wfkit.widgets.debugger` this times its parts instead: `Run.step()` + `GraphView.mark()`, which
    renders the SVG for the new marks. None when ipywidgets is not installed.
    """
    app = thirty_nodes(wf)
    try:
        from wfkit.widgets.debugger import Debugger
    except ImportError:
        Debugger = None
    try:
        from wfkit.widgets.graph_view import GraphView
    except ImportError:
        return None
    times: list[float] = []
    for _ in range(reps):
        if Debugger is not None:
            debugger = Debugger(app, {"x": 0})
            for _ in range(steps):
                start = perf_counter()
                debugger.step()
                times.append(perf_counter() - start)
            continue
        run, view = app.start({"x": 0}), GraphView(app)
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
    how = ("`Debugger.step()`" if Debugger is not None else
           "`Run.step()` + `GraphView.mark()` with its SVG render (wfkit.widgets.debugger not importable)")
    return Samples(times), how
