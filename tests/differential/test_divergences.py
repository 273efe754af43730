"""LangGraph divergences of issue 10, each a program run unchanged on wfkit and on LangGraph.

A program is a function of `m`, a namespace holding one library's names (`m.StateGraph`, `m.Command`, ...),
so the same program text runs on both; `same(program)` runs it on each and asserts the outcomes (value or
stream chunks, and the built-in type of any error raised) are equal, then returns wfkit's.
"""

from __future__ import annotations

import operator
import warnings
from types import SimpleNamespace
from typing import Annotated, Any, Literal, TypedDict

import pytest

from wfkit.errors import WfkitWarning


def _wfkit() -> SimpleNamespace:
    import wfkit
    from wfkit import errors, managed, types

    return SimpleNamespace(
        name="wfkit", StateGraph=wfkit.StateGraph, START=wfkit.START, END=wfkit.END, Command=wfkit.Command,
        Send=wfkit.Send, interrupt=wfkit.interrupt, InMemorySaver=wfkit.InMemorySaver, task=wfkit.task,
        entrypoint=wfkit.entrypoint, GraphRecursionError=errors.GraphRecursionError,
        StreamWriter=types.StreamWriter, RemainingSteps=managed.RemainingSteps,
    )


def _langgraph() -> SimpleNamespace:
    from langgraph import errors, func, graph, managed, types
    from langgraph.checkpoint.memory import InMemorySaver

    return SimpleNamespace(
        name="langgraph", StateGraph=graph.StateGraph, START=graph.START, END=graph.END, Command=types.Command,
        Send=types.Send, interrupt=types.interrupt, InMemorySaver=InMemorySaver, task=func.task,
        entrypoint=func.entrypoint, GraphRecursionError=errors.GraphRecursionError,
        StreamWriter=types.StreamWriter, RemainingSteps=managed.RemainingSteps,
    )


def _builtin(error: BaseException) -> str:
    """The most specific built-in exception type `error` is an instance of: what callers can catch on both."""
    return next(c.__name__ for c in type(error).__mro__ if c.__module__ == "builtins")


class Raised:
    """An outcome that ended in an error: equal to another when their built-in types are."""

    def __init__(self, error: BaseException):
        self.error = error
        self.kind = _builtin(error)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Raised) and other.kind == self.kind

    def __repr__(self) -> str:
        return f"Raised({self.kind}: {type(self.error).__name__}: {self.error})"


def collect(chunks) -> list:
    """Every chunk of a stream, then `Raised(error)` if the stream ended in one."""
    out: list = []
    try:
        for chunk in chunks:
            out.append(chunk)
    except Exception as error:  # noqa: BLE001 - the error is the outcome compared
        out.append(Raised(error))
    return out


def run(program, m: SimpleNamespace):
    """`program(m)`, or `Raised(error)`; with the WfkitWarnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = program(m)
        except Exception as error:  # noqa: BLE001
            result = Raised(error)
    return result, [str(w.message) for w in caught if issubclass(w.category, WfkitWarning)]


def same(program):
    """Run `program` on both libraries, assert the outcomes are equal, return wfkit's (and its warnings)."""
    ours, warned = run(program, _wfkit())
    theirs, _ = run(program, _langgraph())
    assert ours == theirs, f"wfkit: {ours!r}\nlanggraph: {theirs!r}"
    return ours, warned


class S(TypedDict):
    x: int


class Log(TypedDict):
    log: Annotated[list, operator.add]


# -- 1. a node with no static way in compiles -----------------------------------------------------------

def reached_by_command(m):
    def a(s):
        return m.Command(goto="b", update={"x": s["x"] + 1})

    g = m.StateGraph(S)
    g.add_node("a", a)
    g.add_node("b", lambda s: {"x": s["x"] * 10})
    g.add_edge(m.START, "a")
    return g.compile().invoke({"x": 1})


def reached_by_router(m):
    g = m.StateGraph(S)
    g.add_node("a", lambda s: {"x": s["x"] + 1})
    g.add_node("b", lambda s: {"x": s["x"] * 10})
    g.add_edge(m.START, "a")
    g.add_conditional_edges("a", lambda s: "b" if s["x"] > 1 else m.END)
    return [g.compile().invoke({"x": 0}), g.compile().invoke({"x": 1})]


