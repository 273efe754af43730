"""The stepping API: app.start() -> Run, one superstep per step(), breakpoints, interrupts, back/goto/edit
and forks kept in the history."""

import asyncio
import operator
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from wfkit import END, START, InMemorySaver, SqliteSaver, StateGraph, interrupt
from wfkit.errors import AnswerRejectedError, InvalidResumeError


class S(TypedDict):
    log: Annotated[list, operator.add]
    n: int


def build(checkpointer=None):
    def ask(state):
        return {"log": [f"ask:{interrupt({'question': 'ok?'})}"]}

    g = StateGraph(S)
    g.add_node("a", lambda s: {"log": ["a"], "n": 1})
    g.add_node("b", lambda s: {"log": ["b"]})
    g.add_node("c", lambda s: {"log": ["c"]})
    g.add_node("ask", ask)
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    g.add_edge("a", "c")
    g.add_edge(["b", "c"], "ask")
    g.add_edge("ask", END)
    return g.compile(checkpointer=checkpointer)


def test_start_applies_the_input_and_plans_the_first_superstep():
    run = build().start({"log": ["in"]})
    assert run.state == {"log": ["in"]}
    assert [(t.name, t.input, t.triggers) for t in run.next] == [("a", {"log": ["in"]}, ("edge:__start__",))]
    assert run.history == [] and not run.done and run.step_number == 0


def test_step_runs_exactly_one_superstep_and_returns_its_record():
    run = build().start({"log": []})
    first = run.step()
    assert (first.step, [t.name for t in first.tasks]) == (1, ["a"])
    assert first.writes == (("a", (("log", ["a"]), ("n", 1))),)
    assert first.values == {"log": ["a"], "n": 1} and first.updated == ("log", "n")
    assert first.next == ("b", "c")
    second = run.step()
    assert second.writes_of("b") == {"log": ["b"]} and second.values["log"] == ["a", "b", "c"]
    assert [(t.name, t.triggers) for t in run.next] == [("ask", ("join:b+c",))]


def test_run_stops_at_an_interrupt_and_resume_finishes_with_the_answer():
    run = build().start({"log": []})
    records = run.run()
    assert [r.step for r in records] == [1, 2, 3]
    assert [i.value for i in run.interrupts] == [{"question": "ok?"}]
    with pytest.raises(InvalidResumeError, match=r"the run is paused at interrupt `.+`: answer it with run.resume\(value\)"):
        run.step()
    run.resume("yes")
    assert run.done and run.state == {"log": ["a", "b", "c", "ask:yes"], "n": 1}
    with pytest.raises(InvalidResumeError, match="the run is finished"):
        run.step()


def test_answer_then_step_reruns_the_interrupted_task():
    run = build().start({"log": []})
    run.run()
    run.answer("later")
    record = run.step()
    assert record.writes_of("ask") == {"log": ["ask:later"]} and run.done


def test_breakpoints_stop_run_before_the_node_but_not_an_explicit_step():
    run = build().start({"log": []})
    run.breakpoints.add("b")
    assert [r.step for r in run.run()] == [1]
    assert [t.name for t in run.next] == ["b", "c"]
    assert run.step().step == 2  # an explicit step goes through the breakpoint


def test_back_goto_and_edit_fork_and_keep_the_old_branch():
    run = build().start({"log": []})
    run.step()
    run.step()
    run.back()
    assert run.state == {"log": ["a"], "n": 1} and [t.name for t in run.next] == ["b", "c"]
    run.edit({"n": 42})
    assert run.state == {"log": ["a"], "n": 42}
    forked = run.step()
    assert forked.branch == 1 and forked.values == {"log": ["a", "b", "c"], "n": 42}
    assert [(r.step, r.branch) for r in run.history] == [(1, 0), (2, 0), (2, 1)]
    assert [(r.step, r.branch) for r in run.timeline()] == [(1, 0), (2, 1)]
    run.goto(1)  # on this branch, step 1 ends with the edit
    assert run.state == {"log": ["a"], "n": 42}
    with pytest.raises(ValueError, match=r"no superstep 7 on this branch; steps here: \[0, 1\]"):
        run.goto(7)
    run.goto(0)
    assert run.state == {"log": []} and [t.name for t in run.next] == ["a"]


