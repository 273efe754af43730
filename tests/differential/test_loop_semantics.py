"""The loop's counting and resuming semantics of issue 10 (items 2, 5-8), each a program run unchanged on
wfkit and on LangGraph with `same(program)`: the chunks streamed, the values, and the error types agree.
"""

from __future__ import annotations

import pytest

from differential.test_divergences import Log, Raised, collect, same


def chain(m, names, interrupt_at=None, **compile_kw):
    """START -> names[0] -> ... -> names[-1], each node appending its name to `log`; the node named
    `interrupt_at` calls interrupt() first and logs the answer too."""
    def node(name):
        def run(s):
            if name == interrupt_at:
                return {"log": [name, m.interrupt(f"answer for {name}?")]}
            return {"log": [name]}
        return run

    g = m.StateGraph(Log)
    for name in names:
        g.add_node(name, node(name))
    g.add_edge(m.START, names[0])
    for a, b in zip(names, names[1:]):
        g.add_edge(a, b)
    return g.compile(**compile_kw)


def updates(app, arg, config):
    return collect(app.stream(arg, config, stream_mode="updates"))


# -- 2. recursion_limit -----------------------------------------------------------------------------------

@pytest.mark.parametrize("limit", [1, 2, 3, 4])
def test_a_new_input_runs_recursion_limit_supersteps_then_raises_even_with_nothing_left(limit):
    def program(m):
        return updates(chain(m, ["a", "b", "c"]), {"log": []}, {"recursion_limit": limit})

    ours, _ = same(program)
    ran = [next(iter(chunk)) for chunk in ours if not isinstance(chunk, Raised)]
    assert ran == ["a", "b", "c"][:limit]
    assert isinstance(ours[-1], Raised) == (limit <= 3)


def test_a_loop_with_limit_five_runs_a_b_a_b_a_and_every_values_chunk_before_the_error():
    def program(m):
        g = m.StateGraph(Log)
        g.add_node("a", lambda s: {"log": ["a"]})
        g.add_node("b", lambda s: {"log": ["b"]})
        g.add_edge(m.START, "a")
        g.add_edge("a", "b")
        g.add_edge("b", "a")
        return collect(g.compile().stream({"log": []}, {"recursion_limit": 5}, stream_mode="values"))

    ours, _ = same(program)
    assert ours[:-1] == [{"log": list("ababa"[:n])} for n in range(6)]
    assert type(ours[-1].error).__name__ == "GraphRecursionError"


@pytest.mark.parametrize("limit", [1, 2, 3, 4])
def test_each_way_of_continuing_a_thread_has_langgraphs_budget(limit):
    """A second input counts like a first; a resume (breakpoint, interrupt(), update_state, Command(update))
    may run `limit + 2` supersteps, a replay of an earlier checkpoint `limit + 1`."""
    def program(m):
        config = {"configurable": {"thread_id": "t"}}
        limited = {**config, "recursion_limit": limit}
        out = {}
        app = chain(m, list("abc"), checkpointer=m.InMemorySaver())
        app.invoke({"log": []}, config)
        out["second input"] = updates(app, {"log": []}, limited)
        app = chain(m, list("abcdef"), checkpointer=m.InMemorySaver(), interrupt_before=["c"])
        app.invoke({"log": []}, config)
        out["after a breakpoint"] = updates(app, None, limited)
        app = chain(m, list("abxcdef"), interrupt_at="x", checkpointer=m.InMemorySaver())
        app.invoke({"log": []}, config)
        out["after interrupt()"] = updates(app, m.Command(resume="yes"), limited)
        app = chain(m, list("abcdef"), checkpointer=m.InMemorySaver(), interrupt_before=["c"])
        app.invoke({"log": []}, config)
        app.update_state(config, {"log": ["edited"]})
        out["after update_state"] = updates(app, None, limited)
        app = chain(m, list("abcdef"), checkpointer=m.InMemorySaver(), interrupt_before=["c"])
        app.invoke({"log": []}, config)
        out["Command(update)"] = updates(app, m.Command(update={"log": ["u"]}), limited)
        app = chain(m, list("abcdef"), checkpointer=m.InMemorySaver())
        app.invoke({"log": []}, config)
        before_c = next(s for s in app.get_state_history(config) if s.next == ("c",))
        out["replay"] = updates(app, None, {**before_c.config, "recursion_limit": limit})
        return out

    ours, _ = same(program)
    ran = {how: [next(iter(c)) for c in chunks if not isinstance(c, Raised)] for how, chunks in ours.items()}
    assert ran["second input"] == list("abc")[:limit]
    assert ran["after a breakpoint"] == list("cdef")[:limit + 2]
    assert ran["replay"] == list("cdef")[:limit + 1]


