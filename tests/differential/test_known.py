"""Each KNOWN divergence shown on a fixed graph, marked xfail(strict=True): fixing the item makes its test
pass unexpectedly, and then its entry in known.py and its marker here go. Also checks the harness itself:
every entry has a case, each predicate applies to its case, the reproducer builds the graph build.py does.
"""

import subprocess
import sys

import pytest

from differential import build, known, repro

LANGGRAPH, WFKIT = build.langgraph_backend(), build.wfkit_backend()


def node(writes=(), interrupt=False, command=None):
    return {"writes": list(writes), "interrupt": interrupt, "returns_none": False, "command": command}


def graph(nodes, edges, **extra):
    desc = {"nodes": nodes, "edges": edges, "joins": [], "routers": [], "input": {"trace": []},
            "recursion_limit": 25, "checkpointer": False, "interrupt_before": [], "interrupt_after": [],
            "resume": "value"}
    return dict(desc, **extra)


S, E = "__start__", "__end__"
chain = [[S, "a"], ["a", "b"], ["b", "c"]]
abc = {"a": node(), "b": node(), "c": node()}
# one case per KNOWN entry, by the start of its `what`: the fixed graph and the aspect that differs
CASES = {
    "get_state_history() after a join": (
        graph(dict(abc, d=node()), [[S, "a"], [S, "b"], ["a", "c"]], checkpointer=True,
              joins=[[["a", "b", "c"], "d"]]), "history"),
}


def entry_for(prefix: str) -> known.Known:
    (entry,) = [k for k in known.KNOWN if k.what.startswith(prefix)]
    return entry


def test_every_known_entry_has_one_fixed_graph():
    assert sorted(k.what for k in known.KNOWN) == sorted(entry_for(p).what for p in CASES)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("prefix", CASES)
def test_each_known_predicate_applies_to_its_graph(prefix):
    desc, aspect = CASES[prefix]
    lg, wf = build.observe(desc, LANGGRAPH), build.observe(desc, WFKIT)
    entry = entry_for(prefix)
    assert entry.applies(desc, lg, wf)
    assert aspect in entry.aspects


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("prefix", [
    pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=f"{entry_for(p).item}: {entry_for(p).what}"))
    for p in CASES])
def test_known_divergence_on_a_fixed_graph(prefix):
    desc, aspect = CASES[prefix]
    # LangGraph's side of the join entry depends on how fast the tasks finish: it must differ every time
    for _ in range(3 if aspect == "history" else 1):
        assert build.observe(desc, WFKIT).get(aspect) == build.observe(desc, LANGGRAPH).get(aspect)


def run_reproducer(desc, backend):
    done = subprocess.run([sys.executable, "-"], input=repro.reproducer(desc, backend), text=True,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_reproducer_runs_the_graph_build_py_builds():
    # one task per superstep: LangGraph streams parallel tasks in the order its threads finish
    desc = graph({"a": node(["joined"]), "b": node(["last", "joined"]),
                  "c": node(command={"mode": "one", "targets": ["a", E], "update": True})},
                 [[S, "a"], ["a", "b"]], recursion_limit=8,
                 routers=[{"src": "b", "mode": "one", "targets": ["c"], "path_map": "dict"}])
    builder, options = build.build(desc, LANGGRAPH, [])
    value = builder.compile(**options).invoke(dict(desc["input"]), {"recursion_limit": 8})
    assert value == {"trace": ["a0", "b1", "c2", "a3", "b4", "c5"], "last": "b4", "joined": "abab"}
    out = run_reproducer(desc, "langgraph")
    assert f"invoke -> {value}\n" in out
    assert out == run_reproducer(desc, "wfkit")


def test_reproducer_shows_the_chunks_before_a_recursion_error():
    # a 3-node chain with recursion_limit=3: all three run, then GraphRecursionError (issue 10 item 2)
    desc = graph(abc, chain, recursion_limit=3)
    lg, wf = run_reproducer(desc, "langgraph"), run_reproducer(desc, "wfkit")
    assert "updates chunk {'c': {'trace': ['c2']}}" in lg
    assert "GraphRecursionError" in lg
    assert lg == wf


def test_the_join_entry_takes_out_only_the_join_destinations():
    desc, _ = CASES["get_state_history() after a join"]
    lg, wf = build.observe(desc, LANGGRAPH), build.observe(desc, WFKIT)
    assert [nxt for _, nxt in wf["history"]] == [(), ("d",), ("c",), ("a", "b"), ("__start__",)]
    lg, wf, hit = known.comparable(desc, lg, wf)
    assert entry_for("get_state_history() after a join") in hit
    assert [nxt for _, nxt in wf["history"]] == [(), (), ("c",), ("a", "b"), ("__start__",)]
    assert lg["history"] == wf["history"]