def test_a_failing_node_leaves_the_run_where_it_was():
    attempts = []

    def flaky(state):
        attempts.append(1)
        if len(attempts) == 1:
            raise TimeoutError("slow model")
        return {"log": ["ok"]}

    g = StateGraph(S)
    g.add_node("flaky", flaky)
    g.add_edge(START, "flaky")
    run = g.compile().start({"log": []})
    with pytest.raises(TimeoutError):
        run.step()
    assert run.history == [] and [t.name for t in run.next] == ["flaky"]
    assert run.step().values == {"log": ["ok"]}


def two_branches(calls, fail, gate=None):
    """`fast` and `slow` in one superstep; `slow` raises while `fail` holds, or waits for `gate` if given."""

    async def fast(state):
        calls.append("fast")
        return {"log": ["fast"]}

    async def slow(state):
        calls.append("slow")
        if fail:
            raise ValueError("slow failed")
        if gate is not None:
            await gate.wait()
        return {"log": ["slow"]}

    g = StateGraph(S)
    g.add_node("fast", fast)
    g.add_node("slow", slow)
    g.add_edge(START, "fast")
    g.add_edge(START, "slow")
    g.add_edge(["fast", "slow"], END)
    return g


@pytest.mark.parametrize("saver", [None, InMemorySaver()], ids=["no checkpointer", "InMemorySaver"])
def test_stepping_again_after_a_failure_reruns_only_the_failed_task(saver):
    calls, fail = [], [True]
    run = two_branches(calls, fail).compile(checkpointer=saver).start({"log": []}, {"configurable": {"thread_id": "f"}})
    with pytest.raises(ValueError, match="slow failed"):
        run.step()
    assert run.state == {"log": []} and run.history == []
    fail.clear()
    assert run.step().values == {"log": ["fast", "slow"]}
    assert sorted(calls) == ["fast", "slow", "slow"]


@pytest.mark.parametrize("saver", [None, InMemorySaver()], ids=["no checkpointer", "InMemorySaver"])
def test_a_cancelled_superstep_applies_nothing_and_keeps_what_finished(saver):
    from wfkit.engine.events import StepCancelled, TaskFinished

    calls, config = [], {"configurable": {"thread_id": "c"}}
    app = two_branches(calls, [], gate := asyncio.Event()).compile(checkpointer=saver)
    run = app.start({"log": []}, config)
    seen = []
    run.listeners.append(lambda e: seen.append(e) if isinstance(e, (StepCancelled, TaskFinished)) else None)

    async def scenario():
        step = asyncio.ensure_future(run.astep())
        while not seen:  # until `fast` has finished; `slow` waits for the gate
            await asyncio.sleep(0)
        step.cancel()
        with pytest.raises(asyncio.CancelledError):
            await step
        assert [e.task.name for e in seen[:1]] == ["fast"] and seen[1:] == [StepCancelled(1, ("slow",))]
        assert run.state == {"log": []} and run.history == [] and run.step_number == 0
        if saver is not None:
            assert [s.metadata["step"] for s in app.get_state_history(config)] == [0, -1]  # none for step 1
            snapshot = app.get_state(config)
            assert [(t.name, t.result) for t in snapshot.tasks] == [("fast", {"log": ["fast"]}), ("slow", None)]
        gate.set()
        return await run.astep()

    record = asyncio.run(scenario())
    assert record.step == 1 and record.values == {"log": ["fast", "slow"]}
    assert calls == ["fast", "slow", "slow"]


def test_run_uses_the_graphs_checkpointer_when_it_has_one():
    saver = InMemorySaver()
    app = build(saver)
    run = app.start({"log": []}, {"configurable": {"thread_id": "stepped"}})
    run.step()
    assert app.get_state({"configurable": {"thread_id": "stepped"}}).values == {"log": ["a"], "n": 1}


def test_listeners_receive_engine_events():
    from wfkit.engine.events import CheckpointKept, StepApplied, StepPlanned, TaskFinished, TaskStarted

    run = build().start({"log": []})
    seen = []
    run.listeners.append(lambda e: seen.append(type(e).__name__))
    run.step()
    assert seen == [StepPlanned.__name__, TaskStarted.__name__, TaskFinished.__name__, StepApplied.__name__,
                    CheckpointKept.__name__]  # a Run keeps its history (in memory without a checkpointer)


