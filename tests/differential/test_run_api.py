"""The stepping API on both engines (issue 30): the same graph built with wfkit and with LangGraph, each
driven through `wfkit.start(...)` (wfkit's own `Run`, and the adapter that has LangGraph run each
superstep), gives the same tasks per superstep and why they ran, the same writes, values, next and
interrupts, and the same history shape after going back, editing and stepping on (a fork).

Ids differ by construction (each engine makes its own), and so do step numbers after an edit: LangGraph's
`update_state` and its copy of an older checkpoint before stepping from it (source "fork") each count a
step, wfkit's edit does not. Both are left out; everything else is compared.

One kind of graph is left out of the random ones: a node with both a conditional edge without a path map and
a `Command(goto=...)` (`ambiguous`). LangGraph stores the same write for both routes, so the adapter cannot
tell which of them scheduled a task (it says `branch`), and an edit there may drop the goto's task.
"""

from __future__ import annotations

import os
import pprint

import pytest
from hypothesis import HealthCheck, assume, given, settings

import wfkit
from differential import build, gen, repro

pytest.importorskip("langgraph")

N = int(os.environ.get("WFKIT_RUN_DIFF_N", 25))
MAX_STEPS = 12
WFKIT, LANGGRAPH = build.wfkit_backend(), build.langgraph_backend()


def plain(value, B):
    """build.norm, with dict keys sorted: snapshots order keys by channel on LangGraph, by schema on wfkit."""
    return _sorted(build.norm(value, B))


def _sorted(value):
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "dict":
        return ("dict", tuple(sorted((k, _sorted(v)) for k, v in value[1])))
    if isinstance(value, tuple):
        return tuple(_sorted(v) for v in value)
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def _record(record, B) -> tuple:
    return (sorted((t.name, tuple(sorted(t.triggers))) for t in record.tasks),
            sorted((name, plain(dict(writes), B)) for name, writes in record.writes),
            plain(record.values, B), sorted(record.next),
            sorted(plain(i.value, B) for i in record.interrupts), sorted(record.interrupted), record.paused)


def _advance(run, n: int, B, seen: list) -> None:
    """Step `run` up to `n` supersteps, answering interrupts as build.py's runs do; errors end it."""
    for answer in range(n):
        if run.done:
            seen.append("done")
            return
        pending = run.interrupts
        if pending:
            run.answer(f"r{answer}" if len(pending) == 1 else {i.id: f"r{answer}-{i.value}" for i in pending})
        try:
            seen.append(_record(run.step(), B))
        except Exception as error:  # noqa: BLE001 - what both engines raise is compared by kind
            seen.append(("error", build.error_kind(error)))
            return


def drive(desc: dict, B) -> dict:
    """Everything the Run API shows of `desc` on backend `B`: the stepped run, then a fork from step 1."""
    build._work[0] = 0
    builder, options = build.build(desc, B, [])
    options.pop("interrupt_before", None)  # (breakpoints do not stop an explicit step on either engine)
    run = wfkit.start(builder.compile(**options), dict(desc["input"]), {"configurable": {"thread_id": "run"}})
    out = {"start": (run.step_number, sorted(t.name for t in run.next), plain(run.state, B)), "steps": []}
    _advance(run, MAX_STEPS, B, out["steps"])
    ran = [s for s in out["steps"] if isinstance(s, tuple) and s[0] != "error" and not s[-1]]
    if len(ran) < 2:
        return out
    run.goto(1)
    out["back"] = (sorted(t.name for t in run.next), plain(run.state, B), bool(run.interrupts))
    edit = run.edit({"last": "edited"})
    out["edit"] = (plain(edit.values, B), edit.edited, sorted(t.name for t in run.next))
    out["fork"] = []
    _advance(run, 3, B, out["fork"])
    out["timeline"] = [(sorted(t.name for t in r.tasks), r.branch) for r in run.timeline()]
    out["branches"] = sorted({r.branch for r in run.history})
    return out


def compare(desc: dict) -> None:
    lg, wf = drive(desc, LANGGRAPH), drive(desc, WFKIT)
    diff = {k: (lg.get(k), wf.get(k)) for k in sorted(set(lg) | set(wf)) if lg.get(k) != wf.get(k)}
    assert not diff, ("the Run API differs between LangGraph and wfkit on this graph\n"
                      + "".join(f"--- {k}\nlanggraph: {pprint.pformat(a)}\nwfkit:     {pprint.pformat(b)}\n"
                                for k, (a, b) in diff.items())
                      + "--- description:\n" + repro.reproducer(desc))


