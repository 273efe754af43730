"""Issue 28 items 4-8, as LangGraph does them: parallel interrupts answered by id, the async twins of the
state API, `durability=`, the `__copy__` fork, and each finished task's result in the history. Each test
runs on InMemorySaver and SqliteSaver."""

import asyncio
import operator
from collections import Counter
from typing import Annotated

import pytest
from typing_extensions import TypedDict

from wfkit import START, Command, Send, StateGraph, entrypoint, interrupt, task
from wfkit.errors import ArgumentValueError, InvalidResumeError, InvalidUpdateError
from wfkit.graph.snapshots import task_result


class S(TypedDict):
    log: Annotated[list, operator.add]


def writer(name):
    return lambda state: {"log": [name]}


def chain(saver, names=("a", "b"), **compile_kw):
    g = StateGraph(S)
    for name in names:
        g.add_node(name, writer(name))
    g.add_edge(START, names[0])
    for a, b in zip(names, names[1:]):
        g.add_edge(a, b)
    return g.compile(checkpointer=saver, **compile_kw)


def cfg(thread="t"):
    return {"configurable": {"thread_id": thread}}


# -- item 5: async twins -----------------------------------------------------------------------------
def test_aget_state_history_is_an_async_generator_listing_what_get_state_history_lists(saver):
    app = chain(saver)
    app.invoke({"log": []}, cfg())

    async def listed():
        listing = app.aget_state_history(cfg(), limit=3)
        assert hasattr(listing, "__anext__")
        return [(s.metadata["step"], s.next, s.values) async for s in listing]

    assert asyncio.run(listed()) == [(2, (), {"log": ["a", "b"]}), (1, ("b",), {"log": ["a"]}),
                                     (0, ("a",), {"log": []})]
    assert asyncio.run(listed()) == [(s.metadata["step"], s.next, s.values)
                                     for s in app.get_state_history(cfg(), limit=3)]


def test_aupdate_state_forks_as_update_state_does(saver):
    app = chain(saver)
    app.invoke({"log": []}, cfg())
    before_b = next(s for s in app.get_state_history(cfg()) if s.next == ("b",))
    fork = asyncio.run(app.aupdate_state(before_b.config, {"log": ["x"]}, as_node="a"))
    assert asyncio.run(app.aget_state(fork)).values == {"log": ["a", "x"]}
    assert asyncio.run(app.aget_state(fork, subgraphs=True)).next == ("b",)
    assert asyncio.run(app.ainvoke(None, fork)) == {"log": ["a", "x", "b"]}


def test_get_subgraphs_finds_graph_nodes_and_graphs_a_node_calls_by_whole_namespace_segments():
    inner, called, alone = chain(None, ("n",)), chain(None, ("m",)), chain(None, ("k",))
    research = StateGraph(S).add_node("review", inner).add_edge(START, "review").compile()

    def review(state):
        return called.invoke(state)

    parent = (StateGraph(S).add_node("research", research).add_node("research_review", alone)
              .add_node("review", review).add_node("plain", writer("p")).add_edge(START, "research").compile())
    found = list(parent.get_subgraphs(recurse=True))
    assert found == [("research", research), ("research|review", inner), ("research_review", alone),
                     ("review", called)]
    assert list(parent.get_subgraphs()) == [("research", research), ("research_review", alone), ("review", called)]
    for namespace, graph in found:
        assert list(parent.get_subgraphs(namespace=namespace, recurse=True)) == [(namespace, graph)]
    assert list(parent.get_subgraphs(namespace="research|review")) == []  # nested: only with recurse=True

    async def listed():
        return [pair async for pair in parent.aget_subgraphs(namespace="research|review", recurse=True)]

    assert asyncio.run(listed()) == [("research|review", inner)]


# -- item 4: interrupt bookkeeping -------------------------------------------------------------------
def parallel_askers(saver, calls, a_questions=1):
    """`a` and `b` start together; `a` asks `a_questions` questions in a row, `b` one."""

    def a(state):
        calls["a"] += 1
        return {"log": [f"a:{interrupt(f'A{i + 1}')}" for i in range(a_questions)]}

    def b(state):
        calls["b"] += 1
        return {"log": [f"b:{interrupt('B')}"]}

    return (StateGraph(S).add_node("a", a).add_node("b", b).add_edge(START, "a").add_edge(START, "b")
            .compile(checkpointer=saver))


