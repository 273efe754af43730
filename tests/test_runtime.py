"""`Runtime`: a node's or task's `runtime` parameter and `get_runtime()` give the run's context (a dict
coerced into the context_schema), the task's stream writer and execution info, the Functional API's
`previous`; `RunControl.request_drain()` stops a run between supersteps."""

import asyncio
import operator
from dataclasses import dataclass
from typing import Annotated

import pydantic
import pytest
from typing_extensions import TypedDict

from wfkit import END, START, InMemorySaver, RetryPolicy, StateGraph, entrypoint, get_stream_writer, task
from wfkit.errors import ContextError, GraphDrained
from wfkit.runtime import DEFAULT_RUNTIME, ExecutionInfo, RunControl, Runtime, ServerInfo, get_runtime


@dataclass
class Ctx:
    user: str
    level: int = 1


class S(TypedDict, total=False):
    log: Annotated[list, operator.add]


def one_node(fn, context_schema=Ctx, checkpointer=None, **node_options):
    g = StateGraph(S, context_schema=context_schema)
    g.add_node("a", fn, **node_options)
    g.add_edge(START, "a")
    g.add_edge("a", END)
    return g.compile(checkpointer=checkpointer)


def greet(state: S, runtime: Runtime[Ctx]) -> S:
    return {"log": [f"{runtime.context.user}@{runtime.context.level}"]}


def test_a_runtime_parameter_gets_the_context_given_as_the_schema():
    assert one_node(greet).invoke({"log": []}, context=Ctx("ann", 3)) == {"log": ["ann@3"]}


def test_a_context_dict_is_coerced_into_the_dataclass_schema_with_its_defaults():
    assert one_node(greet).invoke({"log": []}, context={"user": "bob"}) == {"log": ["bob@1"]}


def test_without_context_the_runtime_context_is_none():
    seen = []
    one_node(lambda s, runtime: seen.append(runtime.context) or {}).invoke({"log": []})
    assert seen == [None]


@pytest.mark.parametrize("context, message", [
    ({"level": 2}, "context lacks `user`, required by `Ctx` (the graph's context_schema): pass e.g. "
                   "context={'user': ...}"),
    ({"user": "a", "colour": "red"}, "context has `colour`, which `Ctx` (the graph's context_schema) has no field "
                                     "for; its fields are `user`, `level`"),
])
def test_a_context_dict_that_does_not_fit_the_dataclass_names_the_field_and_the_schema(context, message):
    with pytest.raises(ContextError) as caught:
        one_node(greet).invoke({"log": []}, context=context)
    assert str(caught.value) == message
    assert isinstance(caught.value, TypeError)  # LangGraph raises a TypeError here: the same `except` works


class PydCtx(pydantic.BaseModel):
    user: str
    tags: list[str] = []


def test_a_context_dict_is_validated_by_a_pydantic_schema():
    graph = one_node(lambda s, runtime: {"log": [(runtime.context.user, runtime.context.tags)]}, PydCtx)
    assert graph.invoke({"log": []}, context={"user": "cy"}) == {"log": [("cy", [])]}
    with pytest.raises(pydantic.ValidationError):
        graph.invoke({"log": []}, context={"tags": "no"})


def test_a_typeddict_context_is_the_dict_itself():
    class TdCtx(TypedDict):
        user: str

    seen = []
    one_node(lambda s, runtime: seen.append(runtime.context) or {}, TdCtx).invoke({"log": []}, context={"user": "d"})
    assert seen == [{"user": "d"}]


def test_get_runtime_inside_a_node_is_the_node_runtime():
    def node(state):
        runtime = get_runtime(Ctx)
        return {"log": [runtime.context.user, runtime.stream_writer == get_stream_writer()]}

    assert one_node(node).invoke({"log": []}, context=Ctx("eve")) == {"log": ["eve", True]}


def test_get_runtime_outside_a_run_says_where_to_call_it():
    with pytest.raises(RuntimeError) as caught:
        get_runtime()
    assert str(caught.value) == ("get_runtime() was called outside a running graph; call it from inside a node or "
                                 "task, or take a `runtime` parameter there")


