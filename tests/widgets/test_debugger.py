"""The Debugger driven from Python: buttons, marks on the picture, the timeline, the inspector, breakpoints,
forks, edits, errors, interrupts, slow async steps, and the static display."""

import asyncio
import xml.etree.ElementTree as ET

import pytest

from wfkit.widgets import Debugger, GraphView, ReviewPanel

EM = "\u2003"  # the timeline's blank marker column


def labels(debugger):
    return [label for label, _ in debugger.timeline_view.options]


def marks(debugger):
    view = debugger.graph_view
    return {"current": view.current, "next": view.next, "visited": view.visited,
            "interrupted": view.interrupted, "failed": view.failed, "taken_edges": view.taken_edges}


def svg_classes(svg):
    """node title -> its wf-* class in the SVG (unmarked nodes left out)."""
    ns = "{http://www.w3.org/2000/svg}"
    root = ET.fromstring(svg[svg.index("<svg"):])
    groups = [g for g in root.iter(ns + "g") if g.get("class", "").startswith("node")]
    return {g.find(ns + "title").text: g.get("class").split()[1] for g in groups if " " in g.get("class")}


def test_three_steps_of_the_calculator_agent(agent, question, text_of):
    debugger = Debugger(agent, question)
    assert isinstance(debugger.graph_view, GraphView)
    assert debugger.status_text() == "step 0 · paused; next: llm_call"
    assert marks(debugger) == {"current": ("__start__",), "next": ("llm_call",), "visited": (), "interrupted": (),
                               "failed": (), "taken_edges": ()}

    debugger.step_button.click()
    assert debugger.status_text() == "step 1 · paused; next: tool_node"
    assert marks(debugger) == {"current": ("llm_call",), "next": ("tool_node",), "visited": ("__start__",),
                               "interrupted": (), "failed": (), "taken_edges": (("__start__", "llm_call"),)}
    assert text_of(debugger.inspector.value) == (
        "step 1: ran llm_call — the run is here "
        "Tasks llm_call because the edge __start__ → llm_call input messages human Add 3 and 4. "
        "model human: Add 3 and 4. → add(a=3, b=4) "  # the model call the task made (a scripted one: no reason)
        "the 2 message(s) it was sent system You do arithmetic. human Add 3 and 4. "  # the system prompt too
        "wrote messages ai → add(a=3, b=4) "
        "State after step 1 (changed: messages) messages ✎ 1 kept, +1 appended ai → add(a=3, b=4) "
        "Next tool_node because the conditional edge of llm_call chose tool_node")

    debugger.step_button.click()
    assert marks(debugger)["taken_edges"] == (("llm_call", "tool_node"),)
    debugger.step_button.click()
    assert debugger.status_text() == "step 3 · finished"
    assert marks(debugger) == {"current": ("llm_call",), "next": ("__end__",),
                               "visited": ("__start__", "llm_call", "tool_node"), "interrupted": (), "failed": (),
                               "taken_edges": (("tool_node", "llm_call"),)}
    assert svg_classes(debugger.graph_view.svg) == {"__start__": "wf-visited", "llm_call": "wf-current",
                                                    "tool_node": "wf-visited", "__end__": "wf-next"}
    assert text_of(debugger.inspector.value).endswith(
        "State after step 3 (changed: messages) messages ✎ 3 kept, +1 appended ai The answer is 7. "
        "Next nothing: the run is finished")
    assert labels(debugger) == [f"{EM} step 0 · input", f"{EM} step 1 · llm_call", f"{EM} step 2 · tool_node",
                                "▶ step 3 · llm_call"]
    assert (debugger.step_button.disabled, debugger.run_button.disabled, debugger.back_button.disabled) == (
        True, True, False)
    assert debugger.watcher.lines == [
        "step 1 planned: llm_call", "step 1 started llm_call", "step 1 llm_call model output: 1 chunk(s)",
        "step 1 llm_call model replied add(a=3, b=4)", "step 1 finished llm_call: wrote messages", "step 1 applied: updated messages; next tool_node",
        "step 2 planned: tool_node", "step 2 started tool_node", "step 2 finished tool_node: wrote messages",
        "step 2 applied: updated messages; next llm_call", "step 3 planned: llm_call", "step 3 started llm_call",
        "step 3 llm_call model output: 4 chunk(s)", "step 3 llm_call model replied 'The answer is 7.'",
        "step 3 finished llm_call: wrote messages",
        "step 3 applied: updated messages; next END", "run finished after step 3"]
    assert text_of(debugger.events_view.value) == " ".join(" ".join(debugger.watcher.lines).split())
    assert debugger.run.state["messages"][-1].content == "The answer is 7."


