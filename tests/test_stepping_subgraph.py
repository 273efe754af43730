"""Stepping into a subgraph (issue 28): `Run.step_into()` opens the subgraph a planned task runs as a Run over
its own checkpoint namespace; it steps one subgraph superstep at a time, goes back within it, answers its
interrupts, and once done the parent's superstep takes its result without running it again."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

import wfkit
from wfkit import END, START, StateGraph, interrupt
from wfkit.errors import ArgumentValueError, InvalidResumeError, UnsupportedFeatureError


class S(TypedDict):
    log: Annotated[list, operator.add]


def build(calls: list, checkpointer=None, sub_checkpointer=None):
    def node(name):
        def fn(state):
            calls.append(name)
            return {"log": [name]}
        return fn

    def ask(state):
        calls.append("ask")
        return {"log": [f"ask:{interrupt('ok?')}"]}

    sb = StateGraph(S)
    sb.add_node("search", node("search"))
    sb.add_node("ask", ask)
    sb.add_node("write", node("write"))
    sb.add_edge(START, "search")
    sb.add_edge("search", "ask")
    sb.add_edge("ask", "write")
    sb.add_edge("write", END)
    pb = StateGraph(S)
    pb.add_node("plan", node("plan"))
    pb.add_node("research", sb.compile(checkpointer=sub_checkpointer))
    pb.add_node("finish", node("finish"))
    pb.add_edge(START, "plan")
    pb.add_edge("plan", "research")
    pb.add_edge("research", "finish")
    pb.add_edge("finish", END)
    return pb.compile(checkpointer=checkpointer)


FINAL = {"log": ["plan", "plan", "search", "ask:yes", "write", "finish"]}  # as invoke gives it (LangGraph's too)


def test_step_into_steps_the_subgraph_one_superstep_at_a_time_and_its_result_is_not_run_again():
    calls = []
    run = build(calls).start({"log": []})
    run.step()
    assert run.subgraph_tasks() == ["research"]
    inner = run.step_into()
    assert (inner.step_number, inner.state, [t.name for t in inner.next]) == (0, {"log": ["plan"]}, ["search"])
    record = inner.step()
    assert (record.step, [t.name for t in record.tasks], inner.state) == (1, ["search"], {"log": ["plan", "search"]})
    inner.step()
    assert (inner.status, [i.value for i in inner.interrupts]) == ("interrupted", ["ok?"])
    assert [i.value for i in inner.interrupts] == ["ok?"] and run.interrupts == ()
    inner.resume("yes")
    assert (inner.status, inner.state) == ("done", {"log": ["plan", "search", "ask:yes", "write"]})
    record = run.step()
    assert ([t.name for t in record.tasks], run.state) == (["research"], {"log": ["plan", "plan", "search", "ask:yes",
                                                                                     "write"]})
    run.run()
    assert run.state == FINAL
    assert calls == ["plan", "search", "ask", "ask", "write", "finish"]  # the subgraph's nodes ran once each


def test_the_subgraph_checkpoints_are_the_tasks_namespace_and_get_state_shows_them():
    calls = []
    app = build(calls, checkpointer=wfkit.InMemorySaver())
    run = app.start({"log": []}, {"configurable": {"thread_id": "t1"}})
    run.step()
    task_id = next(t.id for t in run.next)
    inner = run.step_into("research")
    inner.step()
    assert inner.config["configurable"] == {"thread_id": "t1", "checkpoint_ns": f"research:{task_id}"}
    snapshot = app.get_state({"configurable": {"thread_id": "t1"}}, subgraphs=True)
    state = snapshot.tasks[0].state
    assert (snapshot.next, state.values, state.next) == (("research",), {"log": ["plan", "search"]}, ("ask",))
    assert state.config["configurable"]["checkpoint_ns"] == f"research:{task_id}"


def test_back_inside_the_subgraph_returns_to_its_previous_checkpoint_within_the_parents_step():
    calls = []
    run = build(calls).start({"log": []})
    run.step()
    inner = run.step_into()
    inner.step()
    inner.back()
    assert (inner.step_number, inner.status, inner.state) == (0, "paused", {"log": ["plan"]})
    inner.step()
    inner.step()  # ask pauses (no checkpoint): back goes to the one before search
    inner.back()
    assert (inner.step_number, inner.status, inner.state) == (0, "paused", {"log": ["plan"]})
    assert (run.step_number, run.state) == (1, {"log": ["plan"]})  # the parent stays at its step
    inner.run()
    inner.resume("yes")
    run.run()
    assert run.state == FINAL
    assert calls == ["plan", "search", "search", "ask", "search", "ask", "ask", "write", "finish"]


def test_stepping_the_parent_before_the_subgraph_is_done_goes_on_where_it_stands():
    calls = []
    run = build(calls).start({"log": []})
    run.step()
    inner = run.step_into()
    inner.step()  # search
    run.step()  # the subgraph goes on: ask pauses the parent's task
    assert [i.value for i in run.interrupts] == ["ok?"]
    run.resume("yes")
    assert run.state == FINAL
    assert calls == ["plan", "search", "ask", "ask", "write", "finish"]


def test_back_at_the_parent_level_leaves_the_subgraph_and_a_new_step_runs_it_again():
    calls = []
    run = build(calls).start({"log": []})
    run.step()
    inner = run.step_into()
    inner.run()
    inner.resume("yes")
    run.step()
    run.back()
    assert (run.step_number, run.state, [t.name for t in run.next]) == (1, {"log": ["plan"]}, ["research"])
    run.step()  # a superstep run anew (a replay): its subgraph runs again, and asks again
    assert [i.value for i in run.interrupts] == ["ok?"]


def test_step_into_reopens_the_subgraph_where_it_stopped():
    calls = []
    run = build(calls).start({"log": []})
    run.step()
    run.step_into().step()
    again = run.step_into()
    assert (again.step_number, again.state, [t.name for t in again.next]) == (1, {"log": ["plan", "search"]}, ["ask"])


def test_step_into_refuses_what_runs_no_subgraph_naming_what_does():
    run = build([]).start({"log": []})
    with pytest.raises(InvalidResumeError) as error:
        run.step_into()
    assert str(error.value) == ("run.step_into(): no task planned next runs a subgraph (next: `plan`); step() until "
                                "one does")
    run.step()
    with pytest.raises(ArgumentValueError) as error:
        run.step_into("plan")
    assert str(error.value) == ("run.step_into('plan'): `plan` is not a node planned next that runs a subgraph (those "
                                "planned next that do: `research`); step() to the superstep that runs it, then "
                                "step_into")


def test_step_into_refuses_a_subgraph_that_keeps_no_checkpoints():
    run = build([], sub_checkpointer=False).start({"log": []})
    run.step()
    with pytest.raises(UnsupportedFeatureError) as error:
        run.step_into()
    assert str(error.value) == (
        "run.step_into('research'): the subgraph of `research` was compiled with checkpointer=False, so it keeps no "
        "checkpoints and its task would run it again from its start; compile it with checkpointer=None (the "
        "default) to step into it, or step() over it")


def test_a_langgraph_run_refuses_step_into_naming_the_way_round():
    from langgraph.graph import START as LG_START, StateGraph as LGStateGraph

    g = LGStateGraph(S)
    g.add_node("a", lambda s: {"log": ["a"]})
    g.add_edge(LG_START, "a")
    run = wfkit.start(g.compile(), {"log": []})
    assert run.subgraph_tasks() == []
    with pytest.raises(UnsupportedFeatureError) as error:
        run.step_into("a")
    assert str(error.value) == (
        "run.step_into('a'): stepping into a subgraph is not supported for a LangGraph graph (LangGraph runs it "
        "inside its parent's task); build the graphs with wfkit.StateGraph (the same code) to step into it, or "
        "step() over the subgraph's node")