def test_the_runtime_stream_writer_streams_in_custom_mode():
    def node(state, runtime: Runtime[Ctx]):
        runtime.stream_writer({"hi": runtime.context.user})
        return {"log": ["done"]}

    chunks = list(one_node(node).stream({"log": []}, context={"user": "fay"}, stream_mode=["custom", "updates"]))
    assert chunks == [("custom", {"hi": "fay"}), ("updates", {"a": {"log": ["done"]}})]


def test_the_async_api_takes_a_context_too():
    async def node(state, runtime: Runtime[Ctx]):
        return {"log": [runtime.context.user]}

    async def run():
        return (await graph.ainvoke({"log": []}, context={"user": "gus"}),
                [c async for c in graph.astream({"log": []}, context={"user": "hal"})])

    graph = one_node(node)
    assert asyncio.run(run()) == ({"log": ["gus"]}, [{"a": {"log": ["hal"]}}])


def test_a_node_taking_config_writer_and_runtime_gets_all_three():
    def node(state, config, *, writer, runtime):
        writer("w")
        return {"log": [config["configurable"]["x"], runtime.context.user]}

    graph = one_node(node)
    assert list(graph.stream({"log": []}, {"configurable": {"x": 7}}, context=Ctx("ian"),
                             stream_mode=["custom", "values"])) == [
        ("values", {"log": []}), ("custom", "w"), ("values", {"log": [7, "ian"]})]


def test_execution_info_names_the_thread_task_namespace_and_attempt():
    seen = []

    def node(state, runtime: Runtime):
        info = runtime.execution_info
        seen.append((info.thread_id, info.node_attempt, info.checkpoint_ns == f"a:{info.task_id}",
                     isinstance(info.node_first_attempt_time, float), bool(info.checkpoint_id)))
        if info.node_attempt < 2:
            raise ValueError("once more")
        return {}

    # (ValueError is retried only when named: LangGraph's default retry_on leaves it out)
    graph = one_node(node, checkpointer=InMemorySaver(),
                     retry_policy=RetryPolicy(initial_interval=0.0, retry_on=ValueError))
    graph.invoke({"log": []}, {"configurable": {"thread_id": "t1"}})
    assert seen == [("t1", 1, True, True, True), ("t1", 2, True, True, True)]


def test_without_a_checkpointer_execution_info_has_no_thread():
    seen = []
    one_node(lambda s, runtime: seen.append(runtime.execution_info.thread_id) or {}).invoke({"log": []})
    assert seen == [None]


def test_server_info_comes_from_the_configurable_assistant_and_graph_ids():
    seen = []
    graph = one_node(lambda s, runtime: seen.append(runtime.server_info) or {})
    graph.invoke({"log": []}, {"configurable": {"assistant_id": "as", "graph_id": "gr"}})
    graph.invoke({"log": []})
    assert seen == [ServerInfo(assistant_id="as", graph_id="gr"), None]


def test_a_subgraph_node_gets_its_parent_runs_context():
    class T(TypedDict, total=False):
        main: str
        sub: str

    child = StateGraph(T, context_schema=Ctx)
    child.add_node("inner", lambda s, runtime: {"sub": runtime.context.user + "!"})
    child.add_edge(START, "inner")
    parent = StateGraph(T, context_schema=Ctx)
    parent.add_node("first", lambda s, runtime: {"main": runtime.context.user})
    parent.add_node("child", child.compile())
    parent.add_edge(START, "first")
    parent.add_edge("first", "child")
    assert parent.compile().invoke({}, context={"user": "jo"}) == {"main": "jo", "sub": "jo!"}


def test_a_drain_request_stops_the_run_before_its_next_superstep_and_it_resumes_from_there():
    control, ran = RunControl(), []

    def first(state):
        control.request_drain("deploy")
        return {"log": ["first"]}

    g = StateGraph(S)
    g.add_node("first", first)
    g.add_node("second", lambda s: ran.append("second") or {"log": ["second"]})
    g.add_edge(START, "first")
    g.add_edge("first", "second")
    graph = g.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "d"}}
    with pytest.raises(GraphDrained) as caught:
        graph.invoke({"log": []}, config, control=control)
    assert str(caught.value) == ("the run was drained (deploy) before its next superstep; with a checkpointer, "
                                 "invoke(None, config) on the same thread goes on from there")
    assert caught.value.reason == "deploy"
    assert (ran, graph.get_state(config).next) == ([], ("second",))
    assert graph.invoke(None, config) == {"log": ["first", "second"]}


