"""Checkpointed runs through the engine: snapshots, history, update_state, replay and fork, interrupts,
breakpoints and failures. Each test runs on InMemorySaver and SqliteSaver."""

import operator
import threading
import uuid
from typing import Annotated

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from wfkit import START, Command, StateGraph, interrupt
from wfkit.errors import CheckpointError, InvalidResumeError, MissingThreadError, ThreadKeyMissingError, WfkitWarning


class S(TypedDict):
    log: Annotated[list, operator.add]
    n: int


def writer(name):
    return lambda state: {"log": [name]}


def chain(saver, **compile_kw):
    g = StateGraph(S)
    for name in ("a", "b"):
        g.add_node(name, writer(name))
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    return g.compile(checkpointer=saver, **compile_kw)


def cfg(thread="t"):
    return {"configurable": {"thread_id": thread}}


def test_get_state_after_a_finished_run(saver):
    app = chain(saver)
    app.invoke({"n": 1}, cfg())
    snap = app.get_state(cfg())
    assert snap.values == {"log": ["a", "b"], "n": 1}
    assert snap.next == () and snap.tasks == () and snap.interrupts == ()
    assert snap.metadata == {"source": "loop", "step": 2, "parents": {}}
    assert snap.config["configurable"]["thread_id"] == "t"
    assert snap.parent_config["configurable"]["checkpoint_id"] != snap.config["configurable"]["checkpoint_id"]


def test_history_is_newest_first_with_langgraph_steps_and_sources(saver):
    app = chain(saver)
    app.invoke({"n": 1}, cfg())
    history = list(app.get_state_history(cfg()))
    assert [(s.metadata["step"], s.metadata["source"], s.next) for s in history] == [
        (2, "loop", ()), (1, "loop", ("b",)), (0, "loop", ("a",)), (-1, "input", ("__start__",))]
    assert [s.values for s in history] == [
        {"log": ["a", "b"], "n": 1}, {"log": ["a"], "n": 1}, {"log": [], "n": 1}, {"log": []}]
    for newer, older in zip(history, history[1:]):
        assert newer.parent_config == older.config
    assert len(list(app.get_state_history(cfg(), limit=2))) == 2


def test_history_values_are_in_schema_order_as_get_state_gives_them(saver):
    class Ordered(TypedDict):
        z: int
        log: Annotated[list, operator.add]
        a: str

    g = StateGraph(Ordered)
    g.add_node("first", lambda s: {"a": "x"})
    g.add_node("second", lambda s: {"log": ["b"], "z": 1})
    g.add_edge(START, "first")
    g.add_edge("first", "second")
    app = g.compile(checkpointer=saver)
    app.invoke({"a": "in"}, cfg())
    history = list(app.get_state_history(cfg()))
    assert [list(h.values.items()) for h in history] == [
        [("z", 1), ("log", ["b"]), ("a", "x")], [("log", []), ("a", "x")], [("log", []), ("a", "in")], [("log", [])]]
    assert list(app.get_state(cfg()).values) == list(history[0].values) == ["z", "log", "a"]


def test_threads_are_separate_and_a_second_input_continues_the_thread(saver):
    app = chain(saver)
    app.invoke({"n": 1}, cfg("x"))
    assert app.invoke({"n": 2}, cfg("x")) == {"log": ["a", "b", "a", "b"], "n": 2}
    assert app.invoke({"n": 3}, cfg("y")) == {"log": ["a", "b"], "n": 3}
    assert [s.metadata["step"] for s in app.get_state_history(cfg("x"))][:4] == [6, 5, 4, 3]


def test_update_state_as_node_goes_through_reducers_and_plans_its_successors(saver):
    app = chain(saver, interrupt_before=["b"])
    app.invoke({"n": 1}, cfg())
    assert app.get_state(cfg()).next == ("b",)
    new_config = app.update_state(cfg(), {"log": ["human"], "n": 9}, as_node="a")
    snap = app.get_state(new_config)
    assert snap.values == {"log": ["a", "human"], "n": 9}
    assert snap.next == ("b",) and snap.metadata["source"] == "update"
    assert app.invoke(None, cfg()) == {"log": ["a", "human", "b"], "n": 9}


