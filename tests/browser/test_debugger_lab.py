"""The Debugger in a real JupyterLab, clicked in headless Chromium: the guide's calculator agent (sample 15,
on `default_model()`, which is the offline model here) stepped three times, a breakpoint and Run, the
timeline, an interrupt answered through the ReviewPanel's form, and a slow step during which the kernel
still answers. Each test opens its own notebook (and kernel) in the session's one Lab."""

import textwrap

import pytest

pytestmark = pytest.mark.browser

AGENT = textwrap.dedent('''
    from typing import Literal

    from wfkit import END, START, MessagesState, StateGraph
    from wfkit.llm import default_model, tool
    from wfkit.messages import HumanMessage, SystemMessage, ToolMessage

    llm = default_model()


    @tool
    def multiply(a: int, b: int) -> int:
        """Multiply `a` and `b`."""
        return a * b


    @tool
    def add(a: int, b: int) -> int:
        """Adds `a` and `b`."""
        return a + b


    tools = [add, multiply]
    tools_by_name = {tool.name: tool for tool in tools}
    llm_with_tools = llm.bind_tools(tools)


    def llm_call(state: MessagesState):
        """LLM decides whether to call a tool or not"""
        system = SystemMessage(content="You are a helpful assistant tasked with performing arithmetic.")
        return {"messages": [llm_with_tools.invoke([system] + state["messages"])]}


    def tool_node(state: dict):
        """Performs the tool call"""
        result = []
        for tool_call in state["messages"][-1].tool_calls:
            observation = tools_by_name[tool_call["name"]].invoke(tool_call["args"])
            result.append(ToolMessage(content=observation, tool_call_id=tool_call["id"]))
        return {"messages": result}


    def should_continue(state: MessagesState) -> Literal["tool_node", END]:
        return "tool_node" if state["messages"][-1].tool_calls else END


    agent_builder = StateGraph(MessagesState)
    agent_builder.add_node("llm_call", llm_call)
    agent_builder.add_node("tool_node", tool_node)
    agent_builder.add_edge(START, "llm_call")
    agent_builder.add_conditional_edges("llm_call", should_continue, ["tool_node", END])
    agent_builder.add_edge("tool_node", "llm_call")
    agent = agent_builder.compile()
''')

DEBUGGER = textwrap.dedent('''
    from wfkit.widgets import Debugger

    dbg = Debugger(agent, {"messages": [HumanMessage(content="Add 3 and 4.")]})
    dbg
''')

# The same agent with a human review before any tool runs; the answer must be a `Decision`.
REVIEWED_AGENT = textwrap.dedent('''
    from typing import Annotated, TypedDict

    from pydantic import BaseModel, Field

    from wfkit import add_messages, interrupt


    class Decision(BaseModel):
        approved: bool
        confidence: int = Field(ge=1, le=5)
        note: str = ""


    class Reviewed(TypedDict):
        messages: Annotated[list, add_messages]
        approved: bool
        review_note: str


    def human_review(state: Reviewed):
        call = state["messages"][-1].tool_calls[0]
        decision = interrupt(f"Run **{call['name']}** with `{call['args']}`?")
        return {"approved": decision.approved, "review_note": decision.note}


    builder = StateGraph(Reviewed)
    builder.add_node("llm_call", llm_call)
    builder.add_node("human_review", human_review)
    builder.add_node("tool_node", tool_node)
    builder.add_edge(START, "llm_call")
    builder.add_conditional_edges(
        "llm_call", lambda s: "human_review" if s["messages"][-1].tool_calls else END, ["human_review", END])
    builder.add_conditional_edges(
        "human_review", lambda s: "tool_node" if s["approved"] else END, ["tool_node", END])
    builder.add_edge("tool_node", "llm_call")
    reviewed_agent = builder.compile()

    from wfkit.widgets import Debugger

    dbg = Debugger(reviewed_agent, {"messages": [HumanMessage(content="Add 3 and 4.")]}, answer_model=Decision)
    dbg
''')

SLOW = textwrap.dedent('''
    import asyncio, operator
    from typing import Annotated, TypedDict

    from wfkit import END, START, StateGraph
    from wfkit.widgets import Debugger


    class Log(TypedDict):
        log: Annotated[list, operator.add]


    async def slow(state):
        await asyncio.sleep(2)
        return {"log": ["slow"]}


    async def quick(state):
        return {"log": ["quick"]}


    builder = StateGraph(Log)
    builder.add_node("slow", slow)
    builder.add_node("quick", quick)
    builder.add_edge(START, "slow")
    builder.add_edge(START, "quick")
    builder.add_edge("slow", END)
    builder.add_edge("quick", END)
    dbg = Debugger(builder.compile(), {"log": []})
    dbg
''')