def test_selecting_a_past_step_shows_it_without_moving_the_run(agent, question, text_of):
    debugger = Debugger(agent, question)
    debugger.run_all()
    debugger.timeline_view.value = 1  # what a click in the list does
    assert debugger.run.step_number == 3
    assert marks(debugger)["current"] == ("llm_call",) and marks(debugger)["next"] == ("tool_node",)
    assert text_of(debugger.inspector.value).startswith("step 1: ran llm_call Tasks")
    assert text_of(debugger.inspector.value).endswith("Next tool_node")
    assert debugger.goto_button.disabled is False

    debugger.goto_button.click()
    assert debugger.run.step_number == 1
    assert labels(debugger) == [f"{EM} step 0 · input", "▶ step 1 · llm_call",
                                f"{EM} step 2 · tool_node · ahead", f"{EM} step 3 · llm_call · ahead"]
    debugger.select(3)  # a step ahead on the branch can be gone to
    assert debugger.goto_button.disabled is False
    assert text_of(debugger.inspector.value).startswith(
        "step 3: ran llm_call — ahead on this branch: Step goes here again without running it")
    debugger.step()  # forward along the stored branch: nothing runs again, no fork
    assert labels(debugger) == [f"{EM} step 0 · input", f"{EM} step 1 · llm_call",
                                "▶ step 2 · tool_node", f"{EM} step 3 · llm_call · ahead"]
    assert debugger.watcher.lines[-2:] == [
        "went to step 1", "forward to step 2, stored on this branch (nothing ran again)"]
    assert len(debugger.run.history) == 3 and debugger.run.state["messages"][-1].content == "7"
    debugger.select(3)
    debugger.goto_button.click()
    assert debugger.run.done and labels(debugger)[-1] == "▶ step 3 · llm_call"
    debugger.goto(1)
    debugger.edit({"messages": []})  # something changed: stepping on forks, the old steps are off path
    debugger.step()
    assert labels(debugger) == [f"{EM} step 0 · input", f"{EM} step 1 · llm_call",
                                f"{EM} step 2 · tool_node · off path", f"{EM} step 3 · llm_call · off path",
                                f"{EM} ↳ step 1 · edited (no change)", f"▶{EM} step 2 · tool_node · branch 1"]


def test_breakpoints_stop_run_before_the_node(agent, question):
    debugger = Debugger(agent, question)
    assert list(debugger.breakpoint_toggles) == ["llm_call", "tool_node"]
    debugger.breakpoint_toggles["tool_node"].value = True
    assert debugger.run.breakpoints == {"tool_node"}

    records = debugger.run_all()
    assert [r.step for r in records] == [1]
    assert debugger.status_text() == "step 1 · paused; next: tool_node · stopped at the breakpoint on tool_node"
    assert "(breakpoint: Run stops before this superstep)" in debugger.inspector.value

    records = debugger.run_button.click()  # from the breakpoint, Run steps over it
    assert debugger.run.done and debugger.run.step_number == 3
    debugger.breakpoint_toggles["tool_node"].value = False
    assert debugger.run.breakpoints == set()


