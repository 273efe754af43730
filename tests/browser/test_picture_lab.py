"""The picture explains the patterns (issue 32), in a real JupyterLab: on a router the chosen route and the
routes not taken are marked, on a loop an edge taken several times carries its "×n", and a Send fan-out
lists its tasks beside the node. Asserted on the SVG's edge classes and label texts."""

import textwrap
import time

import pytest

pytestmark = pytest.mark.browser

ROUTER = textwrap.dedent('''
    from typing import TypedDict

    from wfkit import END, START, StateGraph
    from wfkit.widgets import Debugger


    class RouteState(TypedDict, total=False):
        topic: str
        out: str


    def write(kind):
        return lambda state: {"out": kind}


    builder = StateGraph(RouteState)
    builder.add_node("router", lambda state: {})
    for kind in ("poem", "story", "joke"):
        builder.add_node(kind, write(kind))
        builder.add_edge(kind, END)
    builder.add_edge(START, "router")
    builder.add_conditional_edges("router", lambda state: "to story",
                                  {"to poem": "poem", "to story": "story", "to joke": "joke"})
    dbg = Debugger(builder.compile(), {"topic": "cats"})
    dbg
''')

LOOP = textwrap.dedent('''
    from typing import TypedDict

    from wfkit import END, START, StateGraph
    from wfkit.widgets import Debugger


    class LoopState(TypedDict, total=False):
        topic: str
        joke: str
        n: int
        verdict: str


    def generate(state):
        n = state.get("n", 0) + 1
        return {"joke": f"joke {n} about {state.get('topic')}", "n": n}


    def evaluate(state):
        return {"verdict": "good" if state["n"] >= 3 else "again"}


    def route(state):
        return "Accepted" if state["verdict"] == "good" else "Rejected + Feedback"


    builder = StateGraph(LoopState)
    builder.add_node("generate", generate)
    builder.add_node("evaluate", evaluate)
    builder.add_edge(START, "generate")
    builder.add_edge("generate", "evaluate")
    builder.add_conditional_edges("evaluate", route, {"Accepted": END, "Rejected + Feedback": "generate"})
    dbg = Debugger(builder.compile(), {"topic": "cats"})
    dbg
''')

SEND = textwrap.dedent('''
    import operator
    from typing import Annotated, TypedDict

    from wfkit import END, START, Send, StateGraph
    from wfkit.widgets import Debugger


    class SendState(TypedDict, total=False):
        sections: list
        done: Annotated[list, operator.add]


    builder = StateGraph(SendState)
    builder.add_node("orchestrator", lambda state: {"sections": ["Intro", "Method", "Results"]})
    builder.add_node("llm_call", lambda state: {"done": [state["section"]]})
    builder.add_node("synthesizer", lambda state: {})
    builder.add_edge(START, "orchestrator")
    builder.add_conditional_edges("orchestrator", lambda state: [Send("llm_call", {"section": s})
                                                                for s in state["sections"]], ["llm_call"])
    builder.add_edge("llm_call", "synthesizer")
    builder.add_edge("synthesizer", END)
    dbg = Debugger(builder.compile(), {})
    dbg
''')

# {edge title: [its classes besides "edge"]} of every edge group of the Debugger's picture
EDGE_CLASSES_JS = """() => Object.fromEntries([...document.querySelectorAll('.wf-debugger .wf-graph-view g.edge')]
  .map(g => [g.querySelector(':scope > title').textContent,
             [...g.classList].filter(c => c !== 'edge').sort()]))"""
# {edge title: [the texts drawn in its group]}: its label, and a count "×n" as head label
EDGE_TEXTS_JS = """() => Object.fromEntries([...document.querySelectorAll('.wf-debugger .wf-graph-view g.edge')]
  .map(g => [g.querySelector(':scope > title').textContent,
             [...g.querySelectorAll('text')].map(t => t.textContent)]))"""
# the texts drawn in node `title`'s group: its name, and its external label (one <text> per line)
NODE_TEXTS_JS = """(title) => { const g = [...document.querySelectorAll('.wf-debugger .wf-graph-view g.node')]
  .find(g => g.querySelector(':scope > title').textContent === title);
  return g ? [...g.querySelectorAll('text')].map(t => t.textContent) : null; }"""


def settled(lab, script, expected, arg=None):
    """What `script` returns once it equals `expected`, or after 10 s (the picture lands after the status)."""
    deadline = time.time() + 10
    while True:
        actual = lab.page.evaluate(script, arg) if arg is not None else lab.page.evaluate(script)
        if actual == expected or time.time() > deadline:
            return actual
        time.sleep(0.05)