def reached_by_send_past_path_map(m):
    def a(s) -> dict:
        return {"x": 1}

    def b(s) -> dict:
        return {"x": 7}

    def c(s) -> dict:
        return {"x": s["x"] + 100}

    g = m.StateGraph(S)
    g.add_node("a", a)
    g.add_node("b", b)
    g.add_node("c", c)
    g.add_edge(m.START, "a")
    g.add_conditional_edges("a", lambda s: [m.Send("c", {"x": 3})], {"x": "b"})
    return g.compile().invoke({"x": 0})


@pytest.mark.parametrize("program, expected", [
    (reached_by_command, {"x": 20}),
    (reached_by_router, [{"x": 1}, {"x": 20}]),
    (reached_by_send_past_path_map, {"x": 103}),
])
def test_a_node_only_a_command_router_or_send_reaches_compiles_without_warning(program, expected):
    assert same(program) == (expected, [])




def test_a_node_nothing_can_reach_compiles_with_a_warning():
    def program(m):
        def a(s) -> dict:
            return {"x": s["x"] + 1}

        g = m.StateGraph(S)
        g.add_node("a", a)
        g.add_node("orphan", a)
        g.add_edge(m.START, "a")
        return g.compile().invoke({"x": 1})

    assert same(program) == ({"x": 2}, [
        "node `orphan` has no way in: no edge, conditional edge or Command leads to it, so it never runs. "
        "Connect it with add_edge(<node>, 'orphan') or add_edge(START, 'orphan'), or remove it"
    ])


def test_an_unhinted_node_or_path_may_reach_anything_so_no_warning():
    def program(m):
        def hinted(s) -> dict:
            return {"x": s["x"] + 1}

        def route(s) -> Literal["__end__"]:
            return m.END

        g = m.StateGraph(S)
        g.add_node("a", hinted)
        g.add_node("b", hinted)
        g.add_node("orphan", hinted)
        g.add_edge(m.START, "a")
        g.add_conditional_edges("a", route)  # hinted: leads to END only
        g.add_conditional_edges("b", lambda s: m.END, ["b"])  # unhinted past a path_map: may Send anywhere
        return g.compile().invoke({"x": 1})

    assert same(program) == ({"x": 2}, [])


# -- 3. a thread_id that is not a str ---------------------------------------------------------------------

def test_a_uuid_thread_id_names_the_thread_of_its_str():
    def program(m):
        import uuid

        g = m.StateGraph(S)
        g.add_node("a", lambda s: {"x": s["x"] + 1})
        g.add_edge(m.START, "a")
        app = g.compile(checkpointer=m.InMemorySaver())
        thread = uuid.UUID("12345678-1234-5678-1234-567812345678")
        out = [app.invoke({"x": 1}, {"configurable": {"thread_id": thread}})]
        for same_thread in (thread, str(thread)):
            snapshot = app.get_state({"configurable": {"thread_id": same_thread}})
            out.append((snapshot.values, snapshot.next, snapshot.config["configurable"]["thread_id"]))
        history = app.get_state_history({"configurable": {"thread_id": thread}})
        out.append([(h.values, h.config["configurable"]["thread_id"]) for h in history])
        out.append(app.invoke({"x": 5}, {"configurable": {"thread_id": 7}}))
        out.append(app.get_state({"configurable": {"thread_id": "7"}}).values)
        return out

    uid = "12345678-1234-5678-1234-567812345678"
    assert same(program) == ([{"x": 2}, ({"x": 2}, (), uid), ({"x": 2}, (), uid),
                              [({"x": 2}, uid), ({"x": 1}, uid), ({}, uid)], {"x": 6}, {"x": 6}], [])


# -- 4. errors LangGraph raises as built-in types ---------------------------------------------------------

@pytest.mark.parametrize("config", [None, {"configurable": {}}])
def test_a_checkpointed_run_without_a_thread_raises_a_value_error(config):
    def program(m):
        g = m.StateGraph(S)
        g.add_node("a", lambda s: {"x": s["x"] + 1})
        g.add_edge(m.START, "a")
        return g.compile(checkpointer=m.InMemorySaver()).invoke({"x": 1}, config)

    raised, _ = same(program)
    assert raised.kind == "ValueError" and str(raised.error) == (
        "this graph has a checkpointer, so each run needs a thread: pass "
        "config={'configurable': {'thread_id': 'some-id'}}")