def test_back_and_reset(agent, question):
    debugger = Debugger(agent, question, breakpoints=["tool_node"])
    debugger.step()
    debugger.step()
    debugger.back_button.click()
    assert debugger.run.step_number == 1 and debugger.status_text() == "step 1 · paused; next: tool_node"
    assert marks(debugger)["current"] == ("llm_call",)
    first_run = debugger.run
    debugger.reset_button.click()
    assert debugger.run is not first_run and debugger.run.step_number == 0
    assert debugger.run.breakpoints == {"tool_node"}
    assert debugger.breakpoint_toggles["tool_node"].value is True
    assert labels(debugger) == ["▶ step 0 · input"]
    assert debugger.watcher.lines == ["reset: a new run from the same input"]
    assert debugger.back_button.disabled is True


def test_a_failing_node_is_shown_with_its_traceback_and_stepping_again_retries(flaky, text_of):
    debugger = Debugger(flaky.app, {"n": 1, "log": []})
    debugger.step()
    assert debugger.step() is None  # no exception reaches the caller
    assert debugger.status_text() == "step 1 · failed: second"
    assert marks(debugger)["failed"] == ("second",)
    assert svg_classes(debugger.graph_view.svg)["second"] == "wf-failed"
    shown = text_of(debugger.error_view.value)
    assert shown.startswith("superstep 2 failed in node `second`; the run stays at step 1 — fix the cause and "
                            "press Step to retry Traceback (most recent call last):")
    assert shown.endswith("ValueError: second needs n > 5, got 2 while running node `second` in superstep 2")
    assert "wfkit/engine" not in shown  # the engine's own frames are left out
    assert debugger.watcher.lines[-1] == "step 2 second failed: ValueError: second needs n > 5, got 2"

    flaky.fail = False
    record = debugger.step()
    assert record.step == 2 and debugger.error is None and debugger.error_view.value == ""
    assert debugger.status_text() == "step 2 · finished" and marks(debugger)["failed"] == ()


def test_edit_through_the_text_area_changes_only_the_edited_keys(flaky, text_of):
    debugger = Debugger(flaky.app, {"n": 1, "log": []})
    debugger.step()
    assert debugger.edit_text.value == '{\n "n": 2,\n "log": [\n  "first"\n ]\n}'
    debugger.edit_text.value = '{"n": 10, "log": ["first"]}'
    debugger.edit_apply.click()
    assert debugger.run.state == {"n": 10, "log": ["first"]}  # `log` has a reducer: sending it again would double it
    assert labels(debugger)[-1] == "▶ step 1 · edited n"
    assert text_of(debugger.inspector.value) == (
        "step 1: the state was edited (n) — the run is here State after step 1 (changed: n) n ✎ 2 → 10 "
        "log first Next second because the edge first → second")

    debugger.edit_text.value = '{"m": 1}'
    debugger.edit_apply.click()
    assert text_of(debugger.edit_note.value) == "`m` is not a key of the state; its keys are n, log"
    debugger.edit_text.value = '{"n": '
    debugger.edit_apply.click()
    assert text_of(debugger.edit_note.value) == "not valid JSON: Expecting value: line 1 column 7 (char 6)"