def test_step_three_times_through_the_calculator_agent(lab):
    lab.open_and_run(lab.write_notebook("step.ipynb", [AGENT, DEBUGGER]))
    assert lab.status("step 0 · paused; next: llm_call") == "step 0 · paused; next: llm_call"
    assert lab.marks(current=["__start__"], next=["llm_call"]) == {"current": ["__start__"], "next": ["llm_call"]}
    step = lab.page.locator(".wf-debugger .wf-step")

    step.click()
    lab.status("step 1 · paused; next: tool_node")
    expected = {"current": ["llm_call"], "next": ["tool_node"], "visited": ["__start__"]}
    assert lab.marks(**expected) == expected
    expected = "State after step 1 (changed: messages) messages ✎ 1 kept, +1 appended ai → add(a=3, b=4)"
    assert lab.text(".wf-inspector .wf-state", expected) == expected
    assert lab.titles("g.edge.wf-taken") == ["__start__->llm_call"]

    step.click()
    lab.status("step 2 · paused; next: llm_call")
    # llm_call ran before and runs next: "next" wins in the picture (the legend's precedence)
    expected = {"current": ["tool_node"], "next": ["llm_call"], "visited": ["__start__"]}
    assert lab.marks(**expected) == expected
    call_id = lab.kernel_print("print(dbg.run.state['messages'][1].tool_calls[0]['id'])").strip()
    expected = f"State after step 2 (changed: messages) messages ✎ 2 kept, +1 appended tool ← {call_id} 7"
    assert lab.text(".wf-inspector .wf-state", expected) == expected

    step.click()
    lab.status("step 3 · finished")
    expected = {"current": ["llm_call"], "next": ["__end__"], "visited": ["__start__", "tool_node"]}
    assert lab.marks(**expected) == expected
    expected = "State after step 3 (changed: messages) messages ✎ 3 kept, +1 appended ai The answer is 7."
    assert lab.text(".wf-inspector .wf-state", expected) == expected
    assert step.is_disabled()
    lab.shot("step", "finished")
    assert lab.kernel_print("print(dbg.run.done, dbg.run.state['messages'][-1].content)") == "True The answer is 7.\n"


def test_breakpoint_then_run_and_jump_back_on_the_timeline(lab):
    lab.open_and_run(lab.write_notebook("breakpoint.ipynb", [AGENT, DEBUGGER]))
    lab.status("step 0 · paused; next: llm_call")
    lab.page.locator(".wf-debugger .wf-breakpoint", has_text="tool_node").click()
    lab.page.wait_for_function("() => document.querySelector('.wf-breakpoint.mod-active') !== null")
    assert lab.kernel_print("print(sorted(dbg.run.breakpoints))") == "['tool_node']\n"

    lab.page.locator(".wf-debugger .wf-run").click()
    lab.status("step 1 · paused; next: tool_node · stopped at the breakpoint on tool_node")
    assert lab.marks(current=["llm_call"], next=["tool_node"]) == {"current": ["llm_call"], "next": ["tool_node"]}
    lab.page.locator(".wf-inspector .wf-next", has_text="(breakpoint: Run stops before this superstep)").wait_for()
    lab.shot("breakpoint", "stopped")

    lab.page.locator(".wf-debugger .wf-run").click()  # from the breakpoint, Run steps over it
    lab.status("step 3 · finished")

    lab.page.locator(".wf-timeline select").select_option(index=1)
    lab.page.locator(".wf-inspector .wf-title", has_text="step 1: ran llm_call").wait_for()
    assert lab.marks(current=["llm_call"]) == {"current": ["llm_call"]}
    lab.page.locator(".wf-debugger .wf-goto").click()
    lab.status("step 1 · paused; next: tool_node")
    options = lab.page.locator(".wf-timeline select option").all_inner_texts()
    assert [" ".join(o.split()) for o in options] == [
        "step 0 · input", "▶ step 1 · llm_call", "step 2 · tool_node · ahead",
        "step 3 · llm_call · ahead"]
    lab.shot("breakpoint", "went-back")


def test_answer_an_interrupt_through_the_review_panel_form(lab):
    lab.open_and_run(lab.write_notebook("review.ipynb", [AGENT, REVIEWED_AGENT]))
    lab.page.locator(".wf-debugger .wf-run").click()
    lab.status("step 2 · waiting for 1 answer(s)")
    review = lab.page.locator(".wf-review")
    review.wait_for(state="visible")
    assert lab.text(".wf-review .wf-payload") == "Run add with {'a': 3, 'b': 4}?"
    assert lab.marks(interrupted=["human_review"]) == {"interrupted": ["human_review"]}

    review.locator(".wf-submit").click()  # `confidence` is required: the first submit says so under it
    review.locator(".wf-field-error", has_text="Input should be").wait_for()
    assert review.locator(".wf-field-error").all_inner_texts() == [
        "", "Input should be a valid integer, unable to parse string as an integer", ""]
    assert lab.kernel_print("print(dbg.run.done, len(dbg.run.interrupts))") == "False 1\n"
    review.locator(".wf-field-confidence input").fill("9")
    review.locator(".wf-submit").click()
    review.locator(".wf-field-error", has_text="less than or equal").wait_for()
    assert lab.text(".wf-review .wf-field-error >> nth=1") == "Input should be less than or equal to 5"
    review.locator(".wf-field-confidence input").fill("4")
    review.locator(".wf-field-note textarea").fill("looks right")
    review.locator(".wf-field-approved input[type=checkbox]").check()
    lab.shot("review", "form")
    review.locator(".wf-submit").click()

    lab.status("step 4 · finished")
    assert lab.page.locator(".wf-review").count() == 0
    lab.page.locator(".wf-inspector .wf-state", has_text="looks right").wait_for()
    state = lab.text(".wf-inspector .wf-state")
    assert "review_note looks right" in state and "The answer is 7." in state
    lab.shot("review", "finished")
    assert lab.kernel_print(
        "print(dbg.run.done, dbg.run.state['approved'], dbg.run.state['review_note'], "
        "dbg.run.state['messages'][-1].content)") == "True True looks right The answer is 7.\n"