def node(**spec) -> dict:
    return {"writes": [], "interrupt": False, "returns_none": False, "command": None} | spec


def desc(nodes: dict, edges=(), joins=(), routers=(), checkpointer=True) -> dict:
    return {"nodes": nodes, "edges": [list(e) for e in edges], "joins": [list(j) for j in joins],
            "routers": list(routers), "input": {"trace": []}, "recursion_limit": 25, "checkpointer": checkpointer,
            "interrupt_before": [], "interrupt_after": [], "resume": "map", "thread": "str", "output": None}


START, END = gen.START, gen.END
CASES = {
    "chain": desc({"a": node(), "b": node(writes=["last"]), "c": node()},
                  [(START, "a"), ("a", "b"), ("b", "c"), ("c", END)]),
    "fan-out and join": desc({"a": node(), "b": node(writes=["joined"]), "c": node(writes=["joined"]), "d": node()},
                             [(START, "a"), ("a", "b"), ("a", "c")], joins=[(["b", "c"], "d")]),
    "router": desc({"a": node(), "b": node(), "c": node()}, [(START, "a")],
                   routers=[{"mode": "all", "targets": ["b", "c"], "src": "a", "path_map": "dict"}]),
    "sends": desc({"a": node(), "b": node(writes=["joined"])}, [(START, "a")],
                  routers=[{"mode": "send", "targets": ["b", "b"], "src": "a", "path_map": None}]),
    "command goto": desc({"a": node(command={"mode": "one", "targets": ["c"], "update": True}), "b": node(),
                          "c": node()}, [(START, "a"), ("a", "b")]),
    "interrupt": desc({"a": node(), "b": node(interrupt=True, writes=["last"]), "c": node()},
                      [(START, "a"), ("a", "b"), ("b", "c")]),
    "two interrupts at once": desc({"a": node(), "b": node(interrupt=True), "c": node(interrupt=True),
                                    "d": node()}, [(START, "a"), ("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]),
    "a loop": desc({"a": node(), "b": node()}, [(START, "a"), ("a", "b")],
                   routers=[{"mode": "one", "targets": ["a", END, END], "src": "b", "path_map": None}]),
    "no checkpointer": desc({"a": node(), "b": node()}, [(START, "a"), ("a", "b")], checkpointer=False),
    "two writers of a plain key": desc({"a": node(writes=["last"]), "b": node(writes=["last"])},
                                       [(START, "a"), (START, "b")]),
}


@pytest.mark.parametrize("name", CASES)
def test_the_run_api_is_the_same_on_both_engines(name):
    compare(CASES[name])


def test_the_comparison_sees_the_steps():
    seen = drive(CASES["fan-out and join"], LANGGRAPH)
    assert seen["start"] == (0, ["a"], ("dict", (("joined", ""), ("trace", []))))
    assert [s[0] for s in seen["steps"][:3]] == [[("a", ("edge:__start__",))],
                                                 [("b", ("edge:a",)), ("c", ("edge:a",))],
                                                 [("d", ("join:b+c",))]]
    assert seen["timeline"] == [(["a"], 0), (["b", "c"], 1), (["d"], 1)]


def ambiguous(desc: dict) -> bool:
    """Whether a node both has a conditional edge that may lead anywhere and returns a Command."""
    return any(r["path_map"] in (None, "str") and r["src"] in desc["nodes"] and desc["nodes"][r["src"]]["command"]
               for r in desc["routers"])


def test_ambiguous_graphs_are_those_with_a_router_without_path_map_on_a_node_that_returns_a_command():
    goto = node(command={"mode": "one", "targets": ["a"], "update": False})
    router = {"mode": "one", "targets": ["a"], "src": "e", "path_map": None}
    assert ambiguous(desc({"a": node(), "e": goto}, [(START, "e")], routers=[router])) is True
    assert ambiguous(desc({"a": node(), "e": goto}, [(START, "e")], routers=[dict(router, path_map="list")])) is False
    assert ambiguous(desc({"a": node(), "e": node()}, [(START, "e")], routers=[router])) is False


@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(derandomize=True, max_examples=N, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(gen.descriptions())
def test_the_run_api_is_the_same_on_random_graphs(desc):
    assume(not ambiguous(desc))
    compare(desc)