def test_edit_box_replaces_reducer_keys_and_edits_messages(agent, question, flaky):
    import json

    debugger = Debugger(agent, question)
    debugger.step()
    shown = json.loads(debugger.edit_text.value)
    ai_id = debugger.run.state["messages"][1].id
    assert shown == {"messages": [
        {"type": "human", "content": "Add 3 and 4.", "id": "q1"},
        {"type": "ai", "content": "", "id": ai_id,
         "tool_calls": [{"name": "add", "args": {"a": 3, "b": 4}, "id": "call_1", "type": "tool_call"}]}]}
    assert debugger.edit_note.value == ""
    shown["messages"][1]["tool_calls"][0]["args"]["a"] = 30  # change the model's tool call, then step on
    debugger.edit_text.value = json.dumps(shown)
    debugger.edit_apply.click()
    messages = debugger.run.state["messages"]
    assert [m.id for m in messages] == ["q1", ai_id]  # replaced in place, nothing appended
    assert messages[1].tool_calls[0]["args"] == {"a": 30, "b": 4}
    debugger.step()
    assert debugger.run.state["messages"][-1].content == "34"

    debugger = Debugger(flaky.app, {"n": 1, "log": []})  # a plain list under operator.add: replaced too
    debugger.step()
    debugger.edit_text.value = '{"log": ["edited", "twice"]}'
    debugger.edit_apply.click()
    assert debugger.run.state == {"n": 2, "log": ["edited", "twice"]}


def test_a_step_off_the_current_path_cannot_be_edited(flaky, text_of):
    flaky.fail = False
    debugger = Debugger(flaky.app, {"n": 1, "log": []})
    debugger.run_all()
    debugger.goto(1)
    debugger.select(2)  # ahead on the branch: go there first
    debugger.edit_text.value = '{"n": 3}'
    debugger.edit_apply.click()
    assert text_of(debugger.edit_note.value) == "this step is ahead of the run: press Go to this step, then edit there"
    debugger.edit({"n": 5})  # a fork: the old step 2 is off the path now
    debugger.select(2)
    debugger.edit_text.value = '{"n": 3}'
    debugger.edit_apply.click()
    assert text_of(debugger.edit_note.value) == "this step is off the current path: go to a step of it to edit there"
    assert debugger.run.state == {"n": 5, "log": ["first"]} and debugger.goto_button.disabled is True


def test_edit_at_an_earlier_step_forks(flaky):
    flaky.fail = False
    debugger = Debugger(flaky.app, {"n": 1, "log": []})
    debugger.run_all()
    debugger.edit({"n": 7}, step=1)
    assert debugger.run.step_number == 1 and debugger.run.state == {"n": 7, "log": ["first"]}
    debugger.step()
    assert labels(debugger) == [f"{EM} step 0 · input", f"{EM} step 1 · first", f"{EM} step 2 · second · off path",
                                f"{EM} ↳ step 1 · edited n", f"▶{EM} step 2 · second · branch 1"]
    debugger.back()
    debugger.edit({"n": 9})
    assert labels(debugger)[3:] == [f"{EM} ↳ step 1 · edited n", f"{EM}{EM} step 2 · second · branch 1 · off path",
                                    f"▶{EM} ↳ step 1 · edited n"]  # a fork of the fork: one level deeper


def test_why_a_join_still_waits_and_sends(join_app, send_app, text_of):
    debugger = Debugger(join_app, {"log": []})
    debugger.step()
    assert text_of(debugger.inspector.value).endswith(
        "Next a2 because the edge a → a2 the join a2 + b → c has b , still waits for a2")
    debugger.step()
    assert text_of(debugger.inspector.value).endswith("Next c because the join of a2 + b completed (all 2 finished)")

    fan = Debugger(send_app, {"items": [1, 2], "log": []})
    fan.step()
    assert text_of(fan.inspector.value).endswith(
        "Next work because a Send('work', ...) with its own input — input {'item': 1} "
        "work because a Send('work', ...) with its own input — input {'item': 2}")
    fan.step()
    assert marks(fan)["taken_edges"] == (("fan", "work"),)