@pytest.mark.parametrize("method", ["get_state", "get_state_history", "update_state"])
def test_reading_a_state_without_a_thread_raises_a_key_error(method):
    def program(m):
        g = m.StateGraph(S)
        g.add_node("a", lambda s: {"x": s["x"] + 1})
        g.add_edge(m.START, "a")
        app = g.compile(checkpointer=m.InMemorySaver())
        config = {"recursion_limit": 5}
        if method == "update_state":
            return app.update_state(config, {"x": 2})
        return list(getattr(app, method)(config))

    raised, _ = same(program)
    assert raised.kind == "KeyError"


def test_an_entrypoint_with_a_checkpointer_run_without_a_thread_raises_a_value_error():
    def program(m):
        @m.entrypoint(checkpointer=m.InMemorySaver())
        def wf(x):
            return x

        return wf.invoke(1)

    raised, _ = same(program)
    assert raised.kind == "ValueError"


def test_a_task_called_outside_an_entrypoint_raises_a_runtime_error():
    def program(m):
        @m.task
        def double(x):
            return x * 2

        return double(1)

    raised, _ = same(program)
    assert raised.kind == "RuntimeError" and str(raised.error).startswith(
        "task `double` was called outside an entrypoint")


def test_a_task_called_in_a_graph_node_runs():
    def program(m):
        @m.task
        def double(x):
            return x * 2

        g = m.StateGraph(S)
        g.add_node("a", lambda s: {"x": double(s["x"]).result()})
        g.add_edge(m.START, "a")
        return g.compile().invoke({"x": 3})

    assert same(program) == ({"x": 6}, [])


# -- 10. a pydantic state given as a model instance -------------------------------------------------------

def test_a_pydantic_instance_writes_its_defaults_a_dict_only_its_keys():
    from pydantic import BaseModel

    class P(BaseModel):
        x: int = 0
        y: str = "d"
        z: int | None = None
        log: Annotated[list, operator.add] = []

    def program(m):
        g = m.StateGraph(P)
        g.add_node("a", lambda s: {"x": s.x + 1})
        g.add_node("b", lambda s: P(y="b"))
        g.add_edge(m.START, "a")
        g.add_edge("a", "b")
        app = g.compile()
        return [list(app.stream(value, stream_mode=["values", "updates"]))
                for value in (P(), P(x=5, z=None), {"x": 5}, {}, {"z": None})]

    d = {"y": "d", "log": []}
    b = {"x": 0, "y": "b", "log": []}
    assert same(program) == ([
        [("values", {"x": 0, **d}), ("updates", {"a": {"x": 1}}), ("values", {"x": 1, **d}),
         ("updates", {"b": b}), ("values", b)],
        [("values", {"x": 5, **d, "z": None}), ("updates", {"a": {"x": 6}}), ("values", {"x": 6, **d, "z": None}),
         ("updates", {"b": b}), ("values", {**b, "z": None})],
        [("values", {"x": 5, "log": []}), ("updates", {"a": {"x": 6}}), ("values", {"x": 6, "log": []}),
         ("updates", {"b": b}), ("values", b)],
        [("updates", {"a": {"x": 1}}), ("values", {"x": 1, "log": []}), ("updates", {"b": b}), ("values", b)],
        [("values", {"z": None, "log": []}), ("updates", {"a": {"x": 1}}), ("values", {"z": None, "x": 1, "log": []}),
         ("updates", {"b": b}), ("values", {**b, "z": None})],
    ], [])


# -- 9. the Functional API's chunks, entrypoint.final hints, the `writer` parameter ----------------------

def entrypoint_values_and_updates(m):
    @m.task
    def double(x):
        return x * 2

    @m.entrypoint()
    def wf(x):
        return double(x).result() + 1

    @m.entrypoint()
    def returns_nothing(x):
        double(x).result()

    return [list(wf.stream(3, stream_mode="values")), list(wf.stream(3, stream_mode=["values", "updates"])),
            list(returns_nothing.stream(3, stream_mode="values")),
            list(returns_nothing.stream(3, stream_mode="updates")), returns_nothing.invoke(3)]