def test_update_state_without_as_node_uses_the_last_writer(saver):
    app = chain(saver, interrupt_after=["a"])
    app.invoke({"n": 1}, cfg())
    app.update_state(cfg(), {"n": 5})
    snap = app.get_state(cfg())
    assert snap.values["n"] == 5 and snap.next == ("b",)


def test_update_state_without_as_node_after_a_node_that_wrote_nothing_counts_as_that_node(saver):
    g = StateGraph(S)
    g.add_node("a", writer("a"))
    g.add_node("quiet", lambda state: {})
    g.add_edge(START, "a")
    g.add_edge("a", "quiet")
    app = g.compile(checkpointer=saver)
    app.invoke({"n": 1}, cfg())
    app.update_state(cfg(), {"n": 2, "log": ["x"]})
    snap = app.get_state(cfg())  # as LangGraph: the update is quiet's (the node that ran last), nothing follows
    assert (snap.values, snap.next, snap.metadata["source"]) == ({"log": ["a", "x"], "n": 2}, (), "update")


def test_replay_from_an_earlier_checkpoint_reruns_what_follows(saver):
    calls = []
    g = StateGraph(S)
    g.add_node("a", lambda s: calls.append("a") or {"log": ["a"]})
    g.add_node("b", lambda s: calls.append("b") or {"log": ["b"]})
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    app = g.compile(checkpointer=saver)
    app.invoke({"n": 1}, cfg())
    after_a = [s for s in app.get_state_history(cfg()) if s.metadata["step"] == 1][0]
    assert app.invoke(None, after_a.config) == {"log": ["a", "b"], "n": 1}
    assert calls == ["a", "b", "b"]
    assert [(s.metadata["step"], s.metadata["source"], s.next) for s in app.get_state_history(cfg())] == [
        (3, "loop", ()), (2, "fork", ("b",)), (2, "loop", ()), (1, "loop", ("b",)), (0, "loop", ("a",)),
        (-1, "input", ("__start__",))]  # as LangGraph: the replay forks off step 1


def test_fork_by_updating_an_old_checkpoint(saver):
    app = chain(saver)
    app.invoke({"n": 1}, cfg())
    after_a = [s for s in app.get_state_history(cfg()) if s.metadata["step"] == 1][0]
    fork = app.update_state(after_a.config, {"n": 100}, as_node="a")
    assert app.invoke(None, fork) == {"log": ["a", "b"], "n": 100}
    assert app.get_state(cfg()).values == {"log": ["a", "b"], "n": 100}


def test_unknown_checkpoint_id_is_a_clear_error(saver):
    app = chain(saver)
    app.invoke({"n": 1}, cfg())
    with pytest.raises(CheckpointError) as info:
        app.invoke(None, {"configurable": {"thread_id": "t", "checkpoint_id": "nope"}})
    assert str(info.value) == "thread `t` has no checkpoint `nope`; pick one from get_state_history(config)"


def test_checkpointer_requires_a_thread_id(saver):
    with pytest.raises(CheckpointError, match="pass config=\\{'configurable': \\{'thread_id': 'some-id'\\}\\}"):
        chain(saver).invoke({"n": 1})


@pytest.mark.parametrize("config", [None, {}, {"configurable": {}}, {"configurable": {"thread_id": None}}])
def test_a_run_without_a_thread_raises_a_value_error_as_in_langgraph(saver, config):
    with pytest.raises(MissingThreadError) as info:
        chain(saver).invoke({"n": 1}, config)
    assert isinstance(info.value, ValueError) and isinstance(info.value, CheckpointError)
    assert str(info.value) == ("this graph has a checkpointer, so each run needs a thread: pass "
                               "config={'configurable': {'thread_id': 'some-id'}}")


