"""A subgraph of a run that keeps checkpoints keeps its own, under its parent's thread and a checkpoint_ns, as
in LangGraph (issue 28): a resume goes on inside the subgraph where it stopped, checkpointer=True keeps one
state per thread that accumulates, checkpointer=False keeps none, and deleting the thread deletes them."""

import operator
from typing import Annotated

from typing_extensions import TypedDict

import pytest

from wfkit import Command, InMemorySaver, START, StateGraph, interrupt
from wfkit.checkpoint.base import nested_key
from wfkit.errors import SubgraphNotFoundError


class S(TypedDict):
    foo: str


def counted_sub(calls, checkpointer=None):
    """a -> b (asks q1) -> c (asks q2), each appending to `foo` and counting its runs in `calls`."""
    def a(s):
        calls.append("a")
        return {"foo": s["foo"] + "a"}

    def b(s):
        calls.append("b")
        return {"foo": s["foo"] + interrupt("q1")}

    def c(s):
        calls.append("c")
        return {"foo": s["foo"] + interrupt("q2")}

    g = StateGraph(S)
    for fn in (a, b, c):
        g.add_node(fn.__name__, fn)
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    g.add_edge("b", "c")
    return g.compile(checkpointer=checkpointer)


def parent_with(sub, saver, *, as_node=True):
    """p runs `sub` (added as a node, or invoked by the node's code), then q appends "!"."""
    g = StateGraph(S)
    g.add_node("p", sub if as_node else (lambda s: {"foo": sub.invoke(s)["foo"]}))
    g.add_node("q", lambda s: {"foo": s["foo"] + "!"})
    g.add_edge(START, "p")
    g.add_edge("p", "q")
    return g.compile(checkpointer=saver)


def run(app, inputs, config):
    """Each input's result: the state's `foo` and the values of the interrupts it paused at."""
    return [(out["foo"], [i.value for i in out.get("__interrupt__", ())])
            for out in (app.invoke(i, config) for i in inputs)]


@pytest.mark.parametrize("as_node", [True, False])
def test_a_resume_goes_on_inside_the_subgraph_where_it_stopped(saver, as_node):
    calls = []
    app = parent_with(counted_sub(calls), saver, as_node=as_node)
    config = {"configurable": {"thread_id": "t"}}
    assert run(app, [{"foo": ""}], config) == [("", ["q1"])]
    assert calls == ["a", "b"]
    assert run(app, [Command(resume="X")], config) == [("", ["q2"])]
    assert calls == ["a", "b", "b", "c"]  # `a` finished before the pause: not run again (twice before)
    assert run(app, [Command(resume="Y")], config) == [("aXY!", [])]
    assert calls == ["a", "b", "b", "c", "c"]
    # the next parent task has a namespace of its own: the subgraph starts afresh
    assert run(app, [{"foo": "n"}, Command(resume="1"), Command(resume="2")], config) == [
        ("n", ["q1"]), ("n", ["q2"]), ("na12!", [])]
    assert calls[5:] == ["a", "b", "b", "c", "c"]


def test_an_answer_by_interrupt_id_reaches_the_subgraphs_task(saver):
    calls = []
    app = parent_with(counted_sub(calls), saver)
    config = {"configurable": {"thread_id": "t"}}
    waiting = app.invoke({"foo": ""}, config)["__interrupt__"][0]
    assert waiting.id.endswith(":b")  # the subgraph's task owns it
    assert run(app, [Command(resume={waiting.id: "X"})], config) == [("", ["q2"])]
    assert calls == ["a", "b", "b", "c"]


class Log(TypedDict):
    log: Annotated[list, operator.add]


def counter_in_a_node(saver, checkpointer):
    """A parent whose node `p` invokes a subgraph that appends "+" to its `log`: p returns the subgraph's log."""
    sub = StateGraph(Log)
    sub.add_node("count", lambda s: {"log": ["+"]})
    sub.add_edge(START, "count")
    inner = sub.compile(checkpointer=checkpointer)
    g = StateGraph(S)
    g.add_node("p", lambda s: {"foo": "".join(inner.invoke({"log": []})["log"])})
    g.add_edge(START, "p")
    return g.compile(checkpointer=saver)


def test_a_subgraph_compiled_with_checkpointer_true_accumulates_its_state_in_the_thread(saver):
    app = counter_in_a_node(saver, True)
    one, two = {"configurable": {"thread_id": "one"}}, {"configurable": {"thread_id": "two"}}
    assert [app.invoke({"foo": "x"}, one)["foo"] for _ in range(3)] == ["+", "++", "+++"]
    assert app.invoke({"foo": "x"}, two)["foo"] == "+"  # per thread