def entrypoint_final_hint(m):
    @m.entrypoint(checkpointer=m.InMemorySaver())
    def counter(x: int, *, previous=None) -> m.entrypoint.final[int, int]:
        return m.entrypoint.final(value=previous or 0, save=(previous or 0) + x)

    config = {"configurable": {"thread_id": "t"}}
    return [counter.invoke(1, config), counter.invoke(2, config),
            list(counter.stream(3, config, stream_mode=["values", "updates"])), counter.get_state(config).values]


def entrypoint_final_needs_save(m):
    return m.entrypoint.final(value=1)


def writer_in_tasks_and_entrypoints(m):
    # (no `writer: StreamWriter` hints here: this module's hints are strings, and LangGraph does not inject
    # a writer whose hint it cannot resolve; tests/engine/test_functional.py has the hinted ones)
    @m.task
    def annotated(x, writer):
        writer({"annotated": x})
        return x

    @m.task
    def by_name(x, writer):
        writer({"by_name": x})
        return x

    @m.entrypoint()
    def wf(x, writer):
        writer("start")
        y = annotated(x).result() + by_name(x).result()
        writer("end")
        return y

    return [list(wf.stream(5, stream_mode=["custom", "updates"])), list(wf.stream(5, stream_mode="custom")),
            wf.invoke(5)]


def writer_hint_on_another_name(m):
    @m.entrypoint()
    def wf(x, out: m.StreamWriter):
        return x

    return wf.invoke(1)


def writer_in_graph_nodes(m):
    def first(s: S, writer):
        writer(("first", s["x"]))
        return {"x": s["x"] + 1}

    def second(s, config, writer):
        writer(("second", s["x"]))
        return {"x": s["x"] + 1}

    g = m.StateGraph(S)
    g.add_node("first", first)
    g.add_node("second", second)
    g.add_edge(m.START, "first")
    g.add_edge("first", "second")
    return list(g.compile().stream({"x": 1}, stream_mode=["custom", "updates", "values"]))


def async_writer(m):
    import asyncio

    @m.task
    async def at(x, writer):
        writer(("at", x))
        return x

    @m.entrypoint()
    async def wf(x, *, previous=None, writer=None):
        writer("a0")
        return await at(x)

    async def chunks():
        return [c async for c in wf.astream(2, stream_mode=["custom", "updates", "values"])]

    return asyncio.run(chunks())


@pytest.mark.parametrize("program, expected", [
    (entrypoint_values_and_updates, [[7], [("updates", {"double": 6}), ("updates", {"wf": 7}), ("values", 7)],
                                     [None], [{"double": 6}, {"returns_nothing": None}], None]),
    (entrypoint_final_hint, [0, 1, [("updates", {"counter": 3}), ("values", 3)], 3]),
    (writer_in_tasks_and_entrypoints, [
        [("custom", "start"), ("custom", {"annotated": 5}), ("updates", {"annotated": 5}),
         ("custom", {"by_name": 5}), ("updates", {"by_name": 5}), ("custom", "end"), ("updates", {"wf": 10})],
        ["start", {"annotated": 5}, {"by_name": 5}, "end"], 10]),
    (writer_in_graph_nodes, [("values", {"x": 1}), ("custom", ("first", 1)), ("updates", {"first": {"x": 2}}),
                             ("values", {"x": 2}), ("custom", ("second", 2)), ("updates", {"second": {"x": 3}}),
                             ("values", {"x": 3})]),
    (async_writer, [("custom", "a0"), ("custom", ("at", 2)), ("updates", {"at": 2}), ("updates", {"wf": 2}),
                    ("values", 2)]),
])
def test_functional_api_chunks_match_langgraph(program, expected):
    assert same(program) == (expected, [])


@pytest.mark.parametrize("program, message", [
    (entrypoint_final_needs_save, "entrypoint.final.__init__() missing 1 required keyword-only argument: 'save'"),
    (writer_hint_on_another_name, "writer_hint_on_another_name.<locals>.wf() missing 1 required positional argument: 'out'"),
])
def test_functional_api_errors_match_langgraph(program, message):
    outcome, _ = same(program)
    assert (outcome.kind, str(outcome.error)) == ("TypeError", message)


# -- 12. smaller ------------------------------------------------------------------------------------------

def test_a_str_path_map_is_ignored():
    def program(m):
        g = m.StateGraph(S)
        g.add_node("a", lambda s: {"x": s["x"] + 1})
        g.add_node("b", lambda s: {"x": s["x"] * 10})
        g.add_edge(m.START, "a")
        g.add_conditional_edges("a", lambda s: "b" if s["x"] < 3 else m.END, path_map="x")
        app = g.compile()
        return [app.invoke({"x": 1}), app.invoke({"x": 5})]

    assert same(program) == ([{"x": 20}, {"x": 6}], [])