@pytest.mark.parametrize("config", [None, {}, {"configurable": {}}])
def test_state_methods_without_a_thread_raise_a_key_error_as_in_langgraph(saver, config):
    app = chain(saver)
    for call in (app.get_state, lambda c: list(app.get_state_history(c)), lambda c: app.update_state(c, {"n": 1})):
        with pytest.raises(ThreadKeyMissingError) as info:
            call(config)
        assert isinstance(info.value, KeyError) and isinstance(info.value, CheckpointError)
        assert str(info.value) == ("reading or writing a thread's state needs its thread: pass "
                                   "config={'configurable': {'thread_id': 'some-id'}}")


def test_a_thread_id_that_is_not_a_str_names_the_thread_of_its_str(saver):
    thread = uuid.UUID("12345678-1234-5678-1234-567812345678")
    app = chain(saver)
    assert app.invoke({"n": 1}, cfg(thread)) == {"log": ["a", "b"], "n": 1}
    for same_thread in (thread, str(thread)):
        snapshot = app.get_state(cfg(same_thread))
        assert snapshot.values == {"log": ["a", "b"], "n": 1}
        assert snapshot.config["configurable"]["thread_id"] == "12345678-1234-5678-1234-567812345678"
    history = list(app.get_state_history(cfg(thread)))
    assert [h.values for h in history] == [{"log": ["a", "b"], "n": 1}, {"log": ["a"], "n": 1}, {"log": [], "n": 1}, {"log": []}]
    assert {h.config["configurable"]["thread_id"] for h in history} == {str(thread)}
    assert app.invoke({"n": 2}, cfg(str(thread))) == {"log": ["a", "b", "a", "b"], "n": 2}  # the same thread
    assert app.invoke({"n": 7}, cfg(7)) == {"log": ["a", "b"], "n": 7}
    assert app.get_state(cfg("7")).values == {"log": ["a", "b"], "n": 7}
    new = app.update_state(cfg(thread), {"n": 3})
    assert new["configurable"]["thread_id"] == str(thread) and app.get_state(new).values["n"] == 3


def test_a_thread_id_str_cannot_make_is_refused_by_name(saver):
    class Unprintable:
        def __str__(self):
            raise TypeError("no text")

    with pytest.raises(MissingThreadError) as info:
        chain(saver).invoke({"n": 1}, cfg(Unprintable()))
    assert str(info.value) == ("thread_id Unprintable cannot be turned into a string (no text); pass a str or a "
                               "uuid.UUID: config={'configurable': {'thread_id': 'some-id'}}")


# -- human in the loop -------------------------------------------------------------------------------

def ask_graph(saver, calls):
    def ask(state):
        calls.append("ask")
        first = interrupt("first?")
        second = interrupt("second?")
        return {"log": [f"{first}+{second}"]}

    g = StateGraph(S)
    g.add_node("ask", ask)
    g.add_node("after", writer("after"))
    g.add_edge(START, "ask")
    g.add_edge("ask", "after")
    return g.compile(checkpointer=saver)


def test_interrupts_in_one_node_are_answered_in_order_and_the_node_reruns(saver):
    calls = []
    app = ask_graph(saver, calls)
    out = app.invoke({"n": 0}, cfg())
    assert [i.value for i in out["__interrupt__"]] == ["first?"]
    snap = app.get_state(cfg())
    assert snap.next == ("ask",) and [i.value for i in snap.interrupts] == ["first?"]
    assert snap.tasks[0].interrupts[0].value == "first?"
    out = app.invoke(Command(resume="one"), cfg())
    assert [i.value for i in out["__interrupt__"]] == ["second?"]
    assert app.invoke(Command(resume="two"), cfg()) == {"log": ["one+two", "after"], "n": 0}
    assert calls == ["ask", "ask", "ask"]


