"""The Debugger on a LangGraph graph (issue 30): Stop cancels the superstep under way and the thread stays
resumable, a model's streamed tokens arrive as the model chunks of a wfkit run do, and a subgraph's tasks
and interrupts come through under the parent's task."""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, TypedDict

import pytest

pytest.importorskip("langgraph")

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel  # noqa: E402
from langchain_core.messages import AIMessage  # noqa: E402
import langgraph.graph  # noqa: E402
from langgraph.checkpoint.memory import InMemorySaver  # noqa: E402
from langgraph.graph import END, START, MessagesState, StateGraph  # noqa: E402
from langgraph.types import interrupt  # noqa: E402

import wfkit  # noqa: E402
from wfkit.engine.events import MessageChunk, Nested, StepCancelled, TaskFinished, TaskStarted  # noqa: E402
from wfkit.widgets import Debugger  # noqa: E402

from tests.widgets.conftest import gated_graph  # noqa: E402
from tests.widgets.test_debugger import until  # noqa: E402


class Log(TypedDict, total=False):
    log: Annotated[list, operator.add]
    x: str


def gated_langgraph():
    """conftest's gated graph (slow_a and slow_b wait for their gates, then merge) built with LangGraph."""
    return gated_graph(langgraph.graph, checkpointer=InMemorySaver())


def test_stop_cancels_langgraphs_superstep_and_the_thread_stays_resumable():
    graph, gates, calls = gated_langgraph()
    config = {"configurable": {"thread_id": "stop-1"}}

    async def scenario():
        debugger = Debugger(graph, {"log": []}, config)
        debugger.step_button.click()
        await until(lambda: debugger.running.value == "running: slow_a, slow_b")
        gates["slow_a"].set()
        await until(lambda: debugger.running.value == "running: slow_b")
        debugger.stop_button.click()
        assert await debugger.pending is None
        assert debugger.notice == "stopped: step 1 was cancelled; Step runs again: slow_b"
        assert "step 1 cancelled (Stop); nothing applied; will run again: slow_b" in debugger.watcher.lines
        assert debugger.busy is None and debugger.error is None
        # between supersteps: no new checkpoint; LangGraph keeps slow_a's writes with the one before the step
        assert (debugger.run.step_number, debugger.run.state) == (0, {"log": []})
        assert [t.name for t in debugger.run.next] == ["slow_a", "slow_b"]
        snapshot = graph.get_state(config)
        assert (snapshot.metadata["step"], snapshot.config["configurable"]["checkpoint_id"]) == (
            0, debugger.run.checkpoint_id)
        assert ([(t.name, t.result) for t in snapshot.tasks], snapshot.next) == (
            [("slow_a", {"log": ["a"]}), ("slow_b", None)], ("slow_b",))

        gates["slow_b"].set()
        debugger.step_button.click()
        record = await debugger.pending
        assert (record.step, record.writes) == (1, (("slow_a", (("log", ["a"]),)), ("slow_b", (("log", ["b"]),))))
        assert calls == ["slow_a", "slow_b", "slow_b"]  # LangGraph kept slow_a's result: only slow_b ran again
        debugger.run_button.click()
        await debugger.pending
        assert debugger.run.done and graph.get_state(config).values == {"log": ["a", "b", "merged"]}

    asyncio.run(scenario())


def test_stop_tells_the_listeners_which_tasks_run_again():
    graph, gates, _ = gated_langgraph()
    run = wfkit.start(graph, {"log": []}, {"configurable": {"thread_id": "stop-2"}})
    heard = []
    run.listeners.append(heard.append)

    async def scenario():
        step = asyncio.ensure_future(run.astep())
        await until(lambda: sum(isinstance(e, TaskStarted) for e in heard) == 2)
        step.cancel()
        with pytest.raises(asyncio.CancelledError):
            await step

    asyncio.run(scenario())
    assert heard[-1] == StepCancelled(1, ("slow_a", "slow_b"))
    gates["slow_a"].set(), gates["slow_b"].set()
    assert [r.step for r in run.run()] == [1, 2] and run.state == {"log": ["a", "b", "merged"]}


def chat_graph():
    model = GenericFakeChatModel(messages=iter([AIMessage("the answer is four")]))
    g = StateGraph(MessagesState)
    g.add_node("llm", lambda state: {"messages": [model.invoke(state["messages"])]})
    g.add_edge(START, "llm")
    g.add_edge("llm", END)
    return g.compile()