def test_edit_as_node_replans_what_follows_that_node():
    g = StateGraph(S)
    g.add_node("gate", lambda s: {"n": 1})
    g.add_node("pass_", lambda s: {"log": ["passed"]})
    g.add_node("fail", lambda s: {"log": ["failed"]})
    g.add_edge(START, "gate")
    g.add_conditional_edges("gate", lambda s: "pass_" if s["n"] > 0 else "fail", ["pass_", "fail"])
    run = g.compile().start({"log": []})
    run.step()
    assert [t.name for t in run.next] == ["pass_"]
    run.edit({"n": 0}, as_node="gate")
    assert [t.name for t in run.next] == ["fail"]
    assert run.step().values == {"log": ["failed"], "n": 0}


def test_goto_a_checkpoint_on_another_branch():
    run = build().start({"log": []})
    _, second = run.step(), run.step()
    run.back(2)
    run.goto(checkpoint_id=second.checkpoint_id)  # forward again, to a step the back() left behind
    assert run.state == second.values and [t.name for t in run.next] == ["ask"]
    with pytest.raises(ValueError, match="no checkpoint `nope` in this run"):
        run.goto(checkpoint_id="nope")


def test_edit_with_replace_goes_past_the_reducer_and_without_it_through():
    run = build().start({"log": []})
    run.step()
    before = list(run.state["log"])
    run.edit({"log": ["typed"]})
    assert run.state["log"] == before + ["typed"]  # operator.add appends
    run.edit({"log": ["only this"]}, replace=True)
    assert run.state["log"] == ["only this"]


def test_lineage_lists_the_current_branch_oldest_first():
    run = build().start({"log": []})
    run.step()
    run.step()
    steps = [step for step, _ in run.lineage()]
    assert steps == [-1, 0, 1, 2]
    assert run.lineage()[-1][1] == run.checkpoint_id
    assert [r.checkpoint_id for r in run.timeline()] == [cid for _, cid in run.lineage()[2:]]
    run.back()
    run.edit({"n": 5})  # an edit of step 1 is a checkpoint of step 1 too: the newest is the one gone to
    assert [step for step, _ in run.lineage()] == [-1, 0, 1, 1]
    edited = run.checkpoint_id
    run.step()
    run.goto(1)
    assert run.checkpoint_id == edited and run.state["n"] == 5


def test_a_run_says_its_status_and_a_paused_record_which_node_each_interrupt_came_from():
    run = build().start({"log": []})
    assert run.status == "paused"
    records = run.run()
    assert [r.paused for r in records] == [False, False, True]
    paused = records[-1]
    assert paused.checkpoint_id is None and paused.interrupted == ("ask",)
    assert paused.node_of(run.interrupts[0].id) == "ask" and paused.node_of("elsewhere") is None
    assert records[0].interrupted == () and records[0].node_of(run.interrupts[0].id) is None
    assert run.status == "interrupted" and repr(run) == "<Run step=2 interrupted next=['ask']>"
    run.resume("yes")
    assert run.status == "done"


def test_an_edit_is_returned_and_kept_with_the_keys_it_changed():
    run = build().start({"log": []})
    first = run.step()
    edit = run.edit({"n": 7, "log": []})  # `log` through its reducer: adding nothing changes nothing
    assert (edit.step, edit.parent_checkpoint_id, edit.checkpoint_id) == (1, first.checkpoint_id, run.checkpoint_id)
    assert edit.values == {"log": ["a"], "n": 7} and edit.edited == ("n",)
    same = run.edit({"n": 7})
    assert same.edited == () and same.parent_checkpoint_id == edit.checkpoint_id
    replaced = run.edit({"log": ["z"]}, replace=True)
    assert replaced.edited == ("log",) and replaced.values == {"log": ["z"], "n": 7}
    assert run.edits == [edit, same, replaced]


# -- an answer the node raises on: the run stays at its interrupt (issue 31) ---------------------------------

class Joke(TypedDict):
    joke: str
    published: Annotated[list, operator.add]


@pytest.fixture(params=["own history", "memory", "sqlite"])
def checkpointer(request, tmp_path):
    """None: the run keeps its history on a private InMemorySaver."""
    if request.param == "own history":
        yield None
    elif request.param == "memory":
        yield InMemorySaver()
    else:
        saver = SqliteSaver(str(tmp_path / "runs.db"))
        yield saver
        saver.close()


