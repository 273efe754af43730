"""The picture explains the run (issue 32, item 6): the path taken so far with counts, the route chosen and
the routes not taken, a join's missing sources, each Send task with its input, two-node loops drawn apart,
and a legend that tells nodes that ran from nodes running now. Asserted on the exact DOT attributes."""

import operator
from typing import Annotated, TypedDict

import pytest

from wfkit import END, START, Send, StateGraph
from wfkit.widgets import Debugger, GraphView
from wfkit.widgets._path import graph_marks, lineage_steps, names_text, waiting_marks
from wfkit.widgets._picture import back_edges, marked_dot


class RouteState(TypedDict, total=False):
    topic: str
    out: str


@pytest.fixture
def router_app():
    """Notebook 04's shape: a router choosing one of three writers."""
    def write(kind):
        return lambda state: {"out": kind}

    builder = StateGraph(RouteState)
    builder.add_node("router", lambda state: {})
    for kind in ("poem", "story", "joke"):
        builder.add_node(kind, write(kind))
        builder.add_edge(kind, END)
    builder.add_edge(START, "router")
    builder.add_conditional_edges("router", lambda state: "poem", ["poem", "story", "joke"])
    return builder.compile()


class SendState(TypedDict, total=False):
    sections: list
    done: Annotated[list, operator.add]


@pytest.fixture
def send_app():
    """Notebook 05's shape: an orchestrator sends one worker per section."""
    def worker(state):
        return {"done": [state["section"]]}

    builder = StateGraph(SendState)
    builder.add_node("orchestrator", lambda state: {"sections": ["Intro", "Method", "Results"]})
    builder.add_node("llm_call", worker)
    builder.add_node("synthesizer", lambda state: {})
    builder.add_edge(START, "orchestrator")
    builder.add_conditional_edges("orchestrator", lambda state: [Send("llm_call", {"section": s})
                                                                for s in state["sections"]], ["llm_call"])
    builder.add_edge("llm_call", "synthesizer")
    builder.add_edge("synthesizer", END)
    return builder.compile()


def edge_line(dot: str, source: str, target: str) -> str:
    return next(line.strip() for line in dot.splitlines() if line.strip().startswith(f'"{source}" -> "{target}"'))


def node_line(dot: str, node: str) -> str:
    return next(line.strip() for line in dot.splitlines() if line.strip().startswith(f'"{node}" ['))


def marks_of(app, run):
    return graph_marks(app.get_graph(), lineage_steps(run.timeline()), [t.name for t in run.next],
                       finished=run.done)


def test_the_whole_path_is_marked_with_a_count_on_edges_taken_several_times(loop_app):
    run = loop_app.start({})
    run.run()
    marks = marks_of(loop_app, run)
    assert marks == {"path_edges": (("__start__", "generate", 1), ("generate", "evaluate", 3),
                                    ("evaluate", "generate", 2), ("evaluate", "__end__", 1)),
                     "next_edges": (), "not_taken": (), "sends": ()}
    dot = marked_dot(loop_app.get_graph(), marks)
    path = 'color="#4f8a5b", fontcolor="#1f3d26", penwidth="1.8", class="wf-path"'
    assert edge_line(dot, "__start__", "generate") == f'"__start__" -> "generate" [{path}];'
    assert edge_line(dot, "generate", "evaluate") == (
        f'"generate" -> "evaluate" [{path}, headlabel="×3", labeldistance="1.6"];')
    # the loop's back edge goes round the right-hand side, apart from generate -> evaluate
    assert edge_line(dot, "evaluate", "generate") == (
        f'"evaluate" -> "generate" [label="Rejected + Feedback", style="dashed", tailport="e", headport="e", '
        f'{path}, headlabel="×2", labeldistance="1.6"];')
    assert edge_line(dot, "evaluate", "__end__") == f'"evaluate" -> "__end__" [label="Accepted", style="dashed", {path}];'


def test_only_the_back_edge_of_a_two_node_loop_is_drawn_round_the_side(loop_app):
    assert back_edges(loop_app.get_graph()) == {("evaluate", "generate")}
    dot = loop_app.get_graph().to_dot()
    assert marked_dot(loop_app.get_graph(), {}) == dot.replace(
        '"evaluate" -> "generate" [label="Rejected + Feedback", style="dashed"]',
        '"evaluate" -> "generate" [label="Rejected + Feedback", style="dashed", tailport="e", headport="e"]')