def test_interrupts_bring_up_the_review_panel_and_answers_resume_the_run(review_app, text_of):
    debugger = Debugger(review_app, {"topic": "cats", "notes": []})
    debugger.run_all()
    assert debugger.status_text() == "step 2 · waiting for 2 answer(s)"
    assert marks(debugger)["interrupted"] == ("ask_a", "ask_b")
    assert labels(debugger)[-1] == "▶ step 2 · ask_a, ask_b · interrupted"
    panel = debugger.review
    assert isinstance(panel, ReviewPanel) and debugger.review_box.children == (panel,)
    assert [card.node for card in panel.cards] == ["ask_a", "ask_b"]
    assert debugger.step_button.disabled is True

    panel.cards[0].approve_button.click()
    assert debugger.run.interrupts != () and debugger.run.step_number == 1  # waits for the other answer
    assert text_of(panel.status.value) == "1 of 2 answered; the run resumes when all are"
    panel.cards[1].edit_button.click()
    panel.cards[1].text.value = "yes, *fine*"
    panel.cards[1].submit_button.click()
    assert debugger.run.done
    assert debugger.run.state == {"topic": "cats", "notes": ["planned cats", "a:True", "b:yes, *fine*", "done"]}
    assert debugger.review is None and debugger.review_box.children == ()
    assert labels(debugger)[-2:] == [f"{EM} step 2 · ask_a, ask_b", "▶ step 3 · done"]
    assert "answered 2 interrupt(s): True; 'yes, *fine*'" in debugger.watcher.lines


async def until(condition, seconds=10.0):
    for _ in range(int(seconds / 0.005)):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the widget never reached the expected state")


def test_a_button_click_returns_before_a_slow_step_and_shows_what_runs(gated_app):
    app, gates, _ = gated_app

    async def scenario():
        debugger = Debugger(app, {"log": []})
        debugger.step_button.click()
        assert not debugger.pending.done()  # the handler only schedules the superstep
        await until(lambda: debugger.running.value == "running: slow_a, slow_b")
        assert debugger.status_text() == "step 0 · running step 1 (step)"
        assert debugger.step_button.disabled is True
        # running now, not "ran in the superstep shown" (issue 32: the legend said running for both)
        assert debugger.graph_view.running == ("slow_a", "slow_b") and marks(debugger)["current"] == ()
        gates["slow_a"].set()
        await until(lambda: debugger.running.value == "running: slow_b")
        assert not debugger.pending.done()
        gates["slow_b"].set()
        record = await debugger.pending
        assert record.step == 1 and debugger.running.value == ""
        assert debugger.status_text() == "step 1 · paused; next: merge"
        assert marks(debugger)["current"] == ("slow_a", "slow_b")

    asyncio.run(scenario())


def test_stepping_the_run_directly_shows_up_after_refresh(agent, question):
    debugger = Debugger(agent, question)
    debugger.run.step()
    debugger.refresh()
    assert labels(debugger) == [f"{EM} step 0 · input", "▶ step 1 · llm_call"]


def test_stepping_the_run_by_hand_in_a_notebook_shows_up_by_itself(agent, question):
    async def scenario():
        debugger = Debugger(agent, question)  # made while the loop runs, as in a notebook cell
        await debugger.run.astep()
        await asyncio.sleep(0)  # the refresh waits until the superstep is recorded
        assert labels(debugger) == [f"{EM} step 0 · input", "▶ step 1 · llm_call"]
        assert debugger.status_text() == "step 1 · paused; next: tool_node"

    asyncio.run(scenario())


def test_clicks_handled_on_another_threads_loop(slow_app):
    """JupyterLab may deliver widget messages on a kernel subshell: another thread with its own loop."""
    import threading

    async def scenario():
        debugger = Debugger(slow_app, {"log": []})

        async def click_and_wait():
            debugger.step_button.click()
            return await debugger.pending

        records = []
        worker = threading.Thread(target=lambda: records.append(asyncio.run(click_and_wait())))
        worker.start()
        while worker.is_alive():
            await asyncio.sleep(0.02)  # the main loop keeps running meanwhile, as the kernel's does
        assert records[0].step == 1
        assert labels(debugger) == [f"{EM} step 0 · input", "▶ step 1 · slow_a, slow_b"]
        assert marks(debugger)["current"] == ("slow_a", "slow_b") and marks(debugger)["next"] == ("merge",)
        assert debugger.running.value == "" and debugger.busy is None

    asyncio.run(scenario())


