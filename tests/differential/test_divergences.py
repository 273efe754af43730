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
        get_stream_writer=wfkit.get_stream_writer, RetryPolicy=wfkit.RetryPolicy,
    )


def _langgraph() -> SimpleNamespace:
    from langgraph import errors, func, graph, managed, types
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.config import get_stream_writer

    return SimpleNamespace(
        name="langgraph", StateGraph=graph.StateGraph, START=graph.START, END=graph.END, Command=types.Command,
        Send=types.Send, interrupt=types.interrupt, InMemorySaver=InMemorySaver, task=func.task,
        entrypoint=func.entrypoint, GraphRecursionError=errors.GraphRecursionError,
        StreamWriter=types.StreamWriter, RemainingSteps=managed.RemainingSteps,
        get_stream_writer=get_stream_writer, RetryPolicy=types.RetryPolicy,
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


class Whole(TypedDict, total=False):
    a: int
    b: int
    c: int


class WholeIn(TypedDict):
    c: int
    x: int


class WholeOut(TypedDict):
    b: int


class Private(TypedDict):
    p: int


def _schemas_graph(m, checkpointer=None, pause=False):
    """State (a, b, c), input (c, x), output (b) and a node reading a private schema (p): the stream,
    snapshots and debug events show every key, in the graph's order; only invoke's result is cut."""
    def third(s):
        return {"c": m.interrupt("c?") if pause else 3}

    g = m.StateGraph(Whole, input_schema=WholeIn, output_schema=WholeOut)
    g.add_node("first", lambda s: {"b": 1, "a": 2})
    g.add_node("private", lambda s: {"p": 7}, input_schema=Private)
    g.add_node("third", third)
    g.add_edge(m.START, "first")
    g.add_edge(m.START, "private")
    g.add_edge("first", "third")
    return g.compile(checkpointer=checkpointer)


def test_the_values_stream_shows_the_whole_state_whatever_the_output_schema():
    def program(m):
        app = _schemas_graph(m)
        return [list(app.stream({"c": 0, "x": 5}, stream_mode="values")), app.invoke({"c": 0, "x": 5})]

    (values, result), _ = same(program)
    assert values == [{"c": 0, "x": 5}, {"a": 2, "b": 1, "c": 0, "x": 5, "p": 7},
                      {"a": 2, "b": 1, "c": 3, "x": 5, "p": 7}]
    assert result == {"b": 1}


def test_snapshots_and_a_paused_stream_show_the_whole_state():
    def program(m):
        app = _schemas_graph(m, m.InMemorySaver(), pause=True)
        config = {"configurable": {"thread_id": "t"}}
        chunks = [(mode, {k: v for k, v in chunk.items() if k != "__interrupt__"}, "__interrupt__" in chunk)
                  for mode, chunk in app.stream({"c": 0, "x": 5}, config, stream_mode=["values", "updates"])]
        history = [h.values for h in app.get_state_history(config)]
        resumed = list(app.stream(m.Command(resume=9), config, stream_mode="values"))
        return [chunks, history, resumed, app.get_state(config).values]

    (chunks, history, resumed, state), _ = same(program)
    assert chunks[-2:] == [("updates", {}, True), ("values", {"a": 2, "b": 1, "c": 0, "x": 5, "p": 7}, True)]
    assert history == [{"a": 2, "b": 1, "c": 0, "x": 5, "p": 7}, {"c": 0, "x": 5}, {}]
    assert resumed[-1] == state == {"a": 2, "b": 1, "c": 9, "x": 5, "p": 7}


def test_the_debug_stream_with_a_checkpointer():
    def program(m):
        app = _schemas_graph(m, m.InMemorySaver())
        out = []
        for event in app.stream({"c": 0, "x": 5}, {"configurable": {"thread_id": "t"}}, stream_mode="debug"):
            payload = event["payload"]
            if event["type"] == "checkpoint":
                out.append((event["step"], "checkpoint", payload["values"], payload["next"],
                            [t["name"] for t in payload["tasks"]], payload["metadata"]["source"],
                            payload["parent_config"] is None, sorted(payload)))
            else:
                out.append((event["step"], event["type"], payload["name"]))
        return out

    events, _ = same(program)
    keys = ["config", "metadata", "next", "parent_config", "tasks", "values"]
    assert [e for e in events if e[1] == "checkpoint"] == [
        (-1, "checkpoint", {}, ["__start__"], ["__start__"], "input", True, keys),
        (0, "checkpoint", {"c": 0, "x": 5}, ["first", "private"], ["first", "private"], "loop", False, keys),
        (1, "checkpoint", {"a": 2, "b": 1, "c": 0, "x": 5, "p": 7}, ["third"], ["third"], "loop", False, keys),
        (2, "checkpoint", {"a": 2, "b": 1, "c": 3, "x": 5, "p": 7}, [], [], "loop", False, keys)]
    # a lone task's result comes after its update, once its superstep's writes went through
    assert events[-3:-1] == [(2, "task", "third"), (2, "task_result", "third")]


@pytest.mark.parametrize("call", ["get_state", "get_state_history", "update_state"])
def test_state_calls_without_a_checkpointer_raise_a_value_error(call):
    def program(m):
        app = _schemas_graph(m)
        config = {"configurable": {"thread_id": "t"}}
        args = {"get_state": (config,), "get_state_history": (config,), "update_state": (config, {"a": 1})}[call]
        result = getattr(app, call)(*args)
        return list(result) if call == "get_state_history" else result

    (raised, _) = same(program)
    assert raised.kind == "ValueError"
    assert str(raised.error) == ("this graph has no checkpointer: compile(checkpointer=InMemorySaver()) "
                                 "to keep state")


# -- 11. a graph invoked inside a node function is a subgraph ---------------------------------------------

def _plain(value):
    """Stream chunks and values with what differs only by id taken out: a namespace's task ids (uuids in
    LangGraph, node names without a checkpointer in wfkit) and an Interrupt's id."""
    if type(value).__name__ == "Interrupt":
        return ("Interrupt", _plain(value.value))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple) and all(isinstance(p, str) for p in value[0]):  # (namespace, ...)
            value = (tuple(p.split(":")[0] + ":<id>" if ":" in p else p for p in value[0]),) + value[1:]
        return tuple(_plain(v) for v in value)
    return value


