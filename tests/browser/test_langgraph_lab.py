"""The Debugger in a real JupyterLab on a graph built with LangGraph itself (issue 30), clicked in headless
Chromium: Step and Run (LangGraph runs each superstep), the ReviewPanel's Approve answering LangGraph's
`interrupt()` into its own checkpointer, and going back on the timeline."""

import textwrap

import pytest

pytestmark = pytest.mark.browser

LANGGRAPH = textwrap.dedent('''
    import operator
    from typing import Annotated, TypedDict

    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import interrupt

    from wfkit.widgets import Debugger


    class Draft(TypedDict, total=False):
        trace: Annotated[list, operator.add]
        draft: str
        approved: bool


    builder = StateGraph(Draft)
    builder.add_node("write", lambda s: {"trace": ["write"], "draft": "Ship on Friday"})
    builder.add_node("review", lambda s: {"trace": ["review"], "approved": interrupt(f"Send **{s['draft']}**?")})
    builder.add_node("send", lambda s: {"trace": ["sent" if s["approved"] else "held"]})
    builder.add_edge(START, "write")
    builder.add_edge("write", "review")
    builder.add_edge("review", "send")
    builder.add_edge("send", END)
    graph = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "browser-1"}}
    dbg = Debugger(graph, {"trace": []}, config)
    dbg
''')


def test_step_answer_and_go_back_on_a_langgraph_graph(lab):
    lab.open_and_run(lab.write_notebook("langgraph.ipynb", [LANGGRAPH]))
    lab.status("step 0 · paused; next: write")
    assert lab.kernel_print("print(type(dbg.run).__name__, type(graph).__module__)") == (
        "LangGraphRun langgraph.graph.state\n")

    lab.page.locator(".wf-debugger .wf-step").click()
    lab.status("step 1 · paused; next: review")
    expected = {"current": ["write"], "next": ["review"], "visited": ["__start__"]}
    assert lab.marks(**expected) == expected
    expected = "State after step 1 (changed: trace, draft) trace ✎ +1 appended write draft ✎ Ship on Friday"
    assert lab.text(".wf-inspector .wf-state", expected) == expected

    lab.page.locator(".wf-debugger .wf-run").click()
    lab.status("step 2 · waiting for 1 answer(s)")
    review = lab.page.locator(".wf-review")
    review.wait_for(state="visible")
    assert lab.text(".wf-review .wf-payload") == "Send Ship on Friday?"
    assert lab.marks(interrupted=["review"]) == {"interrupted": ["review"]}
    lab.shot("langgraph", "review")
    review.locator(".wf-approve").click()

    lab.status("step 3 · finished")
    assert lab.page.locator(".wf-review").count() == 0
    assert lab.kernel_print("print(graph.get_state(config).values)") == (  # in LangGraph's own checkpointer
        "{'trace': ['write', 'review', 'sent'], 'draft': 'Ship on Friday', 'approved': True}\n")

    lab.page.locator(".wf-timeline select").select_option(index=1)
    lab.page.locator(".wf-inspector .wf-title", has_text="step 1: ran write").wait_for()
    lab.page.locator(".wf-debugger .wf-goto").click()
    lab.status("step 1 · paused; next: review")
    options = lab.page.locator(".wf-timeline select option").all_inner_texts()
    assert [" ".join(o.split()) for o in options] == [
        "step 0 · input", "▶ step 1 · write", "step 2 · review · interrupted", "step 2 · review · ahead",
        "step 3 · send · ahead"]
    assert lab.kernel_print("print(dbg.run.state, dbg.run.checkpoint_id == "
                            "[s for s in graph.get_state_history(config) if s.metadata['step'] == 1][0]"
                            ".config['configurable']['checkpoint_id'])") == (
        "{'trace': ['write'], 'draft': 'Ship on Friday'} True\n")
    lab.shot("langgraph", "went-back")