def test_the_route_a_router_chose_is_marked_and_the_others_shown_not_taken(router_app):
    run = router_app.start({"topic": "cats"})
    run.step()  # the router ran and chose poem
    marks = marks_of(router_app, run)
    assert marks["next_edges"] == (("router", "poem"),)
    assert marks["not_taken"] == (("router", "joke"), ("router", "story"))  # in the drawing's (LangGraph's) edge order
    dot = marked_dot(router_app.get_graph(), marks)
    assert edge_line(dot, "router", "poem") == (
        '"router" -> "poem" [style="dashed", color="#2f6fd6", fontcolor="#0f2f66", penwidth="1.8", '
        'class="wf-chosen"];')
    assert edge_line(dot, "router", "story") == (
        '"router" -> "story" [style="dotted", color="#b8b8c8", fontcolor="#9a9aaa", class="wf-not-taken"];')
    run.run()  # after the poem, the route stays chosen on the path and the others stay not taken
    marks = marks_of(router_app, run)
    assert marks["path_edges"] == (("__start__", "router", 1), ("router", "poem", 1), ("poem", "__end__", 1))
    assert marks["not_taken"] == (("router", "joke"), ("router", "story"))  # in the drawing's (LangGraph's) edge order


def test_send_tasks_show_their_number_and_each_input(send_app):
    run = send_app.start({})
    run.step()
    run.step()  # the three workers ran
    assert names_text(run.history[-1].tasks) == "llm_call ×3 (Send)"
    marks = marks_of(send_app, run)
    assert marks["sends"] == (("llm_call", ("section: Intro", "section: Method", "section: Results")),)
    dot = marked_dot(send_app.get_graph(), marks)
    assert node_line(dot, "llm_call") == (
        '"llm_call" [label="llm_call", xlabel="3 Send tasks:\\n#1 section: Intro\\n#2 section: Method\\n'
        '#3 section: Results"];')
    assert names_text(run.history[0].tasks) == "orchestrator"


def test_a_join_shows_what_it_still_waits_for(join_app):
    run = join_app.start({"log": []})
    run.step()  # a and b ran: the join into c has b, waits for a2
    assert waiting_marks(run.waiting_joins()) == (("c", ("a2",)),)
    dot = marked_dot(join_app.get_graph(), {"waiting": waiting_marks(run.waiting_joins())})
    assert node_line(dot, "c") == '"c" [label="c", xlabel="waits for a2"];'
    assert edge_line(dot, "a2", "c") == (
        '"a2" -> "c" [color="#2f6fd6", fontcolor="#0f2f66", style="dotted", penwidth="1.8", class="wf-waiting"];')


def test_the_debugger_picture_shows_path_route_and_waiting_join(join_app, loop_app):
    debugger = Debugger(join_app, {"log": []})
    debugger.step_button.click()
    view = debugger.graph_view
    assert view.waiting == (("c", ("a2",)),)
    assert view.path_edges == (("__start__", "a", 1), ("__start__", "b", 1))
    assert view.next_edges == (("a", "a2"),)
    assert "join into c waits for: a2" in view.summary()

    debugger = Debugger(loop_app, {})
    debugger.run_button.click()
    view = debugger.graph_view
    assert view.path_edges == (("__start__", "generate", 1), ("generate", "evaluate", 3),
                               ("evaluate", "generate", 2), ("evaluate", "__end__", 1))
    assert view.summary().splitlines()[-1] == (
        "path: __start__ -> generate, generate -> evaluate ×3, evaluate -> generate ×2, evaluate -> __end__")
    assert view.svg.count('class="edge wf&#45;path"') == 3 and view.svg.count('class="edge wf&#45;taken"') == 1


def test_mark_rejects_a_path_edge_that_is_not_in_the_graph(loop_app):
    view = GraphView(loop_app)
    with pytest.raises(ValueError) as caught:
        view.mark(path_edges=[("evaluate", "nowhere", 2)])
    assert str(caught.value) == (
        "GraphView.mark(path_edges=...) names ('evaluate', 'nowhere', 2), not an edge of graph `LangGraph`; "
        "give (source, target) pairs of its edges")


def test_the_timeline_counts_send_tasks_instead_of_repeating_their_node(send_app):
    debugger = Debugger(send_app, {})
    debugger.run_button.click()
    labels = [label for label, _ in debugger.timeline_view.options]
    assert labels == ["\u2003 step 0 · input", "\u2003 step 1 · orchestrator", "\u2003 step 2 · llm_call ×3 (Send)",
                      "▶ step 3 · synthesizer"]