def by_value(snapshot):
    return {i.value: i for i in snapshot.interrupts}


def test_parallel_interrupts_answered_one_by_one_by_id_and_a_finished_task_is_never_run_again(saver):
    calls = Counter()
    app = parallel_askers(saver, calls)
    app.invoke({"log": []}, cfg())
    asked = by_value(app.get_state(cfg()))
    app.invoke(Command(resume={asked["A1"].id: "yes"}), cfg())

    live = app.get_state(cfg())
    assert [i.value for i in live.interrupts] == ["B"]
    assert live.next == ("b",)
    assert [(t.name, [i.value for i in t.interrupts], t.result) for t in live.tasks] == [
        ("a", [], {"log": ["a:yes"]}), ("b", ["B"], None)]
    assert live.values == {"log": ["a:yes"]}

    # the same checkpoint named by id: the record of its superstep, every question asked in it included
    record = app.get_state(live.config)
    assert record.next == ("a", "b")
    assert [i.value for i in record.interrupts] == ["A1", "B"]
    assert [(t.name, [i.value for i in t.interrupts], t.result) for t in record.tasks] == [
        ("a", ["A1"], {"log": ["a:yes"]}), ("b", ["B"], None)]
    assert record.values == {"log": []}

    assert app.invoke(Command(resume={asked["B"].id: "ok"}), cfg()) == {"log": ["a:yes", "b:ok"]}
    assert calls == {"a": 2, "b": 3}
    done = app.get_state(cfg())
    assert (done.next, done.interrupts) == ((), ())
    assert [[i.value for i in s.interrupts] for s in app.get_state_history(cfg()) if s.interrupts] == [["A1", "B"]]


def test_a_task_paused_at_its_second_interrupt_stays_pending(saver):
    calls = Counter()
    app = parallel_askers(saver, calls, a_questions=2)
    app.invoke({"log": []}, cfg())
    app.invoke(Command(resume={by_value(app.get_state(cfg()))["A1"].id: "one"}), cfg())
    snapshot = app.get_state(cfg())
    assert snapshot.next == ("a", "b")
    assert [(t.name, [i.value for i in t.interrupts], t.result) for t in snapshot.tasks] == [
        ("a", ["A2"], None), ("b", ["B"], None)]
    asked = by_value(snapshot)
    assert app.invoke(Command(resume={asked["A2"].id: "two", asked["B"].id: "ok"}), cfg()) == {
        "log": ["a:one", "a:two", "b:ok"]}
    assert calls == {"a": 3, "b": 3}


def test_resume_without_id_while_several_interrupts_are_pending_is_refused_naming_them(saver):
    app = parallel_askers(saver, Counter(), a_questions=2)
    app.invoke({"log": []}, cfg())
    app.invoke(Command(resume={by_value(app.get_state(cfg()))["A1"].id: "one"}), cfg())
    a2, b = (by_value(app.get_state(cfg()))[q].id for q in ("A2", "B"))
    with pytest.raises(InvalidResumeError) as info:
        app.invoke(Command(resume="ambiguous"), cfg())
    assert isinstance(info.value, RuntimeError)
    assert str(info.value) == (
        f"2 interrupts are pending (`{a2}`, `{b}`); a value without an interrupt id cannot tell multiple pending "
        "interrupts apart: resume them with Command(resume={interrupt_id: value, ...}) naming each id — the "
        "thread is unchanged and still resumable")