@pytest.mark.parametrize("checkpointer", [None, False])
def test_a_subgraph_compiled_with_checkpointer_none_or_false_starts_afresh_each_call(saver, checkpointer):
    app = counter_in_a_node(saver, checkpointer)
    config = {"configurable": {"thread_id": "t"}}
    assert [app.invoke({"foo": "x"}, config)["foo"] for _ in range(3)] == ["+", "+", "+"]


def test_checkpointer_false_keeps_no_checkpoints_so_the_subgraph_runs_again_from_its_start(saver):
    calls = []
    app = parent_with(counted_sub(calls, checkpointer=False), saver)
    config = {"configurable": {"thread_id": "t"}}
    assert run(app, [{"foo": ""}, Command(resume="X")], config) == [("", ["q1"]), ("", ["q2"])]
    assert calls == ["a", "b", "a", "b", "c"]
    assert list(saver.list(nested_key("t", "p"))) == []


def test_deleting_a_thread_deletes_its_subgraphs_checkpoints(saver):
    app = parent_with(counted_sub([]), saver)
    app.invoke({"foo": ""}, {"configurable": {"thread_id": "t"}})
    app.invoke({"foo": ""}, {"configurable": {"thread_id": "t2"}})  # a thread whose name starts alike
    ns = app.get_state({"configurable": {"thread_id": "t"}}).tasks[0]
    key = nested_key("t", f"p:{ns.id}")
    assert [cp.step for cp in saver.list(key)] == [1, 0, -1]
    saver.delete_thread("t")
    assert (list(saver.list(key)), saver.get("t")) == ([], None)
    assert saver.get("t2") is not None


def paused_in_sub(saver):
    """An app paused at `b`'s q1 inside subgraph node `p` (thread "t"), and the namespace of p's task."""
    app = parent_with(counted_sub([]), saver)
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"foo": "s"}, config)
    return app, config, f"p:{app.get_state(config).tasks[0].id}"


def test_get_state_with_subgraphs_shows_each_subgraph_tasks_state(saver):
    app, config, ns = paused_in_sub(saver)
    task = app.get_state(config).tasks[0]
    assert task.state == {"configurable": {"thread_id": "t", "checkpoint_ns": ns}}  # without: its config
    (task,) = app.get_state(config, subgraphs=True).tasks
    inner = task.state
    assert (task.name, inner.values, inner.next, inner.config["configurable"]["checkpoint_ns"]) == (
        "p", {"foo": "sa"}, ("b",), ns)
    assert (inner.metadata["parents"], [i.value for i in inner.interrupts]) == (
        {"": app.get_state(config).config["configurable"]["checkpoint_id"]}, ["q1"])
    assert inner.interrupts == task.interrupts  # one interrupt, seen from both graphs
    top = app.get_state(config).config["configurable"]["checkpoint_id"]
    assert inner.config["configurable"]["checkpoint_map"] == {"": top, ns: inner.config["configurable"]["checkpoint_id"]}


def test_a_config_naming_a_subgraphs_namespace_reads_and_writes_its_checkpoints(saver):
    app, config, ns = paused_in_sub(saver)
    sub_config = {"configurable": {"thread_id": "t", "checkpoint_ns": ns}}
    assert app.get_state(sub_config).values == {"foo": "sa"}
    assert [(h.values, h.next, h.metadata["source"]) for h in app.get_state_history(sub_config)] == [
        ({"foo": "sa"}, ("b",), "loop"), ({"foo": "s"}, ("a",), "loop"), ({}, ("__start__",), "input")]
    changed = app.update_state(sub_config, {"foo": "zz"})
    assert changed["configurable"]["checkpoint_ns"] == ns
    assert (app.get_state(sub_config).values, app.get_state(sub_config).next) == ({"foo": "zz"}, ("b",))
    # the resume goes on from the changed state; the answer reaches `b`, waiting there again
    assert run(app, [Command(resume="X"), Command(resume="Y")], config) == [("s", ["q2"]), ("zzXY!", [])]


def test_a_namespace_naming_no_known_subgraph_reads_with_the_parent_but_is_not_written(saver):
    app, config, ns = paused_in_sub(saver)
    unknown = {"configurable": {"thread_id": "t", "checkpoint_ns": "q:123"}}
    assert app.get_state(unknown).values == {}  # nothing kept there: read with the parent's schema
    with pytest.raises(SubgraphNotFoundError) as raised:
        app.update_state({"configurable": {"thread_id": "t", "checkpoint_ns": f"{ns}|q:123"}}, {"foo": "x"})
    assert str(raised.value) == (
        f"Subgraph p|q not found: checkpoint_ns `{ns}|q:123` names node `q`, which runs no subgraph that graph "
        "`LangGraph` declares (nodes that do: none), so its state cannot be written with the right schema; add "
        "the subgraph as a node (add_node(name, compiled_subgraph)), or let the node's function reach it by a "
        "name it closes over or a global (not through a dict)")
    assert isinstance(raised.value, ValueError)  # as LangGraph's