def test_a_langgraph_models_streamed_tokens_reach_the_listeners_as_model_chunks():
    run = wfkit.start(chat_graph(), {"messages": [("user", "2 + 2?")]})
    heard = []
    run.listeners.append(heard.append)
    run.step()
    chunks = [e for e in heard if isinstance(e, MessageChunk)]
    assert [(e.step, e.chunk.content, e.metadata["langgraph_node"]) for e in chunks] == [
        (1, "the", "llm"), (1, " ", "llm"), (1, "answer", "llm"), (1, " ", "llm"), (1, "is", "llm"), (1, " ", "llm"),
        (1, "four", "llm")]
    assert [type(e).__name__ for e in heard].index("MessageChunk") == 2  # after StepPlanned, TaskStarted


def test_the_debugger_shows_a_langgraph_models_tokens_as_it_shows_a_wfkit_models():
    debugger = Debugger(chat_graph(), {"messages": [("user", "2 + 2?")]})
    debugger.step()
    assert debugger.watcher.lines == [
        "step 1 planned: llm", "step 1 started llm", "step 1 llm model output: 7 chunk(s)",
        "step 1 finished llm: wrote messages", "step 1 applied: updated messages; next END", "run finished after step 1"]


def graph_with_a_subgraph():
    """child (a subgraph: inner, then ask, which waits for an answer), then after."""
    sub = StateGraph(Log)
    sub.add_node("inner", lambda state: {"log": ["inner"]})
    sub.add_node("ask", lambda state: {"log": ["ask"], "x": interrupt("sub ok?")})
    sub.add_edge(START, "inner")
    sub.add_edge("inner", "ask")
    sub.add_edge("ask", END)
    g = StateGraph(Log)
    g.add_node("child", sub.compile())
    g.add_node("after", lambda state: {"log": ["after:" + state["x"]]})
    g.add_edge(START, "child")
    g.add_edge("child", "after")
    g.add_edge("after", END)
    return g.compile(checkpointer=InMemorySaver())


def told(event):
    """An event as (namespace path, kind, task name, interrupt values)."""
    path = []
    while isinstance(event, Nested):
        path.append(event.namespace.split(":", 1)[0])
        event = event.event
    task = getattr(event, "task", None)
    return (tuple(path), type(event).__name__, task.name if task else None,
            tuple(i.value for i in getattr(event, "interrupts", ()) or ()))


def test_a_subgraphs_tasks_come_under_the_parents_task_and_its_interrupt_is_answered_through_the_run():
    graph = graph_with_a_subgraph()
    config = {"configurable": {"thread_id": "sub-1"}}
    run = wfkit.start(graph, {"log": []}, config)
    heard = []
    run.listeners.append(heard.append)
    record = run.step()
    assert [told(e) for e in heard] == [
        ((), "StepPlanned", None, ()), ((), "TaskStarted", "child", ()),
        (("child",), "TaskStarted", "inner", ()), (("child",), "TaskFinished", "inner", ()),
        (("child",), "TaskStarted", "ask", ()), (("child",), "TaskFinished", "ask", ("sub ok?",)),
        ((), "TaskFinished", "child", ("sub ok?",)), ((), "Interrupted", None, ("sub ok?",))]
    parent = next(e.task for e in heard if isinstance(e, TaskStarted))
    assert {e.namespace for e in heard if isinstance(e, Nested)} == {f"child:{parent.id}"}  # under the parent task
    assert [t.name for t in record.tasks] == ["child"] and record.interrupted == ("child",)
    assert ([i.value for i in run.interrupts], run.status) == (["sub ok?"], "interrupted")
    finished = [e.event for e in heard if isinstance(e, Nested) and isinstance(e.event, TaskFinished)]
    assert [(e.task.name, e.writes) for e in finished] == [("inner", (("log", ["inner"]),)), ("ask", ())]

    records = run.resume("yes")
    assert [(r.step, [t.name for t in r.tasks]) for r in records] == [(1, ["child"]), (2, ["after"])]
    assert run.done and graph.get_state(config).values == {"log": ["inner", "ask", "after:yes"], "x": "yes"}