def test_history_values_are_in_schema_order():
    class Ordered(TypedDict):
        z: int
        log: Annotated[list, operator.add]
        a: str

    def program(m):
        g = m.StateGraph(Ordered)
        g.add_node("first", lambda s: {"a": "x"})
        g.add_node("second", lambda s: {"log": ["b"], "z": 1})
        g.add_edge(m.START, "first")
        g.add_edge("first", "second")
        app = g.compile(checkpointer=m.InMemorySaver())
        config = {"configurable": {"thread_id": "t"}}
        app.invoke({"a": "in"}, config)
        return [list(h.values.items()) for h in app.get_state_history(config)]

    assert same(program) == ([[("z", 1), ("log", ["b"]), ("a", "x")], [("log", []), ("a", "x")],
                              [("log", []), ("a", "in")], [("log", [])]], [])


def test_remaining_steps_counts_as_in_langgraph():
    def program(m):
        # the functional form: this module's annotations are strings, and `m` is not a global
        State = TypedDict("State", {"log": Annotated[list, operator.add], "remaining_steps": m.RemainingSteps})

        g = m.StateGraph(State)
        g.add_node("a", lambda s: {"log": [("a", s["remaining_steps"])]})
        g.add_node("b", lambda s: {"log": [("b", s["remaining_steps"])]})
        g.add_edge(m.START, "a")
        g.add_edge("a", "b")
        g.add_conditional_edges("b", lambda s: "a" if s["remaining_steps"] > 2 else m.END)
        out = [list(g.compile().stream({"log": [], "remaining_steps": 50}, {"recursion_limit": lim}))
               for lim in (5, 6)]
        app = g.compile(checkpointer=m.InMemorySaver(), interrupt_before=["b"])
        config = {"configurable": {"thread_id": "t"}, "recursion_limit": 8}
        out += [app.invoke({"log": []}, config), app.invoke(None, config)["log"][1:], list(app.get_state(config).values)]
        return out

    (five, six, paused, resumed, state), _ = same(program)
    assert five == [{"a": {"log": [("a", 4)]}}, {"b": {"log": [("b", 3)]}}, {"a": {"log": [("a", 2)]}},
                    {"b": {"log": [("b", 1)]}}]
    assert [next(iter(c.values()))["log"][0][1] for c in six] == [5, 4, 3, 2]
    assert (paused, resumed, state) == ({"log": [("a", 7)]}, [("b", 9), ("a", 8)], ["log"])


def test_the_debug_stream_without_a_checkpointer():
    def program(m):
        g = m.StateGraph(Log)
        g.add_node("a", lambda s: {"log": ["a"]})
        g.add_node("b", lambda s: m.Command(goto="d", update={"log": ["b"]}))
        g.add_node("c", lambda s: {"log": ["c"]})
        g.add_node("d", lambda s: None)
        g.add_node("e", lambda s: {"log": ["e"]})
        g.add_edge(m.START, "a")
        g.add_edge(m.START, "b")
        g.add_edge(["a", "b"], "c")
        g.add_conditional_edges("c", lambda s: [m.Send("e", {"log": ["to-e"]})])
        events = [(c["step"], c["type"], c["payload"]["name"],
                   c["payload"].get("triggers", c["payload"].get("result")), c["payload"].get("error"))
                  for c in g.compile().stream({"log": []}, stream_mode="debug")]
        return sorted(events, key=repr)  # tasks of one superstep finish in any order on LangGraph

    assert same(program) == (sorted([
        (1, "task", "a", ("branch:to:a",), None), (1, "task", "b", ("branch:to:b",), None),
        (1, "task_result", "a", {"log": ["a"]}, None), (1, "task_result", "b", {"log": ["b"]}, None),
        (2, "task", "c", ("branch:to:c", "join:a+b:c"), None), (2, "task", "d", ("branch:to:d",), None),
        (2, "task_result", "c", {"log": ["c"]}, None), (2, "task_result", "d", {}, None),
        (3, "task", "e", ("__pregel_push",), None), (3, "task_result", "e", {"log": ["e"]}, None),
    ], key=repr), [])