def test_a_router_marks_the_chosen_route_and_the_routes_not_taken(lab):
    lab.open_and_run(lab.write_notebook("picture-router.ipynb", [ROUTER]))
    lab.status("step 0 · paused; next: router")
    expected = {"__start__->router": ["wf-chosen"], "router->poem": [], "router->story": [], "router->joke": [],
                "poem->__end__": [], "story->__end__": [], "joke->__end__": []}
    assert settled(lab, EDGE_CLASSES_JS, expected) == expected  # no route is known before the router runs

    lab.page.locator(".wf-debugger .wf-step").click()
    lab.status("step 1 · paused; next: story")
    expected = {"__start__->router": ["wf-taken"], "router->poem": ["wf-not-taken"],
                "router->story": ["wf-chosen"], "router->joke": ["wf-not-taken"],
                "poem->__end__": [], "story->__end__": [], "joke->__end__": []}
    assert settled(lab, EDGE_CLASSES_JS, expected) == expected
    assert lab.titles("g.edge.wf-chosen") == ["router->story"]
    assert lab.marks(current=["router"], next=["story"]) == {"current": ["router"], "next": ["story"]}
    # the path_map's labels stay on the edges, the not-taken ones greyed by their class
    texts = lab.page.evaluate(EDGE_TEXTS_JS)
    assert (texts["router->poem"], texts["router->story"], texts["router->joke"]) == (
        ["to poem"], ["to story"], ["to joke"])
    lab.shot("picture", "route-chosen")

    lab.page.locator(".wf-debugger .wf-step").click()
    lab.status("step 2 · finished")
    expected = {"__start__->router": ["wf-path"], "router->poem": ["wf-not-taken"],
                "router->story": ["wf-taken"], "router->joke": ["wf-not-taken"],
                "poem->__end__": [], "story->__end__": ["wf-path"], "joke->__end__": []}
    assert settled(lab, EDGE_CLASSES_JS, expected) == expected
    lab.shot("picture", "route-finished")


def test_a_loop_edge_taken_several_times_carries_its_count(lab):
    lab.open_and_run(lab.write_notebook("picture-loop.ipynb", [LOOP]))
    lab.status("step 0 · paused; next: generate")
    lab.page.locator(".wf-debugger .wf-run").click()
    lab.status("step 6 · finished")
    # the back edge's title names the ports it is drawn round; the last step's edge in is "taken", the rest
    # of the way (the end edge included) is the "path"
    expected = {"__start__->generate": ["wf-path"], "generate->evaluate": ["wf-taken"],
                "evaluate:e->generate:e": ["wf-path"], "evaluate->__end__": ["wf-path"]}
    assert settled(lab, EDGE_CLASSES_JS, expected) == expected
    expected = {"__start__->generate": [], "generate->evaluate": ["×3"],
                "evaluate:e->generate:e": ["Rejected + Feedback", "×2"], "evaluate->__end__": ["Accepted"]}
    assert settled(lab, EDGE_TEXTS_JS, expected) == expected
    lab.shot("picture", "loop-counts")

    # back on the timeline, at step 3 (generate ran twice): the counts are those of the way there
    lab.page.locator(".wf-timeline select").select_option(index=3)
    lab.page.locator(".wf-inspector .wf-title", has_text="step 3: ran generate").wait_for()
    expected = {"__start__->generate": [], "generate->evaluate": [],
                "evaluate:e->generate:e": ["Rejected + Feedback"], "evaluate->__end__": ["Accepted"]}
    assert settled(lab, EDGE_TEXTS_JS, expected) == expected
    expected = {"__start__->generate": ["wf-path"], "generate->evaluate": ["wf-chosen"],
                "evaluate:e->generate:e": ["wf-taken"], "evaluate->__end__": ["wf-not-taken"]}
    assert settled(lab, EDGE_CLASSES_JS, expected) == expected


def test_a_send_fan_out_lists_its_tasks_beside_the_node(lab):
    lab.open_and_run(lab.write_notebook("picture-send.ipynb", [SEND]))
    lab.status("step 0 · paused; next: orchestrator")
    step = lab.page.locator(".wf-debugger .wf-step")
    step.click()
    lab.status("step 1 · paused; next: llm_call, llm_call, llm_call")
    step.click()
    lab.status("step 2 · paused; next: synthesizer")
    expected = ["llm_call", "3 Send tasks:", "#1 section: Intro", "#2 section: Method", "#3 section: Results"]
    assert settled(lab, NODE_TEXTS_JS, expected, "llm_call") == expected
    assert lab.marks(current=["llm_call"], next=["synthesizer"]) == {"current": ["llm_call"], "next": ["synthesizer"]}
    assert lab.page.evaluate(NODE_TEXTS_JS, "orchestrator") == ["orchestrator"]
    lab.shot("picture", "send-tasks")

    step.click()
    lab.status("step 3 · finished")
    assert settled(lab, NODE_TEXTS_JS, ["llm_call"], "llm_call") == ["llm_call"]  # the note is of its step only