def _sub_chain(m, checkpointer=None):
    def sub_a(s):
        m.get_stream_writer()(("sub_a", s["x"]))
        return {"x": s["x"] + 1}

    g = m.StateGraph(S)
    g.add_node("sub_a", sub_a)
    g.add_node("sub_b", lambda s: {"x": s["x"] * 10})
    g.add_edge(m.START, "sub_a")
    g.add_edge("sub_a", "sub_b")
    return g.compile(checkpointer=checkpointer)


def _parent_of(m, call, checkpointer=None):
    g = m.StateGraph(S)
    g.add_node("call", call)
    g.add_node("after", lambda s: {"x": s["x"] + 1})
    g.add_edge(m.START, "call")
    g.add_edge("call", "after")
    return g.compile(checkpointer=checkpointer)


def invoked_in_a_node(m):
    sub = _sub_chain(m)
    app = _parent_of(m, lambda s: {"x": sub.invoke({"x": s["x"]})["x"]})
    return _plain([app.invoke({"x": 1}), list(app.stream({"x": 1}, stream_mode=["updates", "custom"], subgraphs=True)),
                   list(app.stream({"x": 1}, stream_mode="values", subgraphs=True)),
                   list(app.stream({"x": 1}, stream_mode=["updates", "custom"]))])


def streamed_then_invoked_in_a_node(m):
    sub = _sub_chain(m)

    def twice(s):
        values = [c for c in sub.stream({"x": s["x"]}, stream_mode="values")]
        return {"x": sub.invoke({"x": values[-1]["x"]})["x"]}

    return _plain(list(_parent_of(m, twice).stream({"x": 1}, stream_mode="updates", subgraphs=True)))


def nested_two_deep(m):
    grandchild = _sub_chain(m)
    child = _parent_of(m, lambda s: grandchild.invoke(s))
    app = _parent_of(m, lambda s: child.invoke(s))
    return _plain(list(app.stream({"x": 1}, stream_mode=["updates", "custom"], subgraphs=True)))


def awaited_in_an_async_node(m):
    import asyncio

    sub = _sub_chain(m)

    async def call(s):
        first = await sub.ainvoke({"x": s["x"]})
        last = [c async for c in sub.astream({"x": first["x"]}, stream_mode="values")][-1]
        return {"x": last["x"]}

    async def chunks():
        return [c async for c in _parent_of(m, call).astream({"x": 1}, stream_mode="updates", subgraphs=True)]

    return _plain(asyncio.run(chunks()))


def subgraph_node_custom_writes(m):
    g = m.StateGraph(S)
    g.add_node("sub", _sub_chain(m))
    g.add_edge(m.START, "sub")
    app = g.compile()
    return _plain([list(app.stream({"x": 1}, stream_mode=["custom", "updates"])),
                   list(app.stream({"x": 1}, stream_mode=["custom", "updates"], subgraphs=True))])


