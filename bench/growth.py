"""How costs grow with a thread's length (issue 12), wfkit and LangGraph interleaved in one run.

For N supersteps of a counter loop, on InMemorySaver and on SqliteSaver: running the thread (per
superstep), `get_state` at the head and at the middle checkpoint from a freshly compiled graph (a new saver
object on the same file for SQLite: a new process, as far as the library can tell; for SQLite also in a
really new interpreter, `bench.new_process`), resuming the thread for one more superstep from a fresh graph,
listing its whole history, and the bytes stored per superstep.
Then a conversation of N messages (ten per superstep) and Send fan-outs to N workers, sync and async.

The default sizes stop at 1000; `--big` (or `WFKIT_BENCH_BIG=1`) adds 10 000 supersteps and messages
and 5000 workers (a few minutes more, most of them LangGraph's). LangGraph's SQLite rows need
`pip install langgraph-checkpoint-sqlite`; without it they stay empty.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from typing import Any, TypedDict

from bench.graphs import BIG, work
from bench.libs import WFKIT, Lib
from bench.new_process import interleaved_in_new_processes
from bench.timing import Samples, interleaved, retained

STEPS, STEPS_BIG = (10, 100, 1000), (10, 100, 1000, 10_000)
MESSAGES, MESSAGES_BIG = (10, 1000), (10, 1000, 10_000)
WORKERS, WORKERS_BIG = (10, 100, 1000), (10, 100, 1000, 5000)
PER_TURN = 10  # messages added per superstep of the conversation


@dataclass
class Row:
    measure: str
    n: int
    values: dict[str, float]  # implementation -> seconds, bytes when `unit` is "B", a rate when "/s"
    unit: str = "s"


class Goal(TypedDict):
    x: int
    goal: int


def counter(lib: Lib, saver: Any):
    """`a` adds one to x until x reaches goal: `{"x": 0, "goal": N}` runs N supersteps of it; then
    `{"goal": 0}` on the same thread runs exactly one more."""
    def a(state: Goal) -> dict:
        return {"x": state["x"] + 1}

    g = lib.StateGraph(Goal)
    g.add_node("a", a)
    g.add_edge(lib.START, "a")
    g.add_conditional_edges("a", lambda s: "a" if s["x"] < s["goal"] else lib.END, ["a", lib.END])
    return g.compile(checkpointer=saver)


def _sqlite_saver(lib: Lib, path: str):
    if lib.name == WFKIT:
        from wfkit.checkpoint import SqliteSaver

        return SqliteSaver(path)
    from langgraph.checkpoint.sqlite import SqliteSaver  # langgraph-checkpoint-sqlite

    return SqliteSaver(sqlite3.connect(path, check_same_thread=False))


def _has_sqlite(lib: Lib) -> bool:
    if lib.name == WFKIT:
        return True
    try:
        import langgraph.checkpoint.sqlite  # noqa: F401
    except ImportError:
        return False
    return True


def _file_bytes(path: str) -> int:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


class _Thread:
    """One library's thread of N supersteps on one kind of saver, and how to reach it cold."""

    def __init__(self, lib: Lib, kind: str, n: int, folder: str):
        self.lib, self.kind, self.n, self.folder = lib, kind, n, folder
        self.config = dict(BIG, configurable={"thread_id": "growth"})
        self.runs = 0

    def new_saver(self, path: str | None = None):
        if self.kind == "memory":
            return self.lib.InMemorySaver()
        return _sqlite_saver(self.lib, path)

    def make_run(self):
        """Untimed: a fresh, empty saver; timed: running the N supersteps."""
        self.runs += 1
        self.path = os.path.join(self.folder, f"{self.lib.name}-{self.n}-{self.runs}.db")
        self.saver = self.new_saver(self.path)
        app = counter(self.lib, self.saver)
        return lambda: app.invoke({"x": 0, "goal": self.n}, self.config)

    def cold(self):
        """A freshly compiled graph on the thread (on a new saver object, for SQLite)."""
        saver = self.saver if self.kind == "memory" else self.new_saver(self.path)
        return counter(self.lib, saver)

    def middle_config(self) -> dict:
        history = list(counter(self.lib, self.saver).get_state_history(self.config))
        return history[len(history) // 2].config


def counter_rows(libs: dict[str, Lib], sizes: tuple[int, ...], reps: int) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="wfkit-bench-") as folder:
        for kind, title in (("memory", "InMemorySaver"), ("sqlite", "SqliteSaver")):
            chosen = {name: lib for name, lib in libs.items() if kind == "memory" or _has_sqlite(lib)}
            for n in sizes:
                many = max(1, reps if n <= 1000 else 1)
                threads = {name: _Thread(lib, kind, n, folder) for name, lib in chosen.items()}
                ran, results = interleaved({k: t.make_run for k, t in threads.items()}, many, fresh=True, warmup=0)
                assert len({r["x"] for r in results.values()}) == 1, results
                rows.append(Row(f"{title}: run, per superstep", n, {k: s.median / n for k, s in ran.items()}))
                middles = {k: t.middle_config() for k, t in threads.items()}
                for label, configs in (("head", {k: t.config for k, t in threads.items()}), ("middle", middles)):
                    makers = {k: (lambda t=t, c=configs[k]: (lambda app=t.cold(): app.get_state(c)))
                              for k, t in threads.items()}
                    got, states = interleaved(makers, 3 * reps, fresh=True, warmup=0)
                    assert len({repr(s.values) for s in states.values()}) == 1, states
                    rows.append(Row(f"{title}: cold get_state at the {label}", n, _medians(got)))
                    if kind == "sqlite":  # what a new kernel pays: the thread read by a fresh interpreter
                        jobs = {k: (t.path, configs[k]) for k, t in threads.items()}
                        got, shown = interleaved_in_new_processes(jobs, reps)
                        assert len(set(shown.values())) == 1, shown
                        rows.append(Row(f"{title}: cold get_state in a new process at the {label}", n,
                                        _medians(got)))
                resumed = {k: (lambda t=t: (lambda app=t.cold(): app.invoke({"goal": 0}, t.config)))
                           for k, t in threads.items()}
                rows.append(Row(f"{title}: resume for one superstep, cold", n,
                                _medians(interleaved(resumed, 3 * reps, fresh=True, warmup=0)[0])))
                listing = {k: (lambda t=t: (lambda app=t.cold(): sum(1 for _ in app.get_state_history(t.config))))
                           for k, t in threads.items()}
                rows.append(Row(f"{title}: history listing, cold", n,
                                _medians(interleaved(listing, many, fresh=True, warmup=0)[0])))
                rows.append(Row(f"{title}: bytes stored per superstep", n, _bytes_per_step(threads, kind, n), "B"))
    return rows


