"""The Debugger when a superstep ran but was not stored (a value JSON cannot hold, another Debugger of the
thread stepped first): it says so in its error area and status line, the run stays where it was, and Step
runs the superstep again."""

import operator
from typing import Annotated, TypedDict

from wfkit import END, START, InMemorySaver, StateGraph
from wfkit.errors import CheckpointConflictError, StepNotStoredError
from wfkit.widgets import Debugger

CONFIG = {"configurable": {"thread_id": "t"}}


class S(TypedDict):
    items: Annotated[list, operator.add]
    n: int
    obj: object


def build(bad):
    def w(state):
        out = {"items": [f"w{state['n']}"], "n": state["n"] + 1}
        if state["n"] == 1 and bad["on"]:
            out["obj"] = object()  # JSON cannot hold it: the checkpoint of this superstep cannot be stored
        return out

    graph = StateGraph(S)
    graph.add_node("w", w)
    graph.add_edge(START, "w")
    graph.add_conditional_edges("w", lambda s: END if s["n"] >= 4 else "w")
    return graph.compile(checkpointer=InMemorySaver())


def test_a_step_that_was_not_stored_is_shown_and_step_runs_it_again(text_of):
    bad = {"on": True}
    debugger = Debugger(build(bad), {"items": [], "n": 0}, CONFIG)
    debugger.step()
    assert debugger.step() is None  # nothing raised into the cell
    assert isinstance(debugger.error, StepNotStoredError)
    assert debugger.status_text() == "step 1 · step 2 not stored"
    assert text_of(debugger.error_view.value).startswith(
        "superstep 2 ran but was not stored; the run stays at step 1 — fix the cause and press Step to run it "
        "again Traceback (most recent call last):")
    assert debugger.run.state == {"items": ["w0"], "n": 1}
    assert debugger.summary().splitlines()[0] == "Debugger of `LangGraph`: step 1 · step 2 not stored"
    bad["on"] = False
    record = debugger.step()
    assert (record.step, record.values["items"]) == (2, ["w0", "w1"])
    assert debugger.error is None and debugger.error_view.value == ""
    assert debugger.status_text() == "step 2 · paused; next: w"


def test_two_debuggers_on_one_thread_the_second_to_step_is_told_another_stepped_first(text_of):
    app = build({"on": False})
    first = Debugger(app, {"items": [], "n": 0}, CONFIG)
    second = Debugger(app, None, CONFIG)  # the same thread, opened at the same head
    first.step()
    assert second.step() is None
    assert isinstance(second.error, CheckpointConflictError)
    assert second.status_text() == "step 0 · step 1 not stored"
    assert text_of(second.error_view.value).startswith(
        "superstep 1 ran but was not stored: another run or process stepped thread `t` first; this run stays at "
        "step 0 — open the thread again (Debugger(app, None, config)) to go on from there Traceback")
    assert second.run.state == {"items": [], "n": 0}
    assert [h.metadata["step"] for h in app.get_state_history(CONFIG)] == [1, 0, -1]
    assert Debugger(app, None, CONFIG).step().values["items"] == ["w0", "w1"]
