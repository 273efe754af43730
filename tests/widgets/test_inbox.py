"""`ReviewInbox`: the threads waiting at `interrupt()` read from the checkpointer, oldest first, filtered,
stepped through, answered (resuming the thread), and never answered twice by two reviewers."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import subprocess
import sys
import threading

import pytest
from typing_extensions import TypedDict

from wfkit import END, START, InMemorySaver, SqliteSaver, StateGraph, interrupt
from wfkit.engine.events import BatchProgress
from wfkit.errors import AlreadyAnsweredError, CheckpointError
from wfkit.widgets import ProgressBar, ReviewInbox

from .conftest import strip_tags

REVIEWER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_inbox_reviewer.py")
BARRIER: list = []  # the race test puts a barrier here: both reviewers' `review` meet before either stores


class State(TypedDict):
    task: str
    amount: int
    approved: bool
    done: str


acted: list = []


def _graph(saver):
    def plan(state):
        return {"amount": len(state["task"])}

    def review(state):
        kind = "refund" if state["task"].startswith("refund") else "email"
        answer = interrupt({"action": kind, "task": state["task"], "amount": state["amount"]})
        for barrier in BARRIER:
            barrier.wait(timeout=10)
        return {"approved": answer is True}

    def act(state):
        acted.append(state["task"])
        return {"done": f"did {state['task']}" if state["approved"] else "skipped"}

    g = StateGraph(State)
    g.add_node("plan", plan)
    g.add_node("review", review)
    g.add_node("act", act)
    g.add_edge(START, "plan")
    g.add_edge("plan", "review")
    g.add_edge("review", "act")
    g.add_edge("act", END)
    return g.compile(checkpointer=saver)


TASKS = ["email bob", "refund ann", "email cy", "refund dee"]


def _fill(app, tasks=TASKS):
    app.batch([{"task": t} for t in tasks], [{"configurable": {"thread_id": f"t{i}"}} for i in range(len(tasks))],
              max_concurrency=1)  # one at a time: the threads pause in input order


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def app(request, tmp_path):
    acted.clear()
    if request.param == "memory":
        yield _graph(InMemorySaver())
    elif request.param == "sqlite":
        with SqliteSaver(tmp_path / "inbox.db") as saver:
            yield _graph(saver)
    else:  # a fresh schema on the real server of tests/conftest.py
        from wfkit.checkpoint.postgres import PostgresSaver

        with PostgresSaver(request.getfixturevalue("postgres_conninfo")) as saver:
            yield _graph(saver)


def test_pending_lists_every_waiting_thread_oldest_first_with_its_interrupts(app):
    _fill(app)
    inbox = ReviewInbox(app)
    assert [item.thread_id for item in inbox.pending] == ["t0", "t1", "t2", "t3"]
    first = inbox.pending[0]
    assert [i.value for i in first.interrupts] == [{"action": "email", "task": "email bob", "amount": 9}]
    assert first.nodes == ("review",)
    assert first.values == {"task": "email bob", "amount": 9}
    assert first.path == ["plan"]
    assert first.run.status == "interrupted" and first.run.thread_id == "t0"
    assert first.run.interrupts == first.interrupts


def test_the_widget_shows_the_selected_thread_and_steps_through_the_list(app, text_of):
    _fill(app)
    inbox = ReviewInbox(app)
    assert strip_tags(inbox.title.value) == "Review inbox: 4 thread(s) waiting"
    assert inbox.listing.options == (("t0 · review · {'action': 'email', 'task': 'email bob', 'amount': 9}", 0),
                                     ("t1 · review · {'action': 'refund', 'task': 'refund ann', 'amount': 10}", 1),
                                     ("t2 · review · {'action': 'email', 'task': 'email cy', 'amount': 8}", 2),
                                     ("t3 · review · {'action': 'refund', 'task': 'refund dee', 'amount': 10}", 3))
    assert inbox.selected.thread_id == "t0" and strip_tags(inbox.position.value) == "1 of 4"
    assert inbox.previous_button.disabled and not inbox.next_button.disabled
    assert inbox.graph_view.interrupted == ("review",) and inbox.graph_view.visited == ("plan",)
    shown = text_of(inbox.details.value)
    assert shown.startswith("thread t0 , paused in review at ")
    assert "Payload action email task email bob amount 9" in shown
    assert "State task email bob amount 9" in shown and shown.endswith("Path plan")
    assert [c.interrupt.id for c in inbox.panel.cards] == [inbox.selected.interrupts[0].id]
    assert inbox.next().thread_id == "t1" and inbox.next().thread_id == "t2" and inbox.next().thread_id == "t3"
    assert inbox.next().thread_id == "t3" and inbox.next_button.disabled
    assert inbox.previous().thread_id == "t2"
    inbox.listing.value = 0  # picking in the list selects
    assert inbox.selected.thread_id == "t0"
    assert inbox.summary().splitlines()[:2] == ["ReviewInbox: 4 thread(s) waiting, 4 shown",
                                                "▶ t0 · review · {'action': 'email', 'task': 'email bob', 'amount': 9}"]


def test_filters_by_node_and_by_payload_field(app):
    _fill(app)
    inbox = ReviewInbox(app)
    assert inbox.node_filter.options == ("(all)", "review")
    assert inbox.field_filter.options == ("(all)", "action", "amount", "task")
    assert [i.thread_id for i in inbox.filter(field="action", contains="refund")] == ["t1", "t3"]
    assert strip_tags(inbox.title.value) == "Review inbox: 4 thread(s) waiting (2 hidden by the filters)"
    assert [i.thread_id for i in inbox.filter(contains="CY")] == ["t2"]
    assert [i.thread_id for i in inbox.filter(node="review")] == ["t0", "t1", "t2", "t3"]
    inbox.field_filter.value = "amount"
    inbox.value_filter.value = "10"
    assert [i.thread_id for i in inbox.pending] == ["t1", "t3"]
    with pytest.raises(ValueError) as caught:
        inbox.filter(node="act")
    assert str(caught.value) == "ReviewInbox.filter: no waiting thread has node `act`; known: review"


def test_answering_resumes_the_thread_and_the_list_refreshes(app):
    _fill(app)
    inbox = ReviewInbox(app)
    records = inbox.answer("t1", True)  # outside a running loop: runs now, returns the records
    assert [r.tasks[0].name for r in records] == ["review", "act"]
    assert app.get_state({"configurable": {"thread_id": "t1"}}).values["done"] == "did refund ann"
    assert [item.thread_id for item in inbox.pending] == ["t0", "t2", "t3"]
    assert strip_tags(inbox.status.value) == "thread t1 resumed: done"
    inbox.panel.reject(0)  # the panel of the selected thread (t0) answers through the inbox
    assert app.get_state({"configurable": {"thread_id": "t0"}}).values["done"] == "skipped"
    assert [item.thread_id for item in inbox.pending] == ["t2", "t3"]
    assert acted == ["refund ann", "email bob"]


def test_an_interrupt_answered_by_another_reviewer_is_refused_naming_the_thread(tmp_path):
    acted.clear()
    path = tmp_path / "shared.db"
    with SqliteSaver(path) as first_saver, SqliteSaver(path) as second_saver:
        _fill(_graph(first_saver))
        alice, bob = ReviewInbox(_graph(first_saver)), ReviewInbox(_graph(second_saver))
        stale = bob.pending[0]
        stale.run  # bob opened t0 before alice answered it
        alice.answer("t0", True)
        with pytest.raises(AlreadyAnsweredError) as caught:
            asyncio.run(bob.aanswer(stale, False))
        head = bob.graph.get_state({"configurable": {"thread_id": "t0"}})
        assert str(caught.value) == (
            f"interrupt `{stale.interrupts[0].id}` of thread `t0` was already answered: the thread moved on to "
            f"checkpoint `{head.config['configurable']['checkpoint_id']}` (stored at {head.created_at}, step 3); "
            f"your answer was not given, and nothing was stored — refresh the inbox to see what still waits")
        bob.answer(stale, False)  # from the widget: shown, not raised
        assert isinstance(bob.last_error, AlreadyAnsweredError)
        assert strip_tags(bob.status.value).startswith("answering failed")
        assert f"AlreadyAnsweredError: interrupt `{stale.interrupts[0].id}` of thread `t0`" in strip_tags(bob.status.value)
        assert [item.thread_id for item in bob.pending] == ["t1", "t2", "t3"]
        assert acted == ["email bob"] and head.values["done"] == "did email bob"


def test_two_reviewers_answering_at_once_one_wins_and_the_other_is_refused(tmp_path):
    acted.clear()
    path = tmp_path / "shared.db"
    with SqliteSaver(path) as first_saver, SqliteSaver(path) as second_saver:
        _fill(_graph(first_saver), TASKS[:1])
        inboxes = [ReviewInbox(_graph(first_saver)), ReviewInbox(_graph(second_saver))]
        items = [inbox.pending[0] for inbox in inboxes]
        outcomes: list = [None, None]
        BARRIER.append(threading.Barrier(2))  # both `review` tasks run before either stores its superstep
        try:
            def answer(n):
                try:
                    outcomes[n] = asyncio.run(inboxes[n].aanswer(items[n], n == 0))
                except Exception as error:
                    outcomes[n] = error
            threads = [threading.Thread(target=answer, args=(n,)) for n in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            BARRIER.clear()
        refused = [o for o in outcomes if isinstance(o, Exception)]
        assert len(refused) == 1 and type(refused[0]) is AlreadyAnsweredError
        assert str(refused[0]).startswith(f"interrupt `{items[0].interrupts[0].id}` of thread `t0` was already "
                                          f"answered: the thread moved on to checkpoint `")
        assert isinstance(refused[0].__context__, CheckpointError)
        winner = outcomes.index(next(o for o in outcomes if not isinstance(o, Exception)))
        done = inboxes[0].graph.get_state({"configurable": {"thread_id": "t0"}}).values["done"]
        assert done == ("did email bob" if winner == 0 else "skipped")
        assert acted == ["email bob"]  # `act` ran once: for the winner's answer, whichever won


def test_the_saved_view_shows_the_list_and_the_selected_thread(app, text_of):
    _fill(app, TASKS[:2])
    inbox = ReviewInbox(app)
    bundle = inbox._repr_mimebundle_()
    assert bundle["text/plain"] == ("ReviewInbox: 2 thread(s) waiting, 2 shown\n"
                                    "▶ t0 · review · {'action': 'email', 'task': 'email bob', 'amount': 9}\n"
                                    "- t1 · review · {'action': 'refund', 'task': 'refund ann', 'amount': 10}")
    text = text_of(bundle["text/html"])
    assert text.startswith("saved view of a ReviewInbox: run the notebook to answer Review inbox: 2 thread(s) "
                           "waiting thread node paused at payload t0 review ")
    assert "answers: Approve · Reject · Edit" in text


def test_payloads_and_state_go_through_the_sanitiser(tmp_path):
    acted.clear()
    app = _graph(InMemorySaver())
    _fill(app, ['<img src=x onerror="alert(1)">'])
    inbox = ReviewInbox(app)
    html = inbox._repr_mimebundle_()["text/html"] + inbox.details.value
    assert "<img" not in html  # shown as text, never as a tag
    assert "&lt;img src=x onerror=" in inbox.details.value


def test_an_inbox_needs_a_checkpointer():
    app = _graph(None)
    with pytest.raises(ValueError) as caught:
        ReviewInbox(app)
    assert str(caught.value) == ("ReviewInbox needs a graph compiled with a checkpointer that its runs share, "
                                 "e.g. compile(checkpointer=SqliteSaver('runs.db')): the inbox reads the waiting "
                                 "threads from it")


def test_the_progress_bar_counts_the_runs_of_a_batch(app):
    bar = ProgressBar("agent runs")
    app.batch([{"task": t} for t in TASKS[:3]], [{"configurable": {"thread_id": f"p{i}"}} for i in range(3)],
              on_progress=bar)
    assert bar.summary() == "agent runs: 3 of 3 ended (3 interrupted)"
    assert (bar.bar.value, bar.bar.max, bar.bar.bar_style) == (3, 3, "success")
    assert bar._repr_mimebundle_()["text/plain"] == "agent runs: 3 of 3 ended (3 interrupted)"
    bar(BatchProgress(0, 2))
    assert bar.summary() == "agent runs: 0 of 2 ended (3 interrupted)"


def _reviewer_module():
    spec = importlib.util.spec_from_file_location("_inbox_reviewer", REVIEWER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_reviewers_in_two_processes_answer_one_interrupt_once(tmp_path, request, backend):
    reviewer = _reviewer_module()
    where = str(tmp_path / "shared.db") if backend == "sqlite" else request.getfixturevalue("postgres_conninfo")
    gate, acted = tmp_path / "gate", tmp_path / "acted.txt"
    gate.mkdir()
    config = {"configurable": {"thread_id": "t0"}}
    with reviewer.open_saver(where, backend) as saver:
        app = reviewer.build(saver)
        paused = app.invoke({"task": "refund ann"}, config)["__interrupt__"][0]
        paused_at = app.get_state(config).config["configurable"]["checkpoint_id"]
    workers = {who: subprocess.Popen([sys.executable, REVIEWER, where, backend, who, answer, str(gate), "alice,bob",
                                      str(acted)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for who, answer in (("alice", "yes"), ("bob", "no"))}
    results = {}
    for who, worker in workers.items():
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        results[who] = json.loads(out)
    refused = [who for who, r in results.items() if r["refused"] is not None]
    assert len(refused) == 1, results  # both answered the same head: exactly one wins
    winner = "bob" if refused == ["alice"] else "alice"
    assert [r["waiting"] for r in results.values()] == [[], []]
    with reviewer.open_saver(where, backend) as saver:
        app = reviewer.build(saver)
        head = app.get_state(config)
        history = list(app.get_state_history(config))  # newest first
        ids = [s.config["configurable"]["checkpoint_id"] for s in history]
        moved_on = history[:ids.index(paused_at)]  # stored after the one that waited
    # The loser is told which checkpoint the thread moved on to: the winner's `review` step or its `act` step,
    # whichever was the head when it looked.
    told = {(f"interrupt `{paused.id}` of thread `t0` was already answered: the thread moved on to checkpoint "
             f"`{s.config['configurable']['checkpoint_id']}` (stored at {s.created_at}, step "
             f"{s.metadata['step']}); your answer was not given, and nothing was stored — refresh the inbox to see "
             f"what still waits") for s in moved_on}
    assert len(told) == 2 and results[refused[0]]["refused"] in told
    verdict = "approved" if winner == "alice" else "rejected"
    assert acted.read_text() == f"refund ann: {verdict}\n"  # `act` ran once, for the winner's answer
    assert head.values == {"task": "refund ann", "approved": winner == "alice",
                           "done": "refunded" if winner == "alice" else "kept"}
    assert head.next == () and head.interrupts == ()