def _bytes_per_step(threads: dict[str, _Thread], kind: str, n: int) -> dict[str, float]:
    out = {}
    for name, t in threads.items():
        if kind == "sqlite":
            out[name] = _file_bytes(t.path) / n
            continue
        run = t.make_run()
        out[name] = retained(run)[0] / n  # what the saver keeps (the result is dropped with the run)
    return out


def _medians(samples: dict[str, Samples]) -> dict[str, float]:
    return {k: s.median for k, s in samples.items()}


def messages_rows(libs: dict[str, Lib], sizes: tuple[int, ...], reps: int) -> list[Row]:
    """A conversation growing by `PER_TURN` messages per superstep, on InMemorySaver."""
    rows = []
    for n in sizes:
        many = max(1, reps if n <= 1000 else 1)
        apps: dict[str, Any] = {}

        def maker(name, lib):
            def make():
                saver = lib.InMemorySaver()
                app = conversation(lib, n, saver)
                apps[name] = (lib, saver)
                return lambda: app.invoke({"messages": [lib.HumanMessage(content="go")]},
                                          dict(BIG, configurable={"thread_id": "chat"}))
            return make

        ran, results = interleaved({k: maker(k, lib) for k, lib in libs.items()}, many, fresh=True, warmup=0)
        assert len({len(r["messages"]) for r in results.values()}) == 1
        rows.append(Row("messages: run, per message", n, {k: s.median / n for k, s in ran.items()}))
        cold = {k: (lambda k=k: (lambda app=conversation(apps[k][0], n, apps[k][1]):
                                 app.get_state({"configurable": {"thread_id": "chat"}})))
                for k in apps}
        got, states = interleaved(cold, 3 * reps, fresh=True, warmup=0)
        assert len({len(s.values["messages"]) for s in states.values()}) == 1
        rows.append(Row("messages: cold get_state at the head", n, _medians(got)))
        kept = {}
        for k, lib in libs.items():
            app = conversation(lib, n, lib.InMemorySaver())
            kept[k] = retained(lambda: app.invoke({"messages": [lib.HumanMessage(content="go")]},
                                                  dict(BIG, configurable={"thread_id": "chat"})) and None)[0] / n
            app = None
            gc.collect()
        rows.append(Row("messages: bytes kept per message", n, kept, "B"))
    return rows