def reviewed(checkpointer, *names):
    def review(state):
        answer = interrupt({"joke": state["joke"]})
        return {"published": [answer["joke"]]}  # KeyError for an edited payload without "joke"

    g = StateGraph(Joke)
    for name in names or ("review",):
        g.add_node(name, review)
        g.add_edge(START, name)
    return g.compile(checkpointer=checkpointer)


def stored_keys(run):
    return [w.key for w in run._history.saver.get_writes(run.thread_id, run.checkpoint_id)]


@pytest.mark.parametrize("how", ["resume", "resume by id", "answer then step"])
def test_an_answer_the_node_raises_on_leaves_the_run_waiting_at_the_same_interrupt(checkpointer, how):
    run = reviewed(checkpointer).start({"joke": "Cats knit."}, {"configurable": {"thread_id": "review-1"}})
    run.run()
    (pending,) = run.interrupts
    where = (run.step_number, run.checkpoint_id, run.state, run.lineage(), len(run.history), stored_keys(run))
    bad = {"text": "an edit that dropped the joke"}
    with pytest.raises(AnswerRejectedError) as caught:
        if how == "resume":
            run.resume(bad)
        elif how == "resume by id":
            run.resume({pending.id: bad})
        else:
            run.answer(bad)
            run.step()
    assert str(caught.value) == (
        f"node `review` raised KeyError: 'joke' on the answer to interrupt `{pending.id}`; nothing was kept and "
        "the run still waits there for another answer: give a better one with run.resume(value)")
    assert isinstance(caught.value, InvalidResumeError)
    cause = caught.value.__cause__
    assert type(cause) is KeyError and cause.args == ("joke",)
    assert cause.__notes__ == ["while running node `review` in superstep 1",
                               f"the answer to interrupt `{pending.id}` was not kept: it still waits for another answer"]
    assert run.interrupts == (pending,) and run.interrupts[0].value == {"joke": "Cats knit."}
    assert run.status == "interrupted"
    # nothing of the attempt is kept: no checkpoint, no record, no stored answer (the error is noted, as LangGraph does)
    assert (run.step_number, run.checkpoint_id, run.state, run.lineage(), len(run.history),
            stored_keys(run)[:1]) == where
    assert stored_keys(run) == ["__interrupt__", "__error__"]
    with pytest.raises(InvalidResumeError, match=f"^the run is paused at interrupt `{pending.id}`: answer it with "
                                                 r"run.resume\(value\)$"):
        run.step()  # the rejected answer is not tried again

    records = run.resume({"joke": "Owls hoot."})
    assert [(r.step, r.writes) for r in records] == [(1, (("review", (("published", ["Owls hoot."]),)),))]
    assert run.done and run.state == {"joke": "Cats knit.", "published": ["Owls hoot."]}
    assert stored_keys(run) == []  # the new checkpoint


def test_of_parallel_answers_only_the_rejected_ones_wait_again_in_their_order(checkpointer):
    run = reviewed(checkpointer, "x", "y", "z").start({"joke": "Cats knit."})
    run.run()
    ix, iy, iz = run.interrupts
    with pytest.raises(AnswerRejectedError, match=f"^node `x` raised KeyError: 'joke' on the answer to interrupt `{ix.id}`;"):
        run.resume({iz.id: {}, iy.id: {"joke": "Y"}, ix.id: {}})
    assert run.interrupts == (ix, iz) and run.status == "interrupted"
    run.resume({iz.id: {"joke": "Z"}, ix.id: {"joke": "X"}})
    assert run.done and run.state == {"joke": "Cats knit.", "published": ["X", "Y", "Z"]}


def test_forward_walks_the_stored_branch_without_forking():
    run = build().start({"log": []})
    first, second = run.step(), run.step()
    assert run.ahead() == [] and run.forward() is None  # at the end of its branch: nothing stored ahead
    run.goto(0)
    assert run.ahead() == [first, second]
    assert run.forward() == first and run.state == first.values and run.checkpoint_id == first.checkpoint_id
    assert run.forward() == second and run.state == second.values
    assert run.forward() is None and run.history == [first, second]  # nothing ran, no branch was made
    third = run.step()  # on from the end of the branch: the same branch goes on
    assert third.branch == 0 and third.parent_checkpoint_id == second.checkpoint_id


