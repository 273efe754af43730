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
        second = updates(app, m.Command(goto="b"), {**config, "recursion_limit": 2})
        return first, planned, second

    (first, planned, second), _ = same(program)
    assert [next(iter(c)) for c in first[:-1]] == ["b", "c", "d"]
    assert planned == ("e",)
    assert sorted(next(iter(c)) for c in second[:2]) == ["b", "e"]