def test_stream_shows_the_interrupt_chunk(saver):
    app = ask_graph(saver, [])
    chunks = list(app.stream({"n": 0}, cfg()))
    assert len(chunks) == 1 and list(chunks[0]) == ["__interrupt__"]
    assert chunks[0]["__interrupt__"][0].value == "first?"


def parallel_asks(saver):
    def asker(name):
        def node(state):
            return {"log": [f"{name}={interrupt(name + '?')}"]}

        return node

    g = StateGraph(S)
    for name in ("x", "y"):
        g.add_node(name, asker(name))
        g.add_edge(START, name)
    return g.compile(checkpointer=saver)


def test_parallel_interrupts_are_resumed_with_a_map(saver):
    app = parallel_asks(saver)
    out = app.invoke({"n": 0}, cfg())
    pending = {i.value: i.id for i in out["__interrupt__"]}
    assert sorted(pending) == ["x?", "y?"]
    assert app.invoke(Command(resume={pending["x?"]: 1, pending["y?"]: 2}), cfg()) == {"log": ["x=1", "y=2"], "n": 0}


def test_resume_of_the_wrong_shape_is_a_clear_error_and_the_thread_stays_resumable(saver):
    app = parallel_asks(saver)
    out = app.invoke({"n": 0}, cfg())
    with pytest.raises(InvalidResumeError) as info:
        app.invoke(Command(resume="both"), cfg())
    assert str(info.value).startswith("2 interrupts are pending (")
    assert "resume them with Command(resume={interrupt_id: value, ...}) naming each id" in str(info.value)
    ids = {i.value: i.id for i in out["__interrupt__"]}
    assert app.invoke(Command(resume={ids["x?"]: "a", ids["y?"]: "b"}), cfg())["log"] == ["x=a", "y=b"]


def test_resume_when_nothing_is_pending_changes_nothing_and_warns(saver):
    app = chain(saver)
    app.invoke({"n": 1}, cfg())
    before = [s.config for s in app.get_state_history(cfg())]
    with pytest.warns(WfkitWarning) as caught:
        assert app.invoke(Command(resume="x"), cfg()) == {"log": ["a", "b"], "n": 1}
    assert [str(w.message) for w in caught] == [
        "Command(resume='x') was not used: no interrupt() was waiting for an answer on thread `t` (continue a "
        "run stopped at a breakpoint with invoke(None, config))"]
    assert [s.config for s in app.get_state_history(cfg())] == before


def test_several_pending_interrupts_and_one_value_is_a_runtime_error_as_in_langgraph(saver):
    app = parallel_asks(saver)
    app.invoke({"n": 0}, cfg())
    with pytest.raises(RuntimeError, match="^2 interrupts are pending"):
        app.invoke(Command(resume="both"), cfg())


def test_interrupt_before_and_after_at_compile_and_invoke_time(saver):
    app = chain(saver, interrupt_before=["b"])
    assert app.invoke({"n": 1}, cfg("c")) == {"log": ["a"], "n": 1}
    assert app.get_state(cfg("c")).next == ("b",)
    assert app.invoke(None, cfg("c")) == {"log": ["a", "b"], "n": 1}
    plain = chain(saver)
    assert plain.invoke({"n": 1}, cfg("i"), interrupt_after=["a"]) == {"log": ["a"], "n": 1}
    assert plain.invoke(None, cfg("i")) == {"log": ["a", "b"], "n": 1}


# -- faults ------------------------------------------------------------------------------------------