def test_display_without_a_widget_front_end(agent, question):
    debugger = Debugger(agent, question)
    debugger.step()
    bundle = debugger._repr_mimebundle_()
    assert list(bundle) == ["application/vnd.jupyter.widget-view+json", "text/html", "image/svg+xml", "text/plain"]
    assert bundle["image/svg+xml"] == debugger.graph_view.svg
    assert bundle["text/plain"] == (
        "Debugger of `LangGraph`: step 1 · paused; next: tool_node\n"
        "next: tool_node because the conditional edge of llm_call chose tool_node\n"
        "state:\n"
        "  messages: [human: 'Add 3 and 4.', ai: → add(a=3, b=4)]\n"
        "timeline: 1 superstep(s) on 1 branch(es)")
    assert list(debugger._repr_mimebundle_(include={"text/plain"})) == ["text/plain"]


def test_busy_debugger_refuses_to_move(gated_app):
    app, gates, _ = gated_app

    async def scenario():
        debugger = Debugger(app, {"log": []})
        debugger.step()
        await until(lambda: debugger.running.value == "running: slow_a, slow_b")
        with pytest.raises(RuntimeError) as caught:
            debugger.back()
        assert str(caught.value) == ("the debugger is busy (step); wait for it (`await debugger.pending`) "
                                     "before back")
        gates["slow_a"].set()
        gates["slow_b"].set()
        assert (await debugger.pending).step == 1

    asyncio.run(scenario())


def test_stop_cancels_the_superstep_and_the_next_step_reruns_only_the_unfinished_task(gated_app):
    app, gates, calls = gated_app

    async def scenario():
        debugger = Debugger(app, {"log": []})
        assert debugger.stop_button.disabled is True and debugger.stop() is False  # nothing runs yet
        debugger.step_button.click()
        await until(lambda: debugger.running.value == "running: slow_a, slow_b")
        assert debugger.stop_button.disabled is False
        gates["slow_a"].set()
        await until(lambda: debugger.running.value == "running: slow_b")
        debugger.stop_button.click()
        assert await debugger.pending is None
        assert debugger.notice == "stopped: step 1 was cancelled; Step runs again: slow_b"
        assert "step 1 cancelled (Stop); nothing applied; will run again: slow_b" in debugger.watcher.lines
        assert debugger.busy is None and debugger.running.value == "" and debugger.error is None
        assert debugger.run.step_number == 0 and debugger.run.state == {"log": []}
        assert [t.name for t in debugger.run.next] == ["slow_a", "slow_b"]
        assert debugger.stop_button.disabled is True and debugger.step_button.disabled is False

        gates["slow_b"].set()
        debugger.step_button.click()
        record = await debugger.pending
        assert record.step == 1 and debugger.run.state == {"log": ["a", "b"]}
        assert calls == ["slow_a", "slow_b", "slow_b"]  # slow_a's result was kept, not recomputed
        assert "step 1 finished slow_a (kept from before): wrote log" in debugger.watcher.lines
        debugger.run_button.click()
        await debugger.pending
        assert debugger.run.done and debugger.run.state == {"log": ["a", "b", "merged"]}

    asyncio.run(scenario())


def test_an_entrypoint_is_shown_in_its_own_terms(text_of):
    from wfkit import entrypoint, task

    @task
    def double(x):
        return 2 * x

    @entrypoint()
    def workflow(n):
        return sum(f.result() for f in [double(i) for i in range(n)])

    debugger = Debugger(workflow, 2)
    debugger.step()
    assert text_of(debugger.inspector.value) == (
        "step 1: ran workflow — the run is here Tasks workflow because the edge __start__ → workflow "
        "input 2 wrote return 2 State after step 1 2 Next nothing: the run is finished")
    lines = debugger.watcher.lines
    assert lines[:3] == ["step 1 planned: workflow", "step 1 started workflow", "step 1 called double(0)"]
    assert sorted(lines[3:6]) == ["step 1 called double(1)", "step 1 double(0) returned 0",
                                  "step 1 double(1) returned 2"]
    assert lines[6:] == ["step 1 workflow returned 2", "step 1 applied: next END", "run finished after step 1"]