def test_time_travel_to_a_subgraphs_checkpoint_asks_again_there_and_branches_both_graphs(saver):
    calls = []
    app = parent_with(counted_sub(calls, checkpointer=True), saver)
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"foo": ""}, config)
    at_q1 = app.get_state(config, subgraphs=True).tasks[0].state.config
    assert at_q1["configurable"]["checkpoint_ns"] == "p"  # checkpointer=True: the node's name
    assert run(app, [Command(resume="X"), Command(resume="Y")], config) == [("", ["q2"]), ("aXY!", [])]
    calls.clear()
    assert run(app, [None], at_q1) == [("", ["q1"])]  # `a` ran before that checkpoint: not again
    assert calls == ["b"]
    assert [(h.metadata["source"], h.next) for h in app.get_state_history(config)] == [
        ("fork", ("p",)), ("loop", ()), ("loop", ("q",)), ("loop", ("p",)), ("input", ("__start__",))]
    assert run(app, [Command(resume="1"), Command(resume="2")], config) == [("", ["q2"]), ("a12!", [])]
    assert calls == ["b", "b", "c", "c"]


def test_running_from_a_subgraph_checkpoint_update_state_made_goes_on_from_it(saver):
    app, config, ns = paused_in_sub(saver)
    changed = app.update_state({"configurable": {"thread_id": "t", "checkpoint_ns": ns}}, {"foo": "zz"})
    assert run(app, [None], changed) == [("s", ["q1"])]  # b asks again, on the changed state
    assert run(app, [Command(resume="X")], changed) == [("s", ["q2"])]  # the answer reaches b there
    assert run(app, [Command(resume="Y")], config) == [("zzXY!", [])]  # and the thread goes on from there


def test_a_replay_or_fork_of_the_parent_finds_the_subgraph_as_it_was_then(saver):
    app = counter_in_a_node(saver, True)
    config = {"configurable": {"thread_id": "t"}}
    assert [app.invoke({"foo": "x"}, config)["foo"] for _ in range(3)] == ["+", "++", "+++"]
    before_p = [s for s in app.get_state_history(config) if s.next == ("p",)]  # newest first
    assert app.invoke(None, before_p[1].config)["foo"] == "++"  # the 2nd call again: one "+" before it
    assert app.invoke({"foo": "x"}, config)["foo"] == "+++"  # the subgraph's branch goes on
    forked = app.update_state(before_p[2].config, {"foo": "y"})  # the 1st call, forked: nothing before it
    assert (app.invoke(None, forked)["foo"], app.invoke({"foo": "x"}, config)["foo"]) == ("+", "++")


def test_a_graph_given_a_thread_of_its_own_inside_a_node_keeps_its_checkpoints_there(saver):
    child = StateGraph(Log)
    child.add_node("n", lambda s: {"log": ["+"]})
    child.add_edge(START, "n")
    child = child.compile(checkpointer=saver)
    own = {"configurable": {"thread_id": "child"}}
    app = StateGraph(S)
    app.add_node("p", lambda s: {"foo": "".join(child.invoke({"log": []}, own)["log"])})
    app.add_edge(START, "p")
    app = app.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "parent"}}
    assert [app.invoke({"foo": ""}, config)["foo"] for _ in range(2)] == ["+", "++"]
    state = child.get_state(own)
    assert (state.values, state.config["configurable"]["checkpoint_ns"]) == ({"log": ["+", "+"]}, "")


def test_running_from_a_subgraphs_latest_checkpoint_by_name_asks_its_answered_questions_again(saver):
    sub = StateGraph(Log)
    sub.add_node("a", lambda s: {"log": [f"a:{interrupt('a')}"]})
    sub.add_node("b", lambda s: {"log": [f"b:{interrupt('b')}"]})
    sub.add_edge(START, "a")
    sub.add_edge(START, "b")
    app = StateGraph(Log)
    app.add_node("p", sub.compile(checkpointer=True))
    app.add_edge(START, "p")
    app = app.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "t"}}
    asked = {i.value: i.id for i in app.invoke({"log": []}, config)["__interrupt__"]}
    assert [i.value for i in app.invoke(Command(resume={asked["a"]: "yes"}), config)["__interrupt__"]] == ["b"]
    head = app.get_state(config, subgraphs=True).tasks[0].state.config
    asked = {i.value: i.id for i in app.invoke(None, head)["__interrupt__"]}
    assert sorted(asked) == ["a", "b"]  # replayed in place
    # answered by id at once, each its own (whichever order the saver keeps them in)
    assert app.invoke(Command(resume={asked["b"]: "B", asked["a"]: "A"}), config) == {"log": ["a:A", "b:B"]}