def test_a_failed_task_keeps_the_others_writes_and_only_it_reruns(saver):
    calls = {"good": 0, "flaky": 0}
    fail = threading.Event()
    fail.set()

    def good(state):
        calls["good"] += 1
        return {"log": ["good"]}

    def flaky(state):
        calls["flaky"] += 1
        if fail.is_set():
            raise ConnectionError("model overloaded")
        return {"log": ["flaky"]}

    g = StateGraph(S)
    g.add_node("good", good)
    g.add_node("flaky", flaky)
    g.add_edge(START, "good")
    g.add_edge(START, "flaky")
    app = g.compile(checkpointer=saver)
    with pytest.raises(ConnectionError):
        app.invoke({"n": 0}, cfg())
    snap = app.get_state(cfg())
    assert snap.next == ("flaky",)
    assert snap.values == {"log": ["good"], "n": 0}  # the finished task's writes, pending
    # in the order the nodes were added, as LangGraph lists them
    assert [(t.name, t.error) for t in snap.tasks] == [("good", None), ("flaky", "ConnectionError('model overloaded')")]
    assert [s.metadata["step"] for s in app.get_state_history(cfg())] == [0, -1]  # nothing half-applied
    fail.clear()
    assert app.invoke(None, cfg()) == {"log": ["flaky", "good"], "n": 0}
    assert calls == {"good": 1, "flaky": 2}


class Section(BaseModel):
    name: str
    pages: int


class WithModel(TypedDict):
    sections: Annotated[list[Section], operator.add]


def test_pydantic_values_declared_by_the_schema_come_back_as_models(saver):
    g = StateGraph(WithModel)
    g.add_node("plan", lambda s: {"sections": [Section(name="intro", pages=2)]})
    g.add_edge(START, "plan")
    app = g.compile(checkpointer=saver)
    app.invoke({"sections": []}, cfg())
    history = list(app.get_state_history(cfg()))
    assert history[0].values == {"sections": [Section(name="intro", pages=2)]}
    assert isinstance(app.get_state(cfg()).values["sections"][0], Section)


def test_command_input_updates_and_jumps(saver):
    app = chain(saver)
    app.invoke({"n": 1}, cfg())
    assert app.invoke(Command(update={"n": 7}, goto="b"), cfg()) == {"log": ["a", "b", "b"], "n": 7}
    # as in LangGraph, the Command makes no checkpoint of its own: it is kept on the one it was given on,
    # whose values show it, and goes into the next one's
    history = list(app.get_state_history(cfg()))
    assert [(s.metadata["step"], s.next, s.values.get("n")) for s in history] == [
        (3, (), 7), (2, (), 7), (1, ("b",), 1), (0, ("a",), 1), (-1, ("__start__",), None)]


def test_a_resume_value_the_node_rejects_is_not_kept_and_the_thread_stays_resumable(saver):
    def ask_number(state):
        answer = interrupt("how many?")
        return {"n": int(answer)}  # raises ValueError for a bad answer

    g = StateGraph(S)
    g.add_node("ask", ask_number)
    g.add_edge(START, "ask")
    app = g.compile(checkpointer=saver)
    app.invoke({"n": 0}, cfg())
    with pytest.raises(ValueError, match="invalid literal for int"):
        app.invoke(Command(resume="many"), cfg())
    snap = app.get_state(cfg())
    assert snap.next == ("ask",) and [i.value for i in snap.interrupts] == ["how many?"]
    assert app.invoke(Command(resume="5"), cfg()) == {"n": 5, "log": []}


def test_a_rejected_resume_through_invoke_keeps_the_nodes_error_notes_the_interrupt_and_stores_no_answer(saver):
    def ask_number(state):
        return {"n": int(interrupt("how many?"))}

    g = StateGraph(S)
    g.add_node("ask", ask_number)
    g.add_edge(START, "ask")
    app = g.compile(checkpointer=saver)
    (pending,) = app.invoke({"n": 0}, cfg())["__interrupt__"]
    history = [s.config["configurable"]["checkpoint_id"] for s in app.get_state_history(cfg())]
    with pytest.raises(ValueError) as caught:  # the node's own error, as in LangGraph
        app.invoke(Command(resume="many"), cfg())
    assert caught.value.__notes__ == [
        "while running node `ask` in superstep 1",
        f"the answer to interrupt `{pending.id}` was not kept: it still waits for another answer"]
    snap = app.get_state(cfg())
    assert snap.next == ("ask",) and snap.interrupts == (pending,)
    assert [s.config["configurable"]["checkpoint_id"] for s in app.get_state_history(cfg())] == history
    assert [w.key for w in saver.get_writes("t", history[0])] == ["__interrupt__", "__error__"]
    assert app.invoke(Command(resume={pending.id: "5"}), cfg()) == {"n": 5, "log": []}