def test_the_kernel_answers_while_a_slow_step_runs(lab):
    lab.open_and_run(lab.write_notebook("slow.ipynb", [SLOW]))
    lab.status("step 0 · paused; next: quick, slow")
    lab.page.locator(".wf-debugger .wf-step").click()
    lab.page.locator(".wf-running", has_text="running: slow").wait_for()
    assert lab.text(".wf-running") == "running: slow"
    assert lab.marks(running=["slow"], current=[]) == {"running": ["slow"], "current": []}
    # The superstep is still under way, yet the kernel runs this at once: its loop is not blocked.
    assert lab.kernel_print("print(dbg.busy, list(dbg.watcher.running.values()))") == "step ['slow']\n"
    lab.shot("slow", "running")
    lab.status("step 1 · finished")
    assert lab.text(".wf-running", "") == ""


def test_stop_cancels_a_slow_step_and_keeps_the_finished_task(lab):
    lab.open_and_run(lab.write_notebook("stop.ipynb", [SLOW.replace("asyncio.sleep(2)", "asyncio.sleep(600)")]))
    lab.status("step 0 · paused; next: quick, slow")
    lab.page.locator(".wf-debugger .wf-step").click()
    lab.page.locator(".wf-running", has_text="running: slow").wait_for()
    lab.page.locator(".wf-debugger .wf-stop").click()
    lab.status("step 0 · paused; next: quick, slow · stopped: step 1 was cancelled; Step runs again: slow")
    assert lab.page.locator(".wf-debugger .wf-stop").is_disabled()
    assert lab.kernel_print("print(dbg.busy, dbg.run.step_number, dbg.run.state)") == "None 0 {'log': []}\n"
    lab.shot("stop", "stopped")


XSS = textwrap.dedent('''
    from typing import Any, TypedDict

    from wfkit import END, START, StateGraph, interrupt
    from wfkit.widgets import Debugger

    PAYLOAD = ('Publish? [click me](&#106;avascript:window.__pwned=1) <img src=x onerror="window.__pwned=2"> '
               '<svg onload="window.__pwned=3"></svg> [ref][r]\\n\\n[r]: javascript:window.__pwned=4')


    class Doc(TypedDict):
        draft: str
        verdict: Any


    def write(state):
        return {"draft": PAYLOAD}


    def review(state):
        return {"verdict": interrupt(state["draft"])}


    builder = StateGraph(Doc)
    builder.add_node(write)
    builder.add_node(review)
    builder.add_edge(START, "write")
    builder.add_edge("write", "review")
    builder.add_edge("review", END)
    dbg = Debugger(builder.compile(), {"draft": '<img src=x onerror="window.__pwned=5">', "verdict": None})
    dbg
''')


def test_untrusted_text_in_a_payload_and_the_state_runs_no_script(lab):
    lab.open_and_run(lab.write_notebook("xss.ipynb", [XSS]))
    lab.page.locator(".wf-debugger .wf-run").click()
    lab.status("step 2 · waiting for 1 answer(s)")
    payload = lab.page.locator(".wf-review .wf-payload")
    payload.wait_for(state="visible")
    lab.page.wait_for_timeout(1000)  # an <img onerror> would have fired by now
    assert lab.page.evaluate("() => window.__pwned === undefined") is True
    # The payload is shown as the text it is: the refused link keeps its words, the tags are visible text.
    shown = lab.text(".wf-review .wf-payload")
    assert shown.startswith("Publish? [click me](javascript:window.__pwned=1) <img src=x onerror=")
    assert lab.page.locator(".wf-debugger img, .wf-debugger iframe, .wf-debugger script").count() == 0
    hrefs = lab.page.locator(".wf-debugger a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert [h for h in hrefs if h and not h.startswith(("http:", "https:", "mailto:"))] == []
    lab.page.locator(".wf-review .wf-payload p").first.click()  # where the link would have been
    lab.page.wait_for_timeout(300)
    assert lab.page.evaluate("() => window.__pwned === undefined") is True
    lab.shot("xss", "inert")