def test_two_interrupts_of_one_task_count_as_several_pending(saver):
    child = (StateGraph(S).add_node("a", lambda s: {"log": [f"a:{interrupt('A')}"]})
             .add_node("b", lambda s: {"log": [f"b:{interrupt('B')}"]}).add_edge(START, "a").add_edge(START, "b")
             .compile())
    app = StateGraph(S).add_node("child", child).add_edge(START, "child").compile(checkpointer=saver)
    app.invoke({"log": []}, cfg())
    pending = app.get_state(cfg()).interrupts
    assert sorted(i.value for i in pending) == ["A", "B"]
    with pytest.raises(InvalidResumeError, match="^2 interrupts are pending .*multiple pending interrupts"):
        app.invoke(Command(resume="ambiguous"), cfg())


def test_parallel_task_calls_of_an_entrypoint_each_get_the_answer_given_for_theirs(saver):
    calls = Counter()

    @task
    def ask_a():
        calls["a"] += 1
        interrupt("A")

    @task
    def ask_b():
        calls["b"] += 1
        return interrupt("B")

    @entrypoint(checkpointer=saver)
    def workflow(_):
        a, b = ask_a(), ask_b()
        return [a.result(), b.result()]

    workflow.invoke(1, cfg())
    workflow.invoke(Command(resume={by_value(workflow.get_state(cfg()))["A"].id: "x"}), cfg())
    snapshot = workflow.get_state(cfg())
    assert [i.value for i in snapshot.interrupts] == ["B"]
    assert workflow.invoke(Command(resume={by_value(snapshot)["B"].id: "y"}), cfg()) == [None, "y"]
    assert calls == {"a": 2, "b": 3}


# -- item 8: each finished task's result in the history ----------------------------------------------
def test_history_snapshots_carry_each_finished_tasks_result(saver):
    class T(TypedDict):
        log: Annotated[list, operator.add]
        n: int

    g = StateGraph(T)
    g.add_node("a", lambda s: {"log": ["a"], "n": 1})
    g.add_node("b", lambda s: None)
    g.add_node("c", lambda s: {"log": [s]})
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    g.add_conditional_edges("b", lambda s: [Send("c", 1), Send("c", 2)], ["c"])
    app = g.compile(checkpointer=saver)
    app.invoke({"log": [], "n": 0}, cfg())
    assert [(s.metadata["step"], [(t.name, t.result) for t in s.tasks]) for s in app.get_state_history(cfg())] == [
        (3, []),
        (2, [("c", {"log": [1]}), ("c", {"log": [2]})]),
        (1, [("b", {})]),
        (0, [("a", {"log": ["a"], "n": 1})]),
        (-1, [("__start__", {"log": [], "n": 0})]),
    ]


def test_a_task_writing_one_key_twice_shows_both_writes_as_langgraph_does():
    assert task_result([("log", [1]), ("n", 2), ("log", [3]), ("log", [4])]) == {
        "log": {"$writes": [[1], [3], [4]]}, "n": 2}
    assert task_result([]) == {}


# -- item 6: durability= -----------------------------------------------------------------------------
def three_steps(saver):
    return chain(saver, ("step_1", "step_2", "step_3"), interrupt_after="*")


@pytest.mark.parametrize("durability,counts", [("sync", [3, 4, 5]), ("async", [3, 4, 5]), ("exit", [1, 2, 3]),
                                               (None, [3, 4, 5])])
def test_durability_exit_stores_only_each_runs_last_checkpoint(saver, durability, counts):
    app = three_steps(saver)
    seen = []
    for given in ({"log": []}, None, None):
        app.invoke(given, cfg(), durability=durability)
        seen.append(len(list(app.get_state_history(cfg()))))
    assert seen == counts
    assert app.get_state(cfg()).values == {"log": ["step_1", "step_2", "step_3"]}


def asks_between(saver):
    def ask(state):
        return {"log": [interrupt("q")]}

    g = StateGraph(S)
    for name in ("a", "b", "c"):
        g.add_node(name, writer(name))
    g.add_node("ask", ask)
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    g.add_edge("b", "ask")
    g.add_edge("ask", "c")
    return g.compile(checkpointer=saver)


