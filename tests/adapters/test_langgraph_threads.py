"""Opening a thread that another process wrote (issue 30): a plain LangGraph app, run in a subprocess on its
`SqliteSaver` file, waits at an `interrupt()`; `wfkit.start(graph, None, {"configurable": {"thread_id": ...}})`
opens it where it stands, the ReviewPanel's answer lands in that file, and LangGraph itself (in a fresh
process) sees the answered state."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import subprocess
import sys
import threading

import pytest

pytest.importorskip("langgraph.checkpoint.sqlite")

from langgraph.checkpoint.sqlite import SqliteSaver  # noqa: E402

import wfkit  # noqa: E402
from wfkit.widgets import ReviewPanel  # noqa: E402

APP = '''
import json, operator, sqlite3, sys
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt


class Draft(TypedDict, total=False):
    trace: Annotated[list, operator.add]
    draft: str
    verdict: str


def build(saver):
    g = StateGraph(Draft)
    g.add_node("write", lambda s: {"trace": ["write"], "draft": "Dear team, the release ships Friday."})
    g.add_node("review", lambda s: {"trace": ["review"], "verdict": interrupt({"question": "send it?", "draft": s["draft"]})})
    g.add_node("send", lambda s: {"trace": ["send:" + s["verdict"]]})
    g.add_edge(START, "write")
    g.add_edge("write", "review")
    g.add_edge("review", "send")
    g.add_edge("send", END)
    return g.compile(checkpointer=saver)


if __name__ == "__main__":
    path, what = sys.argv[1], sys.argv[2]
    config = {"configurable": {"thread_id": "mail-7"}}
    with sqlite3.connect(path, check_same_thread=False) as conn:
        graph = build(SqliteSaver(conn))
        if what == "start":
            graph.invoke({"trace": ["input"]}, config)
        snap = graph.get_state(config)
        print(json.dumps({"values": snap.values, "next": list(snap.next),
                          "interrupts": [i.value for i in snap.interrupts],
                          "steps": [s.metadata["step"] for s in graph.get_state_history(config)]}))
'''


@pytest.fixture
def app(tmp_path):
    """(the app's module, the path of its SqliteSaver file, a function running the app in a new process)."""
    source = tmp_path / "mail_app.py"
    source.write_text(APP)
    spec = importlib.util.spec_from_file_location("mail_app", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    db = tmp_path / "threads.sqlite"

    def in_new_process(what: str) -> dict:
        done = subprocess.run([sys.executable, str(source), str(db), what], capture_output=True, text=True,
                              timeout=120, check=True)
        return json.loads(done.stdout)

    return module, db, in_new_process


def test_a_thread_another_process_left_at_an_interrupt_opens_where_it_stands_and_takes_the_answer(app):
    module, db, in_new_process = app
    assert in_new_process("start") == {
        "values": {"trace": ["input", "write"], "draft": "Dear team, the release ships Friday."},
        "next": ["review"], "interrupts": [{"question": "send it?", "draft": "Dear team, the release ships Friday."}],
        "steps": [1, 0, -1]}
    with sqlite3.connect(db, check_same_thread=False) as conn:
        run = wfkit.start(module.build(SqliteSaver(conn)), None, {"configurable": {"thread_id": "mail-7"}})
        assert (run.thread_id, run.step_number, run.status) == ("mail-7", 1, "interrupted")
        assert run.state == {"trace": ["input", "write"], "draft": "Dear team, the release ships Friday."}
        assert [t.name for t in run.next] == ["review"]
        assert [i.value for i in run.interrupts] == [{"question": "send it?",
                                                      "draft": "Dear team, the release ships Friday."}]
        assert [(r.step, [t.name for t in r.tasks], r.interrupted) for r in run.history] == [
            (1, ["write"], ()), (2, ["review"], ("review",))]

        panel = ReviewPanel(run)  # driven as the widget tests do: the card's edit box, then submit
        assert [card.node for card in panel.cards] == ["review"]
        panel.cards[0].edit_button.click()
        panel.cards[0].text.value = '"yes, send"'  # (a dict payload: the editor takes JSON)
        panel.cards[0].submit_button.click()
        assert run.done and run.state == {"trace": ["input", "write", "review", "send:yes, send"],
                                          "draft": "Dear team, the release ships Friday.", "verdict": "yes, send"}

    assert in_new_process("show") == {  # LangGraph itself, in a fresh process on the file, sees the answer
        "values": {"trace": ["input", "write", "review", "send:yes, send"],
                   "draft": "Dear team, the release ships Friday.", "verdict": "yes, send"},
        "next": [], "interrupts": [], "steps": [3, 2, 1, 0, -1]}


def test_a_sqlite_saver_is_driven_without_its_missing_async_methods(app):
    module, db, _ = app
    with sqlite3.connect(db, check_same_thread=False) as conn:
        graph = module.build(SqliteSaver(conn))
        run = wfkit.start(graph, {"trace": []}, {"configurable": {"thread_id": "here"}})
        heard = []  # (LangGraph's sync stream runs on a thread; the listeners hear its events on this one, in order)
        run.listeners.append(lambda event: heard.append((type(event).__name__, threading.current_thread().name)))
        records = run.run()
        assert [(r.step, [t.name for t in r.tasks]) for r in records] == [(1, ["write"]), (2, ["review"])]
        here = threading.current_thread().name
        assert heard == [(name, here) for name in ("StepPlanned", "TaskStarted", "TaskFinished", "StepApplied",
                                                    "StepPlanned", "TaskStarted", "TaskFinished", "Interrupted")]
        run.resume("no")
        assert graph.get_state({"configurable": {"thread_id": "here"}}).values == {
            "trace": ["write", "review", "send:no"], "draft": "Dear team, the release ships Friday.", "verdict": "no"}


def test_stop_on_a_sqlite_saver_leaves_the_run_where_it_was_and_stepping_again_forks(tmp_path):
    import asyncio
    import time
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph

    class N(TypedDict):
        n: int

    gate = threading.Event()

    def slow(state):
        gate.wait(10)
        return {"n": state["n"] + 1}

    g = StateGraph(N)
    g.add_node("slow", slow)
    g.add_edge(START, "slow")
    g.add_edge("slow", END)
    config = {"configurable": {"thread_id": "stop"}}
    with sqlite3.connect(tmp_path / "stop.sqlite", check_same_thread=False) as conn:
        graph = g.compile(checkpointer=SqliteSaver(conn))
        run = wfkit.start(graph, {"n": 0}, config)
        heard = []
        run.listeners.append(heard.append)

        async def stop_mid_step():
            step = asyncio.ensure_future(run.astep())
            while not any(type(e).__name__ == "TaskStarted" for e in heard):
                await asyncio.sleep(0.005)
            step.cancel()
            try:
                await step
            except asyncio.CancelledError:
                return "cancelled"

        assert asyncio.run(stop_mid_step()) == "cancelled"
        gate.set()
        for _ in range(2000):  # LangGraph's thread finishes the superstep and stores it
            if graph.get_state(config).metadata["step"] == 1:
                break
            time.sleep(0.005)
        assert (run.step_number, run.state, [t.name for t in run.next]) == (0, {"n": 0}, ["slow"])
        record = run.step()  # from step 0 again: LangGraph copies it (a "fork" at step 1), then runs: step 2
        assert (record.step, run.state, run.done) == (2, {"n": 1}, True)
        assert sorted((s.metadata["step"], s.metadata["source"]) for s in graph.get_state_history(config)) == [
            (-1, "input"), (0, "loop"), (1, "fork"), (1, "loop"), (2, "loop")]