def _interrupting_in_a_node(m, own):
    def ask(s):
        return {"x": s["x"] + m.interrupt({"q": s["x"]})}

    g = m.StateGraph(S)
    g.add_node("ask", ask)
    g.add_node("b", lambda s: {"x": s["x"] * 10})
    g.add_edge(m.START, "ask")
    g.add_edge("ask", "b")
    sub = g.compile(checkpointer=m.InMemorySaver() if own == "saver" else own)
    app = _parent_of(m, lambda s: {"x": sub.invoke({"x": s["x"]})["x"]}, m.InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    out = [app.invoke({"x": 2}, config)]
    state = app.get_state(config)
    out.append((state.values, state.next, state.interrupts))
    out.append(list(app.stream(m.Command(resume=5), config, stream_mode="updates", subgraphs=True)))
    out.append(app.get_state(config).values)
    out.append(list(_parent_of(m, lambda s: {"x": sub.invoke({"x": s["x"]})["x"]}).stream(
        {"x": 1}, stream_mode="updates", subgraphs=True)))  # no checkpointer anywhere: the run pauses all the same
    return _plain(out)


def entrypoint_invoking_entrypoint_and_graph(m):
    # LangGraph's "Calling other entrypoints" and "Calling graphs" samples, together
    @m.entrypoint()
    def multiply(inputs: dict) -> int:
        return inputs["a"] * inputs["b"]

    sub = _sub_chain(m)

    @m.entrypoint(checkpointer=m.InMemorySaver())
    def main(inputs: dict) -> dict:
        return {"product": multiply.invoke({"a": inputs["x"], "b": inputs["y"]}), "graph": sub.invoke({"x": 1})["x"]}

    config = {"configurable": {"thread_id": "e"}}
    return _plain([main.invoke({"x": 6, "y": 7}, config),
                   list(main.stream({"x": 6, "y": 7}, config, stream_mode="updates", subgraphs=True))])


U, C = "updates", "custom"
NS = ("call:<id>",)


@pytest.mark.parametrize("program, expected", [
    (invoked_in_a_node, [
        {"x": 21},
        [(NS, C, ("sub_a", 1)), (NS, U, {"sub_a": {"x": 2}}), (NS, U, {"sub_b": {"x": 20}}),
         ((), U, {"call": {"x": 20}}), ((), U, {"after": {"x": 21}})],
        [((), {"x": 1}), (NS, {"x": 1}), (NS, {"x": 2}), (NS, {"x": 20}), ((), {"x": 20}), ((), {"x": 21})],
        [(U, {"call": {"x": 20}}), (U, {"after": {"x": 21}})]]),
    (streamed_then_invoked_in_a_node, [
        (NS, {"sub_a": {"x": 2}}), (NS, {"sub_b": {"x": 20}}), (NS + ("1",), {"sub_a": {"x": 21}}),
        (NS + ("1",), {"sub_b": {"x": 210}}), ((), {"call": {"x": 210}}), ((), {"after": {"x": 211}})]),
    (nested_two_deep, [
        (NS * 2, C, ("sub_a", 1)), (NS * 2, U, {"sub_a": {"x": 2}}), (NS * 2, U, {"sub_b": {"x": 20}}),
        (NS, U, {"call": {"x": 20}}), (NS, U, {"after": {"x": 21}}), ((), U, {"call": {"x": 21}}),
        ((), U, {"after": {"x": 22}})]),
    (awaited_in_an_async_node, [
        (NS, {"sub_a": {"x": 2}}), (NS, {"sub_b": {"x": 20}}), (NS + ("1",), {"sub_a": {"x": 21}}),
        (NS + ("1",), {"sub_b": {"x": 210}}), ((), {"call": {"x": 210}}), ((), {"after": {"x": 211}})]),
    (subgraph_node_custom_writes, [
        [(U, {"sub": {"x": 20}})],
        [(("sub:<id>",), C, ("sub_a", 1)), (("sub:<id>",), U, {"sub_a": {"x": 2}}),
         (("sub:<id>",), U, {"sub_b": {"x": 20}}), ((), U, {"sub": {"x": 20}})]]),
    (entrypoint_invoking_entrypoint_and_graph, [
        {"product": 42, "graph": 20},
        [(("main:<id>",), {"multiply": 42}), (("main:<id>", "1"), {"sub_a": {"x": 2}}),
         (("main:<id>", "1"), {"sub_b": {"x": 20}}), ((), {"main": {"product": 42, "graph": 20}})]]),
])
def test_a_graph_run_by_a_node_streams_as_a_subgraph(program, expected):
    assert same(program) == (expected, [])


@pytest.mark.parametrize("own", [None, "saver", True])
def test_a_nested_graph_keeps_to_the_parents_thread_and_pauses_it(own):
    name = ("call",) if own is True else NS  # checkpointer=True: LangGraph names it by the node alone
    paused = ("Interrupt", {"q": 2})
    assert same(lambda m: _interrupting_in_a_node(m, own)) == ([
        {"x": 2, "__interrupt__": [paused]},
        ({"x": 2}, ("call",), (paused,)),
        [(name, {"ask": {"x": 7}}), (name, {"b": {"x": 70}}), ((), {"call": {"x": 70}}), ((), {"after": {"x": 71}})],
        {"x": 71},
        [(name, {"__interrupt__": (("Interrupt", {"q": 1}),)}),
         ((), {"__interrupt__": (("Interrupt", {"q": 1}),)})],
    ], [])


def test_a_graph_compiled_with_checkpointer_true_does_not_run_alone():
    def program(m):
        return _sub_chain(m, checkpointer=True).invoke({"x": 1})

    raised, _ = same(program)
    assert raised.kind == "RuntimeError"