def test_after_an_edit_or_a_step_run_anew_nothing_is_ahead_and_stepping_forks():
    run = build().start({"log": []})
    first, second = run.step(), run.step()
    run.back()
    run.edit({"n": 42})
    assert run.ahead() == [] and run.forward() is None
    forked = run.step()
    assert forked.branch == 1
    run.goto(0)
    assert run.ahead() == [first, forked]  # the branch gone back along is the edited one, edit passed through
    run.forward()
    again = run.step()  # LangGraph's replay semantics: step() runs the superstep again, a second fork
    assert again.branch == 2 and again.parent_checkpoint_id == first.checkpoint_id and run.ahead() == []
    assert [r.branch for r in run.history] == [0, 0, 1, 2]


def test_forward_walks_over_a_stored_answer():
    run = build().start({"log": []})
    run.run()
    assert run.interrupts
    done = run.resume("yes")[-1]
    run.goto(2)
    assert run.ahead() == [done]
    assert run.forward() == done and run.done and run.state["log"][-1] == "ask:yes"
    assert run.history[-1] == done  # nothing ran again


def test_going_to_a_checkpoint_of_another_branch_walks_that_branch_forward():
    run = build().start({"log": []})
    first, second = run.step(), run.step()
    run.goto(1)
    run.edit({"n": 42})
    forked = run.step()
    run.goto(checkpoint_id=first.checkpoint_id)  # on the first branch's line, but the run came from the fork
    assert run.ahead() == [forked]
    run.goto(checkpoint_id=second.checkpoint_id)
    run.goto(0)
    assert run.ahead() == [first, second]


def one_node_app(schema, write):
    g = StateGraph(schema)
    g.add_node("write", write)
    g.add_edge(START, "write")
    g.add_edge("write", END)
    return g.compile()


class Drafts(TypedDict):
    topic: str
    drafts: Annotated[list[str], operator.add]


def test_an_edit_that_does_not_fit_a_typeddict_schema_is_refused_naming_the_key():
    from wfkit.errors import StateEditError

    run = one_node_app(Drafts, lambda s: {"drafts": [s["topic"]]}).start({"topic": "cats"}, {
        "configurable": {"thread_id": "t-edit"}})
    with pytest.raises(StateEditError) as caught:
        run.edit({"topic": 42, "drafts": "not a list"}, replace=True)
    assert str(caught.value) == (
        "run.edit at step 0 of thread `t-edit`: `topic` must be `str` (as state `Drafts` declares it), got int 42; "
        "`drafts` must be `list[str]` (as state `Drafts` declares it), got str 'not a list'; nothing was changed: "
        "give values of the declared types")
    with pytest.raises(StateEditError) as caught:
        run.edit({"drafts": ["a", 3]})  # through the reducer: the list it makes is checked
    assert str(caught.value) == (
        "run.edit at step 0 of thread `t-edit`: `drafts` must be `list[str]` (as state `Drafts` declares it), got "
        "list ['a', 3] (at `drafts[1]`); nothing was changed: give values of the declared types")
    assert run.state == {"topic": "cats", "drafts": []} and run.edits == []
    assert run.edit({"topic": "dogs"}).edited == ("topic",)


def test_an_edit_of_a_pydantic_or_dataclass_state_is_checked_by_its_schema():
    import dataclasses

    from pydantic import BaseModel, TypeAdapter, ValidationError

    from wfkit.errors import StateEditError

    class Topic(BaseModel):
        topic: str
        n: int = 0

    run = one_node_app(Topic, lambda s: {"n": s.n + 1}).start({"topic": "cats"}, {"configurable": {"thread_id": "p"}})
    with pytest.raises(StateEditError) as caught:
        run.edit({"topic": 42})
    with pytest.raises(ValidationError) as pydantic_said:  # pydantic's own words for it, whatever they are
        TypeAdapter(str).validate_python(42)
    assert str(caught.value) == (
        f"run.edit at step 0 of thread `p`: `topic`: {pydantic_said.value.errors()[0]['msg']} (state `Topic` "
        "declares `topic: str`), got int 42; nothing was changed: give values of the declared types")

    @dataclasses.dataclass
    class Count:
        n: int = 0

    run = one_node_app(Count, lambda s: {"n": s.n + 1}).start({"n": 1}, {"configurable": {"thread_id": "d"}})
    with pytest.raises(StateEditError) as caught:
        run.edit({"n": "5"})
    assert str(caught.value) == ("run.edit at step 0 of thread `d`: `n` must be `int` (as state `Count` declares it), "
                                 "got str '5'; nothing was changed: give values of the declared types")
