"""A Debugger step on a graph built with LangGraph itself (issue 30), side by side with LangGraph's own
stream of that superstep.

On the 30-node graph of `probes.thirty_nodes`, built with LangGraph and its `InMemorySaver`, each superstep
is timed five ways, alternating within every superstep so that drift hits all alike: LangGraph's own
`stream(None, config, interrupt_before="*")` (one superstep, on a thread of its own), `wfkit.start(graph)`'s
`run.step()` (the adapter: LangGraph's stream plus reading back its snapshots), `Debugger.step()` on the
LangGraph graph, and for the rendering a Debugger adds on wfkit's own graphs, `Debugger.step()` minus
`run.step()` on the wfkit twin of the graph. The target: the Debugger's step on the LangGraph graph, less
that rendering, at most 1.5 × LangGraph's own stream.
"""

from __future__ import annotations

from statistics import median
from time import perf_counter

from bench.libs import LANGGRAPH, WFKIT, Lib
from bench.probes import thirty_nodes
from bench.timing import Samples

WAYS = ("langgraph stream", "adapter run.step", "Debugger on LangGraph", "wfkit run.step", "Debugger on wfkit")


def langgraph_step(libs: dict[str, Lib], reps: int, steps: int = 12) -> dict[str, Samples] | None:
    """Seconds per superstep for each of `WAYS`; None without LangGraph or ipywidgets."""
    if LANGGRAPH not in libs:
        return None
    try:
        from wfkit.widgets.debugger import Debugger
    except ImportError:
        return None
    import wfkit

    lg, wf = libs[LANGGRAPH], libs[WFKIT]
    times: dict[str, list[float]] = {way: [] for way in WAYS}
    for rep in range(reps):
        own = thirty_nodes(lg, checkpointer=lg.InMemorySaver())
        config = {"configurable": {"thread_id": f"own-{rep}"}}
        for _ in own.stream({"x": 0}, config, interrupt_before="*"):
            pass  # applies the input and stops before the first node (untimed, as the others' start)
        run = wfkit.start(thirty_nodes(lg, checkpointer=lg.InMemorySaver()), {"x": 0})
        debugger = Debugger(thirty_nodes(lg, checkpointer=lg.InMemorySaver()), {"x": 0})
        wf_app = thirty_nodes(wf)
        wf_run, wf_debugger = wf_app.start({"x": 0}), Debugger(wf_app, {"x": 0})

        def own_step() -> None:
            for _ in own.stream(None, config, interrupt_before="*"):
                pass

        ways = dict(zip(WAYS, (own_step, run.step, debugger.step, wf_run.step, wf_debugger.step)))
        for step in range(steps):
            order = list(WAYS[step % len(WAYS):] + WAYS[:step % len(WAYS)])  # rotated: no way always first
            for way in order:
                start = perf_counter()
                ways[way]()
                times[way].append(perf_counter() - start)
        assert own.get_state(config).values == run.state == debugger.run.state, "the LangGraph runs differ"
    return {way: Samples(values) for way, values in times.items()}


def ratio(samples: dict[str, Samples]) -> tuple[float, float]:
    """(the Debugger's step on the LangGraph graph less the rendering of a wfkit graph's step, ÷ LangGraph's own
    stream of it; that rendering in seconds). Rendering dwarfs the rest, so each superstep's rendering is
    taken from the same superstep's measurements (paired, then the median), not from two medians."""
    times = {way: samples[way].times for way in WAYS}
    rendering = [d - s for d, s in zip(times["Debugger on wfkit"], times["wfkit run.step"])]
    rest = [d - r for d, r in zip(times["Debugger on LangGraph"], rendering)]
    return median(rest) / samples["langgraph stream"].median, median(rendering)