def test_parallel_resume_where_one_task_fails_keeps_the_others_answer(saver):
    def asker(name, strict):
        def node(state):
            answer = interrupt(name)
            if strict:
                int(answer)
            return {"log": [f"{name}={answer}"]}

        return node

    g = StateGraph(S)
    g.add_node("x", asker("x", strict=False))
    g.add_node("y", asker("y", strict=True))
    g.add_edge(START, "x")
    g.add_edge(START, "y")
    app = g.compile(checkpointer=saver)
    ids = {i.value: i.id for i in app.invoke({"n": 0}, cfg())["__interrupt__"]}
    with pytest.raises(ValueError):
        app.invoke(Command(resume={ids["x"]: "ok", ids["y"]: "bad"}), cfg())
    snap = app.get_state(cfg())
    assert snap.next == ("y",) and [i.value for i in snap.interrupts] == ["y"]
    assert app.invoke(Command(resume="7"), cfg())["log"] == ["x=ok", "y=7"]


def test_an_interrupt_inside_a_subgraph_pauses_the_parent_and_the_answer_reaches_it(saver):
    class Log(TypedDict):
        log: Annotated[list, operator.add]

    calls = []

    def first(state):
        calls.append("first")
        return {"log": ["first"]}

    def ask(state):
        return {"log": [f"answer:{interrupt('ok?')}", f"again:{interrupt('sure?')}"]}

    sub = StateGraph(Log)
    sub.add_node("first", first)
    sub.add_node("ask", ask)
    sub.add_edge(START, "first")
    sub.add_edge("first", "ask")
    parent = StateGraph(Log)
    parent.add_node("pre", lambda s: {"log": ["pre"]})
    parent.add_node("sub", sub.compile())
    parent.add_edge(START, "pre")
    parent.add_edge("pre", "sub")
    app = parent.compile(checkpointer=saver)
    config = cfg()

    out = app.invoke({"log": []}, config)
    pending = app.get_state(config)
    assert out["log"] == ["pre"] and [i.value for i in out["__interrupt__"]] == ["ok?"]
    # the subgraph's task `ask` owns it (the subgraph keeps checkpoints of its own), the parent's `sub` waits
    assert pending.next == ("sub",) and pending.interrupts[0].id.endswith(":ask")
    out = app.invoke(Command(resume="yes"), config)
    assert [i.value for i in out["__interrupt__"]] == ["sure?"]
    # The same final state as LangGraph (the subgraph's output goes through the parent's reducer); as in
    # LangGraph, the subgraph goes on where it stopped on each resume: `first` ran once.
    assert app.invoke(Command(resume="yes!"), config) == {"log": ["pre", "pre", "first", "answer:yes", "again:yes!"]}
    assert calls == ["first"]


def test_a_failed_task_keeps_the_repr_of_its_error_as_langgraph_does(saver):
    # LangGraph keeps repr(exc) as the failed task's error; test_checkpoint_recovery looks for "RuntimeError('...')"
    def flaky(state):
        raise RuntimeError("model 'x' overloaded")

    g = StateGraph(S)
    g.add_node("flaky", flaky)
    g.add_edge(START, "flaky")
    app = g.compile(checkpointer=saver)
    with pytest.raises(RuntimeError):
        app.invoke({"n": 0}, cfg())
    assert [(t.name, t.error) for t in app.get_state(cfg()).tasks] == [
        ("flaky", "RuntimeError(\"model 'x' overloaded\")")]