def test_command_goto_runs_beside_what_the_thread_had_planned():
    """A run stopped by the limit leaves `e` planned; Command(goto="b") runs b and e in one superstep."""
    def program(m):
        config = {"configurable": {"thread_id": "t"}}
        app = chain(m, list("abcdef"), checkpointer=m.InMemorySaver())
        app.invoke({"log": []}, config)
        first = updates(app, m.Command(goto="b"), {**config, "recursion_limit": 1})
        planned = app.get_state(config).next
        # "values": b and e run in parallel, so their updates come in either order
        second = collect(app.stream(m.Command(goto="b"), {**config, "recursion_limit": 2}, stream_mode="values"))
        return first, planned, second

    (first, planned, second), _ = same(program)
    assert [next(iter(c)) for c in first[:-1]] == ["b", "c", "d"]
    assert planned == ("e",)
    assert second[1] == {"log": list("abcdef") + list("bcd") + ["b", "e"]}


# -- 5-7. interrupts in streams, resuming ------------------------------------------------------------------

def plain(value):
    """Chunks and values with each Interrupt as ("Interrupt", value): the ids differ by design."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    if type(value).__name__ == "Interrupt":
        return ("Interrupt", value.value)
    return value


def asking(m, **compile_kw):
    """a -> b -> c on a checkpointer; b asks with interrupt("b?") and logs the answer."""
    return chain(m, list("abc"), interrupt_at="b", checkpointer=m.InMemorySaver(), **compile_kw)


MULTI = ["values", "updates"]


def streamed(app, arg, config, mode=MULTI):
    return plain(collect(app.stream(arg, config, stream_mode=mode)))


def test_an_interrupt_shows_in_updates_then_in_values_with_the_state_and_a_resume_starts_with_the_state():
    def program(m):
        config = {"configurable": {"thread_id": "t"}}
        app = asking(m)
        return streamed(app, {"log": []}, config), streamed(app, m.Command(resume="yes"), config)

    (first, resumed), _ = same(program)
    assert first == [("values", {"log": []}), ("updates", {"a": {"log": ["a"]}}), ("values", {"log": ["a"]}),
                     ("updates", {"__interrupt__": (("Interrupt", "answer for b?"),)}),
                     ("values", {"log": ["a"], "__interrupt__": (("Interrupt", "answer for b?"),)})]
    assert resumed == [("values", {"log": ["a"]}), ("updates", {"b": {"log": ["b", "yes"]}}),
                       ("values", {"log": ["a", "b", "yes"]}), ("updates", {"c": {"log": ["c"]}}),
                       ("values", {"log": ["a", "b", "yes", "c"]})]


@pytest.mark.parametrize("where", ["interrupt_before", "interrupt_after"])
def test_a_breakpoint_is_an_empty_interrupt_in_updates_and_continuing_starts_with_the_state(where):
    def program(m):
        config = {"configurable": {"thread_id": "t"}}
        app = chain(m, list("abc"), checkpointer=m.InMemorySaver(), **{where: ["b"]})
        return [streamed(app, {"log": []}, config), streamed(app, None, config),
                streamed(app, None, config, "updates"), streamed(app, None, config, "values")]

    (first, continued, again, finished), _ = same(program)
    assert first[-1] == ("updates", {"__interrupt__": ()})
    assert continued[0] == ("values", first[-2][1])
    assert again == [] and finished == [{"log": ["a", "b", "c"]}]


def test_a_breakpoint_after_the_last_node_still_shows_in_updates():
    def program(m):
        config = {"configurable": {"thread_id": "t"}}
        app = chain(m, ["a"], checkpointer=m.InMemorySaver(), interrupt_after=["a"])
        return streamed(app, {"log": []}, config, "updates"), app.get_state(config).next

    assert same(program)[0] == ([{"a": {"log": ["a"]}}, {"__interrupt__": ()}], ())


def fast_and_asking(m):
    """Two parallel nodes on a checkpointer: `fast` logs its name, `asks` logs the answer to "ok?"."""
    g = m.StateGraph(Log)
    g.add_node("fast", lambda s: {"log": ["fast"]})
    g.add_node("asks", lambda s: {"log": [m.interrupt("ok?")]})
    g.add_edge(m.START, "fast")
    g.add_edge(m.START, "asks")
    return g.compile(checkpointer=m.InMemorySaver())


def test_a_paused_invoke_shows_the_writes_of_the_tasks_that_finished_beside_the_interrupt():
    def program(m):
        app = fast_and_asking(m)
        config = {"configurable": {"thread_id": "t"}}
        value = plain(app.invoke({"log": []}, config))
        values = streamed(app, {"log": []}, {"configurable": {"thread_id": "u"}}, "values")
        resumed = streamed(app, m.Command(resume="yes"), config)
        return value, values, plain(app.get_state(config).values), resumed

    (value, values, state, resumed), _ = same(program)
    assert value == {"log": ["fast"], "__interrupt__": [("Interrupt", "ok?")]}
    assert values == [{"log": []}, {"log": [], "__interrupt__": (("Interrupt", "ok?"),)}, {"log": ["fast"]}]
    assert resumed == [("values", {"log": []}), ("updates", {"fast": {"log": ["fast"]}, "__metadata__": {"cached": True}}),
                       ("updates", {"asks": {"log": ["yes"]}}), ("values", {"log": ["yes", "fast"]})]


def test_two_writes_to_a_key_without_reducer_beside_an_interrupt_raise_invalid_update():
    def program(m):
        from typing import TypedDict

        class One(TypedDict):
            x: int

        g = m.StateGraph(One)
        g.add_node("p", lambda s: {"x": 1})
        g.add_node("q", lambda s: {"x": 2})
        g.add_node("asks", lambda s: {"x": m.interrupt("?")})
        for name in ("p", "q", "asks"):
            g.add_edge(m.START, name)
        return g.compile(checkpointer=m.InMemorySaver()).invoke({"x": 0}, {"configurable": {"thread_id": "t"}})

    ours, _ = same(program)
    assert ours == Raised(Exception())  # LangGraph's InvalidUpdateError is no ValueError: neither is wfkit's
    assert type(ours.error).__name__ == "InvalidUpdateError"


def test_update_state_on_a_paused_thread_keeps_it_resumable_with_the_edited_state():
    """Item 6: the edit drops the pending interrupt from get_state, and Command(resume=...) still answers
    the interrupt() the node reaches when it runs again."""
    def program(m):
        config = {"configurable": {"thread_id": "t"}}
        app = asking(m)
        app.invoke({"log": []}, config)
        app.update_state(config, {"log": ["edited"]})
        snap = app.get_state(config)
        return (plain(snap.values), snap.next, plain(snap.interrupts),
                streamed(app, m.Command(resume="yes"), config, "values"))

    (values, nxt, interrupts, resumed), _ = same(program)
    assert (values, nxt, interrupts) == ({"log": ["a", "edited"]}, ("b",), ())
    assert resumed[-1] == {"log": ["a", "edited", "b", "yes", "c"]}


def test_a_resume_whose_update_skips_the_first_interrupt_answers_the_first_one_reached():
    """Item 7: Command(resume=v, update=...) gives v to the first interrupt() actually reached."""
    def program(m):
        def ask_twice(s):
            if s["log"][-1:] != ["skip"]:
                m.interrupt("first?")
            return {"log": [m.interrupt("second?")]}

        g = m.StateGraph(Log)
        g.add_node("ask", ask_twice)
        g.add_edge(m.START, "ask")
        app = g.compile(checkpointer=m.InMemorySaver())
        config = {"configurable": {"thread_id": "t"}}
        return [plain(app.invoke({"log": []}, config)),
                plain(app.invoke(m.Command(resume="v", update={"log": ["skip"]}), config))]

    assert same(program)[0] == [{"log": [], "__interrupt__": [("Interrupt", "first?")]}, {"log": ["skip", "v"]}]


def test_a_resume_at_a_breakpoint_answers_the_next_interrupt_and_a_resume_on_a_finished_thread_changes_nothing():
    def program(m):
        config = {"configurable": {"thread_id": "t"}}
        app = asking(m, interrupt_after=["a"])
        app.invoke({"log": []}, config)
        out = [streamed(app, m.Command(resume="early"), config, "updates")]
        out.append(streamed(app, m.Command(resume="late"), config, "values"))
        return out

    ours, warned = same(program)
    assert ours == [[{"b": {"log": ["b", "early"]}}, {"c": {"log": ["c"]}}], [{"log": ["a", "b", "early", "c"]}]]
    assert warned == ["Command(resume='late') was not used: no interrupt() was waiting for an answer on thread `t` "
                      "(continue a run stopped at a breakpoint with invoke(None, config))"]


def test_several_pending_interrupts_and_one_value_is_a_runtime_error_on_both():
    def program(m):
        g = m.StateGraph(Log)
        g.add_node("x", lambda s: {"log": [m.interrupt("x?")]})
        g.add_node("y", lambda s: {"log": [m.interrupt("y?")]})
        g.add_edge(m.START, "x")
        g.add_edge(m.START, "y")
        app = g.compile(checkpointer=m.InMemorySaver())
        config = {"configurable": {"thread_id": "t"}}
        app.invoke({"log": []}, config)
        return app.invoke(m.Command(resume="both"), config)

    ours, _ = same(program)
    assert ours == Raised(RuntimeError())


def test_a_lone_task_whose_writes_then_fail_to_apply_streams_no_update():
    """The resumed task is the superstep's only one to run: LangGraph streams its update once the writes
    went through, so the conflict with the reused result leaves only the reused one in the stream."""
    def program(m):
        from typing import TypedDict

        class One(TypedDict):
            x: int

        g = m.StateGraph(One)
        g.add_node("fast", lambda s: {"x": 1})
        g.add_node("asks", lambda s: {"x": m.interrupt("?")})
        g.add_edge(m.START, "fast")
        g.add_edge(m.START, "asks")
        app = g.compile(checkpointer=m.InMemorySaver())
        config = {"configurable": {"thread_id": "t"}}
        app.invoke({"x": 0}, config)
        return streamed(app, m.Command(resume=2), config, "updates")

    ours, _ = same(program)
    assert ours[:-1] == [{"fast": {"x": 1}, "__metadata__": {"cached": True}}]
    assert type(ours[-1].error).__name__ == "InvalidUpdateError"


# -- 8. streams are pull-driven ---------------------------------------------------------------------------

def logging_chain(m, ran):
    g = m.StateGraph(Log)
    for name in "abc":
        g.add_node(name, lambda s, name=name: ran.append(name) or {"log": [name]})
    g.add_edge(m.START, "a")
    g.add_edge("a", "b")
    g.add_edge("b", "c")
    return g.compile()


def test_a_consumer_that_holds_or_breaks_the_stream_stops_the_run_there():
    def program(m):
        import time

        ran: list = []
        stream = logging_chain(m, ran).stream({"log": []}, stream_mode="updates")
        first = next(stream)
        time.sleep(0.2)  # holding the stream: nothing more runs meanwhile
        held = list(ran)
        second = next(stream)
        stream.close()
        time.sleep(0.2)
        return first, held, second, list(ran)

    assert same(program)[0] == ({"a": {"log": ["a"]}}, ["a"], {"b": {"log": ["b"]}}, ["a", "b"])


def test_an_async_consumer_that_breaks_stops_the_run_there():
    def program(m):
        import asyncio

        async def consume():
            ran: list = []
            async for chunk in logging_chain(m, ran).astream({"log": []}, stream_mode="values"):
                if chunk["log"]:
                    break
            await asyncio.sleep(0.2)
            return chunk, list(ran)

        return asyncio.run(consume())

    assert same(program)[0] == ({"log": ["a"]}, ["a"])


def test_a_command_update_makes_no_checkpoint_and_keeps_the_finished_results_and_answers():
    """Command(resume=..., update=...) on a superstep where one task finished and one paused: the finished
    result is reused (cached in "updates"), the answer reaches the paused task, and the history has no
    checkpoint for the Command: the one it was given on shows the update in its values."""
    def program(m):
        app = fast_and_asking(m)
        config = {"configurable": {"thread_id": "t"}}
        app.invoke({"log": []}, config)
        resumed = streamed(app, m.Command(resume="yes", update={"log": ["U"]}), config)
        history = [(s.metadata["step"], s.next, s.values) for s in app.get_state_history(config)]
        return resumed, history

    (resumed, history), _ = same(program)
    assert resumed == [("values", {"log": ["U"]}),
                       ("updates", {"fast": {"log": ["fast"]}, "__metadata__": {"cached": True}}),
                       ("updates", {"asks": {"log": ["yes"]}}), ("values", {"log": ["U", "yes", "fast"]})]
    assert [(step, nxt) for step, nxt, _ in history] == [(1, ()), (0, ("fast", "asks")), (-1, ("__start__",))]
    assert history[1][2] == {"log": ["U"]}  # its update shows; the finished result only in get_state
