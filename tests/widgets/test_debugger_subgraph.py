"""The Debugger opens a subgraph (issue 28): Step into nests its supersteps under the parent's step in the
timeline, shows its picture, steps it one superstep at a time, answers its interrupt in the review panel,
goes back inside it, and the saved view shows the nested timeline."""

from __future__ import annotations

import asyncio

from tests.test_stepping_subgraph import FINAL, build
from wfkit.widgets import Debugger

E = "\u2003"


def labels(debugger):
    return [label for label, _ in debugger.timeline_view.options]


def test_step_into_answer_back_and_out_with_the_nested_timeline():
    calls = []
    debugger = Debugger(build(calls), {"log": []})
    assert debugger.step_into_button.disabled
    debugger.step()
    assert not debugger.step_into_button.disabled
    debugger.step_into()
    assert debugger.step_into_button.disabled
    assert debugger.status_text() == "step 2 › research › step 0 · paused; next: search"
    assert [c.__class__.__name__ for c in debugger.pictures.children] == ["GraphView", "SafeHTML", "GraphView"]
    assert debugger.pictures.children[1].value == "<b>Inside step 2 › research</b> (subgraph)"
    assert {n.id for n in debugger.inner_view.graph.nodes} == {"__start__", "search", "ask", "write", "__end__"}
    debugger.step()
    debugger.step()
    assert debugger.status_text() == "step 2 › research › step 2 · waiting for 1 answer(s)"
    assert labels(debugger) == [f"{E} step 0 · input", f"{E} step 1 · plan",
                                f"{E}{E} step 2 › research › step 0 · input",
                                f"{E}{E} step 2 › research › step 1 · search",
                                f"▶{E} step 2 › research › step 2 · ask · interrupted"]
    assert [i.value for i in debugger.review.interrupts] == ["ok?"]
    assert debugger.inner_view.marks()["interrupted"] == ("ask",)
    assert debugger.graph_view.marks()["running"] == ("research",)
    saved = debugger._repr_mimebundle_()["text/html"]
    assert "step 2 › research › step 1 · search" in saved and "Inside step 2 › research" in saved
    debugger.back()
    assert debugger.status_text() == "step 2 › research › step 0 · paused; next: search"
    assert (debugger.inner.step_number, debugger.inner.state) == (0, {"log": ["plan"]})
    debugger.step()
    debugger.step()
    answer = {debugger.inner.interrupts[0].id: "yes"}
    asyncio.run(debugger.aresume(answer))
    assert debugger.status_text() == ("step 1 · paused; next: research · the subgraph is done: Step runs step 2 "
                                      "with its result")
    debugger.step()
    assert debugger.inner is None and len(debugger.pictures.children) == 1
    assert labels(debugger) == [f"{E} step 0 · input", f"{E} step 1 · plan",
                                f"{E}{E} step 2 › research › step 0 · input",
                                f"{E}{E} step 2 › research › step 1 · search",
                                f"{E}{E} step 2 › research › step 2 · ask · interrupted",
                                f"{E}{E} step 2 › research › step 2 · ask",
                                f"{E}{E} step 2 › research › step 3 · write",
                                "▶ step 2 · research"]
    debugger.run_all()
    assert debugger.run.state == FINAL
    assert calls == ["plan", "search", "ask", "ask", "write", "finish"]  # back walked the stored steps again


def test_back_at_the_subgraphs_input_leaves_it_and_the_parent_stays():
    debugger = Debugger(build([]), {"log": []})
    debugger.step()
    debugger.step_into()
    debugger.back()
    assert (debugger.inner, debugger.status_text()) == (None, "step 1 · paused; next: research")
    debugger.back()
    assert debugger.status_text() == "step 0 · paused; next: plan"