def conversation(lib: Lib, n: int, saver: Any):
    def turn(state):
        k = len(state["messages"])
        return {"messages": [lib.AIMessage(content=f"message {k + i} " + "x" * 60) for i in range(PER_TURN)]}

    g = lib.StateGraph(lib.MessagesState)
    g.add_node("turn", turn)
    g.add_edge(lib.START, "turn")
    g.add_conditional_edges("turn", lambda s: "turn" if len(s["messages"]) < n else lib.END, ["turn", lib.END])
    return g.compile(checkpointer=saver)


def fanout_rows(libs: dict[str, Lib], sizes: tuple[int, ...], reps: int) -> list[Row]:
    rows = []
    for use_async in (False, True):
        for n in sizes:
            many = max(1, reps if n <= 1000 else 2)
            makers = {k: _fanout(lib, n, use_async) for k, lib in libs.items()}
            got, results = interleaved(makers, many, fresh=False)
            assert len({r["total"] for r in results.values()}) == 1, results
            rows.append(Row(f"Send fan-out ({'async' if use_async else 'sync'} workers), per worker", n,
                            {k: s.median / n for k, s in got.items()}))
    return rows


def _fanout(lib: Lib, n: int, use_async: bool):
    from bench.graphs import MapReduce, reduce_

    async def awork(arg: dict) -> dict:
        return work(arg)

    def fan(state):
        return [lib.Send("work", {"item": i}) for i in state["items"]]

    def make():
        g = lib.StateGraph(MapReduce)
        g.add_node("work", awork if use_async else work)
        g.add_node("reduce", reduce_)
        g.add_conditional_edges(lib.START, fan, ["work"])
        g.add_edge("work", "reduce")
        g.add_edge("reduce", lib.END)
        app = g.compile()
        start = {"items": list(range(n)), "results": []}
        if use_async:
            return lambda: asyncio.run(app.ainvoke(start, BIG))
        return lambda: app.invoke(start, BIG)
    return make


def growth(libs: dict[str, Lib], *, big: bool, quick: bool, log=lambda message: None) -> list[Row]:
    reps = 1 if quick else 5
    rows: list[Row] = []
    for name, build, sizes in (("counter", counter_rows, STEPS_BIG if big else STEPS),
                               ("messages", messages_rows, MESSAGES_BIG if big else MESSAGES),
                               ("fan-out", fanout_rows, WORKERS_BIG if big else WORKERS)):
        if quick and not big:
            sizes = sizes[:2]
        rows += build(libs, sizes, reps)
        log(f"growth: {name} rows done ({', '.join(map(str, sizes))})")
    rows += debugger_rows(libs[WFKIT], (10, 100) if quick else (10, 1000))
    return rows



def debugger_rows(wf: Lib, sizes: tuple[int, ...] = (10, 1000), steps: int = 10) -> list[Row]:
    """Kernel-side time of one `Debugger.step()` once the timeline holds N supersteps (wfkit only; none
    without ipywidgets)."""
    try:
        from wfkit.widgets.debugger import Debugger
    except ImportError:
        return []
    from time import perf_counter

    rows = []
    for n in sizes:
        debugger = Debugger(counter(wf, None), {"x": 0, "goal": n + steps + 10}, dict(BIG))
        for _ in range(n):
            debugger.step()
        times = []
        for _ in range(steps):
            start = perf_counter()
            debugger.step()
            times.append(perf_counter() - start)
        rows.append(Row("Debugger step, kernel side, after N supersteps", n, {WFKIT: Samples(times).median}))
    return rows
