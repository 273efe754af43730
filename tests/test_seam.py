"""The one seam between the widgets and the runs (issue 30): wfkit's `Run` and the LangGraph adapter's run
both implement `wfkit.seam.SteppedRun`, and `wfkit.start` opens the right one."""

from __future__ import annotations

import inspect
import operator
import subprocess
import sys
from typing import Annotated, TypedDict

import pytest

import wfkit
from wfkit.seam import SteppedRun
from wfkit.stepping import Run


class S(TypedDict, total=False):
    trace: Annotated[list, operator.add]


def wfkit_graph():
    g = wfkit.StateGraph(S)
    g.add_node("a", lambda s: {"trace": ["a"]})
    g.add_edge(wfkit.START, "a")
    return g.compile()


def langgraph_graph():
    from langgraph.graph import START, StateGraph

    g = StateGraph(S)
    g.add_node("a", lambda s: {"trace": ["a"]})
    g.add_edge(START, "a")
    return g.compile()


def kind(cls: type, name: str) -> str:
    """How `cls` provides protocol member `name`: a property, a coroutine function, a method or an attribute."""
    value = inspect.getattr_static(cls, name, None)
    if isinstance(value, property):
        return "property"
    if inspect.iscoroutinefunction(value):
        return "async"
    if inspect.isfunction(value):
        return "method"
    return "attribute"


PROTOCOL = sorted(n for n in dir(SteppedRun) if not n.startswith("_"))
ATTRIBUTES = sorted(SteppedRun.__annotations__)


def test_the_protocol_lists_what_the_widgets_use():
    assert ATTRIBUTES == ["app", "breakpoints", "config", "edits", "history", "listeners"]
    assert PROTOCOL == ["ahead", "answer", "aresume", "arun", "astep", "back", "checkpoint_id", "done", "edit",
                        "forward", "goto", "interrupts", "lineage", "next", "register_types", "resume", "run",
                        "state", "status", "step", "step_into", "step_number", "subgraph_tasks", "thread_id", "timeline",
                        "waiting_joins"]


@pytest.mark.parametrize("name", PROTOCOL)
def test_both_runs_have_each_member_of_the_protocol_as_the_same_kind(name):
    from wfkit.adapters.langgraph import LangGraphRun

    expected = kind(SteppedRun, name)
    assert (kind(Run, name), kind(LangGraphRun, name)) == (expected, expected)
    if expected in ("method", "async"):
        wanted = inspect.signature(getattr(SteppedRun, name))
        assert inspect.signature(getattr(Run, name)).parameters.keys() == wanted.parameters.keys()
        assert inspect.signature(getattr(LangGraphRun, name)).parameters.keys() == wanted.parameters.keys()


def test_both_runs_are_stepped_runs_with_the_attributes_set():
    for run in (wfkit.start(wfkit_graph(), {"trace": []}), wfkit.start(langgraph_graph(), {"trace": []})):
        assert isinstance(run, SteppedRun)
        assert {n: type(getattr(run, n)).__name__ for n in ATTRIBUTES if n != "app"} == {
            "breakpoints": "set", "config": "dict", "edits": "list", "history": "list", "listeners": "list"}


def test_start_on_a_wfkit_graph_is_its_own_run():
    run = wfkit.start(wfkit_graph(), {"trace": []})
    assert type(run) is Run
    assert [r.values for r in run.run()] == [{"trace": ["a"]}]


def test_start_on_a_langgraph_graph_is_the_adapters_run():
    from wfkit.adapters.langgraph import LangGraphRun

    run = wfkit.start(langgraph_graph(), {"trace": []})
    assert type(run) is LangGraphRun
    assert [r.values for r in run.run()] == [{"trace": ["a"]}]


def test_start_refuses_anything_else_naming_it_and_what_is_accepted():
    with pytest.raises(TypeError) as caught:
        wfkit.start({"not": "a graph"})
    assert str(caught.value) == (
        "wfkit.start(graph): `graph` is dict {'not': 'a graph'}; it accepts a compiled wfkit graph "
        "(wfkit.StateGraph(...).compile() or @wfkit.entrypoint) or a compiled LangGraph graph "
        "(langgraph's StateGraph(...).compile(), @entrypoint or Pregel)")


def test_start_refuses_an_uncompiled_langgraph_builder():
    from langgraph.graph import StateGraph

    with pytest.raises(TypeError) as caught:
        wfkit.start(StateGraph(S))
    assert str(caught.value) == ("wfkit.start(graph): `graph` is a StateGraph from LangGraph, not a compiled graph: "
                                 "call .compile() on a StateGraph (or pass an @entrypoint function)")


def test_import_wfkit_and_a_wfkit_run_never_import_langgraph():
    code = ("import sys, wfkit, operator\n"
            "from typing import Annotated, TypedDict\n"
            "class S(TypedDict):\n    trace: Annotated[list, operator.add]\n"
            "before = 'langgraph' in sys.modules\n"
            "g = wfkit.StateGraph(S); g.add_node('a', lambda s: {'trace': ['a']}); g.add_edge(wfkit.START, 'a')\n"
            "wfkit.start(g.compile(), {'trace': []}).run()\n"
            "print(before, sorted(m for m in sys.modules if m.startswith('langgraph')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False []"


def test_without_langgraph_installed_the_adapter_says_what_to_install(monkeypatch):
    from wfkit.adapters import langgraph as adapter

    monkeypatch.setitem(sys.modules, "langgraph.pregel", None)
    with pytest.raises(ImportError) as caught:
        adapter.require()
    assert str(caught.value) == 'driving a LangGraph graph needs LangGraph: pip install "wfkit[langgraph]"'


def test_a_langgraph_release_outside_the_tested_range_warns_and_still_runs(monkeypatch):
    from wfkit.adapters import langgraph as adapter

    monkeypatch.setattr(adapter.importlib.metadata, "version", lambda name: "0.9.1")
    with pytest.warns(wfkit.errors.WfkitWarning) as caught:
        run = wfkit.start(langgraph_graph(), {"trace": []})
    assert [str(w.message) for w in caught] == [
        "LangGraph 0.9.1 is outside the releases wfkit's LangGraph adapter is tested with (1.2.x); it still "
        "runs, but pin langgraph to that range if something looks off"]
    assert run.run()[-1].values == {"trace": ["a"]}


@pytest.mark.parametrize("version, inside", [("1.0.0", False), ("1.2.0", True), ("1.2.24", True), ("1.3.0", False),
                                              ("0.6.7", False), ("2.0.0a1", False)])
def test_the_tested_range(version, inside):
    from wfkit.adapters.langgraph import TESTED, _release

    assert (TESTED[0] <= _release(version) < TESTED[1]) is inside
