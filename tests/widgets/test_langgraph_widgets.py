"""The Debugger, GraphView and ReviewPanel on a graph built with LangGraph itself (issue 30): the same
marks, timeline and review as on a wfkit graph, and answers land in LangGraph's own checkpointer."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

pytest.importorskip("langgraph")

from langgraph.checkpoint.memory import InMemorySaver  # noqa: E402
from langgraph.graph import END, START, StateGraph  # noqa: E402
from langgraph.types import interrupt  # noqa: E402

import wfkit  # noqa: E402
from wfkit.widgets import Debugger, GraphView, ReviewPanel  # noqa: E402

from tests.widgets.test_debugger import labels, marks  # noqa: E402


class S(TypedDict, total=False):
    trace: Annotated[list, operator.add]
    x: str


def review_graph(**options):
    """a routes to b and c (a conditional edge), which join into ask; ask waits for an answer."""
    g = StateGraph(S)
    for name in "abc":
        g.add_node(name, lambda s, name=name: {"trace": [name]})
    g.add_node("ask", lambda s: {"trace": ["ask"], "x": interrupt("ok?")})
    g.add_edge(START, "a")
    g.add_conditional_edges("a", lambda s: ["left", "right"], {"left": "b", "right": "c"})
    g.add_edge(["b", "c"], "ask")
    g.add_edge("ask", END)
    return g.compile(**options)


def test_graph_view_draws_a_langgraph_graph_with_conditional_edges_dashed_and_labelled():
    view = GraphView(review_graph())
    assert [(n.id, n.kind) for n in view.graph.nodes] == [
        ("__start__", "start"), ("a", "node"), ("b", "node"), ("c", "node"), ("ask", "node"), ("__end__", "end")]
    assert sorted((e.source, e.target, e.label, e.conditional) for e in view.graph.edges) == [
        ("__start__", "a", None, False), ("a", "b", "left", True), ("a", "c", "right", True), ("ask", "__end__", None, False),
        ("b", "ask", None, False), ("c", "ask", None, False)]
    view.mark(current=("a",), next=("b", "c"))
    assert (view.current, view.next) == (("a",), ("b", "c"))


def test_the_debugger_steps_a_langgraph_graph_and_marks_the_picture():
    debugger = Debugger(review_graph(), {"trace": []})
    assert debugger.status_text() == "step 0 · paused; next: a"
    debugger.step()
    assert debugger.status_text() == "step 1 · paused; next: b, c"
    assert marks(debugger) == {"current": ("a",), "next": ("b", "c"), "visited": ("__start__",), "interrupted": (),
                               "failed": (), "taken_edges": (("__start__", "a"),)}
    assert debugger.summary() == (
        "Debugger of `LangGraph`: step 1 · paused; next: b, c\n"
        "next: b because the conditional edge of a chose b\n"
        "next: c because the conditional edge of a chose c\n"
        "state:\n"
        "  trace: ['a']\n"
        "timeline: 1 superstep(s) on 1 branch(es)")


def test_the_review_panel_answers_a_langgraph_interrupt_into_its_checkpointer():
    graph = review_graph(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "review-1"}}
    debugger = Debugger(graph, {"trace": []}, config)
    debugger.run_all()
    assert debugger.status_text() == "step 3 · waiting for 1 answer(s)"
    assert marks(debugger)["interrupted"] == ("ask",)
    panel = debugger.review
    assert isinstance(panel, ReviewPanel) and [card.node for card in panel.cards] == ["ask"]
    panel.cards[0].edit_button.click()
    panel.cards[0].text.value = "fine"
    panel.cards[0].submit_button.click()
    assert debugger.run.done and debugger.review is None
    assert graph.get_state(config).values == {"trace": ["a", "b", "c", "ask"], "x": "fine"}
    assert labels(debugger)[-1] == "▶ step 3 · ask"


def test_a_review_panel_on_a_thread_another_process_left_waiting():
    graph = review_graph(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "review-2"}}
    graph.invoke({"trace": []}, config)
    run = wfkit.start(graph, None, config)
    panel = ReviewPanel(run)
    panel.answer(0, "from the panel")
    assert graph.get_state(config).values["x"] == "from the panel"


def test_back_and_edit_in_the_debugger_fork_langgraphs_history():
    graph = review_graph(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "review-3"}}
    debugger = Debugger(graph, {"trace": []}, config)
    debugger.step(), debugger.step()
    debugger.back()
    debugger.edit({"x": "E"})
    debugger.step()
    assert debugger.run.state == {"trace": ["a", "b", "c"], "x": "E"}
    assert [s.metadata["source"] for s in graph.get_state_history(config)][:2] == ["loop", "update"]