def test_resuming_with_the_latest_snapshots_config_answers_the_subgraph_by_id(saver):
    calls = []
    app = parent_with(counted_sub(calls), saver)
    config = {"configurable": {"thread_id": "t"}}
    waiting = app.invoke({"foo": ""}, config)["__interrupt__"][0]
    latest = app.get_state(config).config  # names the latest checkpoint: not a replay of an earlier one
    assert run(app, [Command(resume={waiting.id: "X"})], latest) == [("", ["q2"])]
    assert calls == ["a", "b", "b", "c"]


def test_a_subgraph_a_node_picks_from_a_dict_is_undeclared_read_with_the_parents_schema_and_not_written(saver):
    class Notes(S):
        notes: str

    def work(s):
        return {"foo": s["foo"] + "w", "notes": "kept"}

    subs = {"notes": StateGraph(Notes).add_node("work", work).add_edge(START, "work").compile()}
    # as LangGraph's, the subgraph detection does not follow a subscript: `call` declares no subgraph
    app = (StateGraph(S).add_node("call", lambda s: {"foo": subs["notes"].invoke({"foo": "x"})["foo"]})
           .add_edge(START, "call").compile(checkpointer=saver))
    config = {"configurable": {"thread_id": "t"}}
    [ns] = {chunk[0][0] for chunk in app.stream({"foo": ""}, config, subgraphs=True) if chunk[0]}
    sub_config = {"configurable": {"thread_id": "t", "checkpoint_ns": ns}}
    assert app.get_state(config).values == {"foo": "xw"}
    assert app.get_state(sub_config).values == {"foo": "xw"}  # the parent's keys only: no `notes`
    with pytest.raises(SubgraphNotFoundError) as raised:
        app.update_state(sub_config, {"foo": "y"})
    assert str(raised.value) == (
        f"Subgraph call not found: checkpoint_ns `{ns}` names node `call`, which runs no subgraph that graph "
        "`LangGraph` declares (nodes that do: none), so its state cannot be written with the right schema; add "
        "the subgraph as a node (add_node(name, compiled_subgraph)), or let the node's function reach it by a "
        "name it closes over or a global (not through a dict)")
    assert len(list(app.get_state_history(sub_config))) == 3  # nothing written


def test_durability_exit_keeps_a_subgraphs_checkpoints_apart_from_its_parents_and_reruns_no_finished_task(saver):
    from collections import Counter

    calls = Counter()

    def asker(name):
        def node(s):
            calls[name] += 1
            return {"foo": s["foo"] + f"{name}:{interrupt(name.upper())} "}
        return node

    class Log(TypedDict):
        foo: Annotated[str, operator.add]

    sub = (StateGraph(Log).add_node("a", asker("a")).add_node("b", asker("b"))
           .add_edge(START, "a").add_edge(START, "b").compile())
    app = StateGraph(Log).add_node("child", sub).add_edge(START, "child").compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"foo": ""}, config, durability="exit")
    ids = {i.value: i.id for i in app.get_state(config).interrupts}
    app.invoke(Command(resume={ids["A"]: "yes"}), config, durability="exit")
    state = app.get_state(config, subgraphs=True)
    inner = state.tasks[0].state
    assert ([i.value for i in state.interrupts], inner.values, inner.next) == (["B"], {"foo": "a:yes "}, ("b",))
    sub_config = {"configurable": {"thread_id": "t", "checkpoint_ns": inner.config["configurable"]["checkpoint_ns"]}}
    # one checkpoint each (the last of each run), as LangGraph stores them
    assert (len(list(app.get_state_history(config))), len(list(app.get_state_history(sub_config)))) == (1, 1)
    ids = {i.value: i.id for i in app.get_state(config).interrupts}
    assert app.invoke(Command(resume={ids["B"]: "ok"}), config, durability="exit") == {"foo": "a:yes b:ok "}
    assert calls == {"a": 2, "b": 3}  # `a`, finished, is not run again when `b` is answered
    assert [s.next for s in app.get_state_history(config)] == [(), ("child",)]
