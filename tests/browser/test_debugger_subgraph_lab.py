"""Stepping into a subgraph in the Debugger, in a real JupyterLab clicked in headless Chromium (issue 28):
Step into opens the `research` subgraph, Step runs its supersteps one at a time (nested under the parent's
step in the timeline), its interrupt is answered with the review panel's Approve, Back goes back inside it,
and the parent's Step takes its result."""

import textwrap

import pytest

pytestmark = pytest.mark.browser

GRAPH = textwrap.dedent('''
    import operator
    from typing import Annotated, TypedDict

    from wfkit import END, START, StateGraph, interrupt
    from wfkit.widgets import Debugger


    class S(TypedDict):
        log: Annotated[list, operator.add]


    def ask(state):
        return {"log": [f"ask:{interrupt('ok?')}"]}


    sub = StateGraph(S)
    sub.add_node("search", lambda s: {"log": ["search"]})
    sub.add_node("ask", ask)
    sub.add_edge(START, "search")
    sub.add_edge("search", "ask")
    sub.add_edge("ask", END)
    parent = StateGraph(S)
    parent.add_node("plan", lambda s: {"log": ["plan"]})
    parent.add_node("research", sub.compile())
    parent.add_edge(START, "plan")
    parent.add_edge("plan", "research")
    parent.add_edge("research", END)
    dbg = Debugger(parent.compile(), {"log": []})
    dbg
''')


def options(lab) -> list[str]:
    """The timeline's rows as shown, their spaces (non-breaking, em: the indents) made plain ones."""
    return [" ".join(t.split()) for t in lab.page.locator(".wf-timeline select option").all_inner_texts()]


def test_step_into_a_subgraph_answer_its_interrupt_and_go_back(lab):
    lab.open_and_run(lab.write_notebook("subgraph.ipynb", [GRAPH]))
    lab.status("step 0 · paused; next: plan")
    debugger = lab.page.locator(".wf-debugger")
    debugger.locator(".wf-step").click()
    lab.status("step 1 · paused; next: research")
    debugger.locator(".wf-step-into").click()
    lab.status("step 2 › research › step 0 · paused; next: search")
    assert lab.text(".wf-debugger b:has-text('Inside')") == "Inside step 2 › research"
    debugger.locator(".wf-step").click()
    lab.status("step 2 › research › step 1 · paused; next: ask")
    debugger.locator(".wf-step").click()
    lab.status("step 2 › research › step 2 · waiting for 1 answer(s)")
    assert options(lab) == ["step 0 · input", "step 1 · plan", "step 2 › research › step 0 · input",
                            "step 2 › research › step 1 · search", "▶ step 2 › research › step 2 · ask · interrupted"]
    assert lab.text(".wf-review .wf-payload") == "ok?"
    lab.page.locator(".wf-review .wf-approve").click()
    lab.status("step 1 · paused; next: research · the subgraph is done: Step runs step 2 with its result")
    debugger.locator(".wf-back").click()
    lab.status("step 2 › research › step 1 · paused; next: ask")
    assert lab.kernel_print("print(dbg.inner.state)") == "{'log': ['plan', 'search']}\n"
    debugger.locator(".wf-step").click()  # the stored step ahead: walked again, not run
    lab.status("step 1 · paused; next: research")
    debugger.locator(".wf-step").click()
    lab.status("step 2 · finished")
    assert lab.kernel_print("print(dbg.run.state)") == "{'log': ['plan', 'plan', 'search', 'ask:True']}\n"
    lab.shot("subgraph", "finished")