def test_durability_exit_keeps_the_pause_and_chains_each_run_to_the_last_stored_checkpoint(saver):
    app = asks_between(saver)
    out = app.invoke({"log": []}, cfg(), durability="exit")
    assert (out["log"], [i.value for i in out["__interrupt__"]]) == (["a", "b"], ["q"])
    assert app.invoke(Command(resume="r"), cfg(), durability="exit") == {"log": ["a", "b", "r", "c"]}
    chunks = list(app.stream({"log": ["again"]}, cfg(), durability="exit", stream_mode="values"))
    assert [c["log"] for c in chunks][-1] == ["a", "b", "r", "c", "again", "a", "b"]
    history = list(app.get_state_history(cfg()))
    assert [(s.metadata["step"], s.metadata["source"], s.next, s.values["log"],
             [i.value for i in s.interrupts]) for s in history] == [
        (8, "loop", ("ask",), ["a", "b", "r", "c", "again", "a", "b"], ["q"]),
        (4, "loop", (), ["a", "b", "r", "c"], []),
        (2, "loop", ("ask",), ["a", "b"], ["q"]),
    ]
    assert [s.parent_config for s in history] == [history[1].config, history[2].config, None]
    assert app.invoke(Command(resume="s"), cfg())["log"] == ["a", "b", "r", "c", "again", "a", "b", "s", "c"]


def test_checkpoint_during_false_is_durability_exit_and_a_bad_durability_is_refused(saver):
    app = three_steps(saver)
    app.invoke({"log": []}, cfg(), checkpoint_during=False)
    assert len(list(app.get_state_history(cfg()))) == 1
    with pytest.raises(ArgumentValueError) as info:
        app.invoke(None, cfg(), durability="never")
    assert str(info.value) == ("`durability` must be one of 'sync', 'async', 'exit' (or None), got str `'never'`: e.g. "
                               "invoke(input, config, durability='exit') to store only the run's last checkpoint")


# -- item 7: update_state(config, None, as_node="__copy__") ------------------------------------------
def test_copy_makes_a_sibling_fork_that_runs_its_tasks_again(saver):
    app = chain(saver)
    app.invoke({"log": []}, cfg())
    before_b = next(s for s in app.get_state_history(cfg()) if s.next == ("b",))
    copy = app.update_state(before_b.config, None, as_node="__copy__")
    state = app.get_state(copy)
    assert (state.metadata, state.next, state.values) == ({"source": "fork", "step": 2, "parents": {}}, ("b",),
                                                          {"log": ["a"]})
    assert state.parent_config == before_b.parent_config and copy != before_b.config
    assert app.get_state(cfg()).config == copy
    assert app.invoke(None, copy) == {"log": ["a", "b"]}
    assert [(s.metadata["step"], s.metadata["source"], s.next) for s in app.get_state_history(cfg())] == [
        (3, "loop", ()), (2, "fork", ("b",)), (2, "loop", ()), (1, "loop", ("b",)), (0, "loop", ("a",)),
        (-1, "input", ("__start__",))]


def test_copy_of_a_checkpoint_before_an_interrupt_asks_again(saver):
    app = asks_between(saver)
    app.invoke({"log": []}, cfg())
    app.invoke(Command(resume="first"), cfg())
    before_ask = [s for s in app.get_state_history(cfg()) if s.next == ("ask",)][-1]
    copy = app.update_state(before_ask.config, None, as_node="__copy__")
    out = app.invoke(None, copy)
    assert (out["log"], [i.value for i in out["__interrupt__"]]) == (["a", "b"], ["q"])
    assert app.invoke(Command(resume="second"), copy) == {"log": ["a", "b", "second", "c"]}


def test_copy_with_values_is_refused_naming_the_checkpoint(saver):
    app = chain(saver)
    app.invoke({"log": []}, cfg())
    head = app.get_state(cfg()).config
    with pytest.raises(InvalidUpdateError) as info:
        app.update_state(head, {"log": ["x"]}, as_node="__copy__")
    assert str(info.value) == (
        f"update_state(config, {{'log': ['x']}}, as_node='__copy__') copies checkpoint "
        f"`{head['configurable']['checkpoint_id']}`: pass None to copy it as it is, or a list of "
        "StateUpdate(values, as_node) to apply to the copy as one superstep")
