"""`wfkit.start` on a graph built with LangGraph itself: each step is one superstep run by LangGraph, and
what the run records is what LangGraph's own snapshots say (issue 30)."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

pytest.importorskip("langgraph")

from langgraph.checkpoint.memory import InMemorySaver  # noqa: E402
from langgraph.graph import END, START, StateGraph  # noqa: E402
from langgraph.types import Command, interrupt  # noqa: E402

import wfkit  # noqa: E402
from wfkit.errors import InvalidResumeError, MissingThreadError  # noqa: E402


class S(TypedDict, total=False):
    trace: Annotated[list, operator.add]
    x: str


def ask(state):
    return {"trace": ["d"], "x": interrupt("ok?")}


def diamond(**compile_options):
    """a branches to b and c, which join into d; d asks a question."""
    g = StateGraph(S)
    for name in "abc":
        g.add_node(name, lambda s, name=name: {"trace": [name]})
    g.add_node("d", ask)
    g.add_edge(START, "a")
    g.add_conditional_edges("a", lambda s: ["b", "c"])
    g.add_edge(["b", "c"], "d")
    g.add_edge("d", END)
    return g.compile(**compile_options)


def shape(records):
    return [(r.step, [(t.name, list(t.triggers)) for t in r.tasks], r.writes, r.values, r.next,
             [i.value for i in r.interrupts], r.interrupted, r.branch) for r in records]


def test_each_step_is_one_superstep_with_tasks_why_writes_values_and_next():
    run = wfkit.start(diamond(), {"trace": []})
    assert (run.step_number, [t.name for t in run.next], run.state) == (0, ["a"], {"trace": []})
    records = [run.step(), run.step(), run.step()]
    assert shape(records) == [
        (1, [("a", ["edge:__start__"])], (("a", (("trace", ["a"]),)),), {"trace": ["a"]}, ("b", "c"), [], (), 0),
        (2, [("b", ["branch:a"]), ("c", ["branch:a"])], (("b", (("trace", ["b"]),)), ("c", (("trace", ["c"]),))),
         {"trace": ["a", "b", "c"]}, ("d",), [], (), 0),
        (3, [("d", ["join:b+c"])], (("d", ()),), {"trace": ["a", "b", "c"]}, ("d",), ["ok?"], ("d",), 0)]
    assert records[-1].paused and run.status == "interrupted"
    assert [t.triggers[0].kind for t in records[-1].tasks] == ["join"]
    assert records[-1].tasks[0].triggers[0].sources == ("b", "c")


def test_the_graph_without_a_checkpointer_is_not_changed():
    graph = diamond()
    run = wfkit.start(graph, {"trace": []})
    assert graph.checkpointer is None
    assert type(run.app.checkpointer).__name__ == "InMemorySaver"


def test_interrupts_carry_langgraphs_ids_and_an_answer_lands_in_its_checkpointer():
    graph = diamond(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t1"}}
    run = wfkit.start(graph, {"trace": []}, config)
    run.run()
    assert [i.id for i in run.interrupts] == [i.id for i in graph.get_state(config).interrupts]
    records = run.resume("yes")
    assert shape(records) == [(3, [("d", ["join:b+c"])], (("d", (("trace", ["d"]), ("x", "yes"))),),
                               {"trace": ["a", "b", "c", "d"], "x": "yes"}, (), [], (), 0)]
    assert run.done and graph.get_state(config).values == {"trace": ["a", "b", "c", "d"], "x": "yes"}
    assert run.checkpoint_id == graph.get_state(config).config["configurable"]["checkpoint_id"]


def test_an_answer_given_to_langgraph_directly_with_the_runs_interrupt_id_is_taken():
    graph = diamond(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t2"}}
    run = wfkit.start(graph, {"trace": []}, config)
    run.run()
    graph.invoke(Command(resume={run.interrupts[0].id: "direct"}), config)
    assert graph.get_state(config).values["x"] == "direct"


def test_opening_a_thread_that_waits_brings_its_history_and_answers_it():
    graph = diamond(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t3"}}
    graph.invoke({"trace": []}, config)  # another process, say: the thread waits at d's interrupt
    run = wfkit.start(graph, None, config)
    assert [(r.step, [t.name for t in r.tasks], r.paused) for r in run.history] == [
        (1, ["a"], False), (2, ["b", "c"], False), (3, ["d"], True)]
    assert (run.status, run.step_number, [i.value for i in run.interrupts]) == ("interrupted", 2, ["ok?"])
    run.resume("later")
    assert graph.get_state(config).values == {"trace": ["a", "b", "c", "d"], "x": "later"}


def test_a_thread_with_no_state_and_no_input_is_a_clear_error():
    with pytest.raises(MissingThreadError) as caught:
        wfkit.start(diamond(checkpointer=InMemorySaver()), None, {"configurable": {"thread_id": "nobody"}})
    assert str(caught.value) == ("thread `nobody` has no state in the graph's checkpointer and no input was given: "
                                 "pass an input to start a run, or the thread_id of a thread that exists")


def test_stepping_at_an_interrupt_without_an_answer_is_refused():
    run = wfkit.start(diamond(), {"trace": []})
    run.run()
    with pytest.raises(InvalidResumeError) as caught:
        run.step()
    assert str(caught.value) == (f"the run is paused at interrupt `{run.interrupts[0].id}`: answer it with "
                                 f"run.resume(value)")


def test_back_edit_and_step_fork_a_new_branch_in_langgraphs_history():
    graph = diamond(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t4"}}
    run = wfkit.start(graph, {"trace": []}, config)
    run.run()
    run.resume("yes")
    run.goto(1)
    assert ([t.name for t in run.next], run.state) == (["b", "c"], {"trace": ["a"]})
    edit = run.edit({"x": "E"})
    assert (edit.values, edit.edited, [t.name for t in run.next]) == ({"trace": ["a"], "x": "E"}, ("x",), ["b", "c"])
    record = run.step()
    assert (record.branch, record.values, record.parent_checkpoint_id) == (
        1, {"trace": ["a", "b", "c"], "x": "E"}, edit.checkpoint_id)
    assert [s for s, _ in run.lineage()] == [-1, 0, 1, 2, 3]
    assert graph.get_state(config).values == {"trace": ["a", "b", "c"], "x": "E"}
    sources = [s.metadata["source"] for s in graph.get_state_history(config)]
    assert sources == ["loop", "update", "loop", "loop", "loop", "loop", "input"]


def test_edit_with_replace_goes_past_the_reducer():
    run = wfkit.start(diamond(), {"trace": []})
    run.step()
    run.edit({"trace": ["z"]}, replace=True)
    assert run.state == {"trace": ["z"]}


def test_back_and_step_again_reruns_the_superstep_from_langgraphs_fork():
    run = wfkit.start(diamond(), {"trace": []})
    run.step(), run.step()
    run.back()
    assert run.step_number == 1
    record = run.step()
    # LangGraph first copies the old checkpoint (source "fork", step 2), then runs from the copy: step 3
    assert (record.step, [(t.name, list(t.triggers)) for t in record.tasks], record.values, record.branch) == (
        3, [("b", ["branch:a"]), ("c", ["branch:a"])], {"trace": ["a", "b", "c"]}, 1)
    assert [s for s, _ in run.lineage()] == [-1, 0, 1, 2, 3]


def test_breakpoints_stop_run_before_a_node_except_where_it_is_paused():
    run = wfkit.start(diamond(), {"trace": []})
    run.breakpoints.add("b")
    assert [r.step for r in run.run()] == [1]
    assert [r.step for r in run.run()] == [2, 3]


def test_the_graphs_own_interrupt_before_become_breakpoints():
    run = wfkit.start(diamond(interrupt_before=["c"]), {"trace": []})
    assert run.breakpoints == {"c"}


def test_async_nodes_run():
    async def a(state):
        return {"trace": ["async"]}

    g = StateGraph(S)
    g.add_node("a", a)
    g.add_edge(START, "a")
    run = wfkit.start(g.compile(), {"trace": []})
    assert run.run()[0].values == {"trace": ["async"]}


def test_listeners_hear_the_superstep():
    run = wfkit.start(diamond(), {"trace": []})
    heard = []
    run.listeners.append(lambda event: heard.append((type(event).__name__, getattr(getattr(event, "task", None),
                                                                                    "name", None))))
    run.step()
    assert heard == [("StepPlanned", None), ("TaskStarted", "a"), ("TaskFinished", "a"), ("StepApplied", None)]


def test_back_then_forward_walks_langgraphs_stored_branch_without_forking():
    app = diamond(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "fwd"}}
    run = wfkit.start(app, {"trace": []}, config)
    run.run()  # to d's interrupt
    steps, at = [cid for _, cid in run.lineage()], run.step_number
    run.back(2)
    assert (run.step_number, [r.checkpoint_id for r in run.ahead()]) == (at - 2, steps[-2:])
    assert run.forward().checkpoint_id == steps[-2]
    assert (run.forward().checkpoint_id, run.state) == (steps[-1], {"trace": ["a", "b", "c"]})
    assert (run.forward(), run.ahead(), run.status) == (None, [], "interrupted")
    assert len(list(app.get_state_history(config))) == len(steps)  # walking forward forked nothing