def test_a_subgraphs_custom_writes_show_in_the_event_log_under_the_parents_step():
    import operator
    from typing import Annotated

    from typing_extensions import TypedDict

    from wfkit import START, StateGraph, get_stream_writer

    class Log(TypedDict):
        log: Annotated[list, operator.add]

    def inner(state):
        get_stream_writer()({"progress": "inner"})
        return {"log": ["inner"]}

    sub = StateGraph(Log).add_sequence([inner])
    sub.add_edge(START, "inner")
    parent = StateGraph(Log).add_sequence([("pre", lambda s: {"log": ["p"]}), ("sub", sub.compile())])
    parent.add_edge(START, "pre")
    debugger = Debugger(parent.compile(), {"log": []})
    debugger.run_all()
    assert debugger.watcher.lines[4:] == [
        "step 2 planned: sub", "step 2 started sub", "step 2 sub › inner wrote {'progress': 'inner'}",
        "step 2 finished sub: wrote log", "step 2 applied: updated log; next END", "run finished after step 2"]


def _counting_loop(goal):
    from typing_extensions import TypedDict

    from wfkit import END, START, StateGraph

    class Count(TypedDict):
        x: int

    g = StateGraph(Count)
    g.add_node("a", lambda s: {"x": s["x"] + 1})
    g.add_node("b", lambda s: {"x": s["x"] + 1})
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    g.add_conditional_edges("b", lambda s: "a" if s["x"] < goal else END, ["a", END])
    return g.compile()


def test_a_long_timeline_shows_one_page_and_rows_to_the_others():
    from wfkit.widgets._timeline import PAGE

    debugger = Debugger(_counting_loop(200), {"x": 0}, {"recursion_limit": 1000})
    for _ in range(PAGE + 10):
        debugger.step()
    shown = labels(debugger)
    assert len(shown) == PAGE + 1 and shown[0] == "▲ 11 earlier"  # 61 entries: the input and 60 steps
    assert shown[1] == f"{EM} step 11 · a" and shown[-1] == f"▶ step {PAGE + 10} · b"
    assert marks(debugger)["visited"] == ("__start__", "a", "b") and marks(debugger)["current"] == ("b",)

    debugger.timeline_view.value = debugger.timeline_view.options[0][1]  # a click on "▲ 11 earlier"
    assert debugger.selected == 10 and debugger.run.step_number == PAGE + 10  # the run did not move
    assert labels(debugger) == [f"{EM} step {i} · " + ("input" if i == 0 else "ab"[(i - 1) % 2])
                                for i in range(11)] + [f"▼ {PAGE} later"]
    assert marks(debugger)["current"] == ("b",) and marks(debugger)["visited"] == ("__start__", "a", "b")
    debugger.timeline_view.value = debugger.timeline_view.options[-1][1]  # and back
    assert debugger.selected == 11 and labels(debugger)[0] == "▲ 11 earlier"


def test_the_marks_of_an_early_entry_show_only_what_ran_before_it():
    debugger = Debugger(_counting_loop(10), {"x": 0})
    debugger.run_all()
    debugger.select(1)
    assert marks(debugger)["visited"] == ("__start__",) and marks(debugger)["current"] == ("a",)
    debugger.select(0)
    assert marks(debugger)["visited"] == () and marks(debugger)["current"] == ("__start__",)
    debugger.select(2)
    assert marks(debugger)["visited"] == ("__start__", "a") and marks(debugger)["next"] == ("a",)