def test_a_drain_requested_in_the_last_superstep_lets_the_run_finish():
    control = RunControl()
    graph = one_node(lambda s: control.request_drain() or {"log": ["x"]})
    assert graph.invoke({"log": []}, control=control) == {"log": ["x"]}
    assert (control.drain_requested, control.drain_reason) == (True, "shutdown")


def test_entrypoint_and_task_get_the_runtime_with_context_and_previous():
    @task
    def shout(word: str, runtime: Runtime[Ctx]) -> str:
        runtime.stream_writer(f"task saw {runtime.context.user}")
        return word.upper()

    previous = []

    @entrypoint(checkpointer=InMemorySaver(), context_schema=Ctx)
    def flow(word: str, runtime: Runtime[Ctx]) -> str:
        previous.append((runtime.previous, get_runtime().previous))
        return f"{shout(word).result()} {runtime.context.user}"

    config = {"configurable": {"thread_id": "e"}}
    assert flow.invoke("hi", config, context={"user": "kim"}) == "HI kim"
    assert list(flow.stream("yo", config, context=Ctx("lee"), stream_mode="custom")) == ["task saw lee"]
    assert previous == [(None, None), ("HI kim", "HI kim")]


def test_runtime_merge_keeps_values_the_other_lacks_and_override_replaces():
    control = RunControl()
    base = Runtime(context=Ctx("a"), control=control, previous=1)
    merged = base.merge(Runtime(context=None, store="s"))
    assert (merged.context, merged.store, merged.control, merged.previous) == (Ctx("a"), "s", control, 1)
    assert base.override(context=Ctx("b")).context == Ctx("b")
    assert (DEFAULT_RUNTIME.context, DEFAULT_RUNTIME.store, DEFAULT_RUNTIME.drain_requested) == (None, None, False)


def test_execution_info_patch_and_the_runtime_without_one():
    info = ExecutionInfo(checkpoint_id="c", checkpoint_ns="n", task_id="t")
    assert info.patch(node_attempt=2) == ExecutionInfo(checkpoint_id="c", checkpoint_ns="n", task_id="t", node_attempt=2)
    assert Runtime(execution_info=info).patch_execution_info(thread_id="x").execution_info.thread_id == "x"
    with pytest.raises(RuntimeError) as caught:
        Runtime().patch_execution_info(task_id="x")
    assert str(caught.value) == ("Runtime.patch_execution_info(): this runtime has no execution_info yet; it is "
                                 "set for each task when the graph runs it")


def test_heartbeat_is_progress_for_an_idle_timeout_that_waits_for_heartbeats():
    import asyncio

    from typing_extensions import TypedDict

    from wfkit import START, StateGraph
    from wfkit.errors import NodeTimeoutError
    from wfkit.runtime import Runtime
    from wfkit.types import TimeoutPolicy

    class Beat(TypedDict):
        n: int

    def graph(beats: bool):
        async def slow(state: Beat, runtime: Runtime) -> dict:
            for _ in range(6):
                await asyncio.sleep(0.1)
                if beats:
                    runtime.heartbeat()
            return {"n": state["n"] + 1}

        g = StateGraph(Beat).add_node("slow", slow, timeout=TimeoutPolicy(idle_timeout=0.35, refresh_on="heartbeat"))
        return g.add_edge(START, "slow").compile()

    assert graph(beats=True).invoke({"n": 1}) == {"n": 2}  # 0.6 s in all, never 0.35 s without a heartbeat
    with pytest.raises(NodeTimeoutError) as info:
        graph(beats=False).invoke({"n": 1})
    assert (info.value.node, info.value.kind) == ("slow", "idle")
