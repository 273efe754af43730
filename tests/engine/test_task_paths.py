"""Snapshot tasks carry LangGraph's paths: `("__pregel_pull", node)` for a node, `("__pregel_push", i, False)`
for the i-th Send of a superstep; a builder's node shows its own callable as `.runnable.func`."""

import operator
from typing import Annotated

from typing_extensions import TypedDict

from wfkit import START, Command, InMemorySaver, Send, StateGraph, interrupt


class State(TypedDict):
    items: Annotated[list, operator.add]


def _sending_graph():
    g = StateGraph(State)
    g.add_node("fan", lambda state: {"items": ["fan"]})
    g.add_node("work", lambda arg: {"items": [interrupt(f"ok {arg}?")]})
    g.add_edge(START, "fan")
    g.add_conditional_edges("fan", lambda state: [Send("work", 1), Send("work", 2)])
    return g.compile(checkpointer=InMemorySaver())


def test_a_snapshot_lists_sends_with_push_paths_in_send_order():
    graph = _sending_graph()
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"items": []}, config)
    tasks = graph.get_state(config).tasks
    assert [(t.name, t.path) for t in tasks] == [("work", ("__pregel_push", 0, False)),
                                                ("work", ("__pregel_push", 1, False))]


def test_a_history_lists_node_tasks_with_pull_paths():
    graph = _sending_graph()
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"items": []}, config)
    paths = [[(t.name, t.path) for t in s.tasks] for s in graph.get_state_history(config)]
    assert paths[1:] == [[("fan", ("__pregel_pull", "fan"))], [("__start__", ("__pregel_pull", "__start__"))]]


def test_a_builder_node_shows_its_own_callable_as_runnable_func():
    class Counter:
        def __init__(self):
            self.ticks = 0

        def __call__(self, state):
            self.ticks += 1
            return {"items": [self.ticks]}

    counter = Counter()
    g = StateGraph(State)
    g.add_node("count", counter)
    g.add_edge(START, "count")
    assert g.compile().invoke({"items": []}) == {"items": [1]}
    assert g.nodes["count"].runnable.func is counter
    assert g.nodes["count"].runnable.func.ticks == 1


def test_a_one_value_state_history_shows_the_bare_value_and_bare_task_results():
    g = StateGraph(Annotated[list, operator.add])
    g.add_node("a", lambda state: ["a"])
    g.add_edge(START, "a")
    graph = g.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    assert graph.invoke(["0"], config) == ["0", "a"]
    history = list(graph.get_state_history(config))
    assert [s.values for s in history] == [["0", "a"], ["0"], []]
    assert [[(t.name, t.result) for t in s.tasks] for s in history] == [[], [("a", ["a"])], [("__start__", ["0"])]]


def _history_results(durability):
    def flaky(arg):
        flaky.ticks += 1
        if flaky.ticks == 1:
            interrupt("again?")
        return {"items": [f"flaky {arg}"]}

    flaky.ticks = 0
    g = StateGraph(State)
    g.add_node("fan", lambda state: {"items": ["fan"]})
    g.add_node("ok", lambda arg: {"items": [f"ok {arg}"]})
    g.add_node("flaky", flaky)
    g.add_node("last", lambda state: {"items": ["last"]})
    g.add_edge(START, "fan")
    g.add_conditional_edges("fan", lambda state: [Send("ok", 1), Send("flaky", 2)])
    g.add_edge("ok", "last")
    graph = g.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"items": []}, config, durability=durability)
    assert graph.invoke(None, config, durability=durability) == {"items": ["fan", "ok 1", "flaky 2", "last"]}
    return [[(t.name, t.result) for t in s.tasks] for s in graph.get_state_history(config)
            if "flaky" in s.next]


def test_exit_mode_keeps_no_result_for_a_resumed_task_on_the_checkpoint_it_paused_on():
    # the resumed run went on past that superstep: in "exit" mode (as in LangGraph) only its last checkpoint
    # is stored, not the resumed task's write on the checkpoint it paused on
    assert _history_results("exit") == [[("ok", {"items": ["ok 1"]}), ("flaky", None)]]
    assert _history_results("sync") == [[("ok", {"items": ["ok 1"]}), ("flaky", {"items": ["flaky 2"]})]]


def test_exit_mode_stores_writes_on_the_start_checkpoint_when_the_run_pauses_again_on_it():
    asked = []

    def twice(state):
        asked.append(interrupt("first?"))
        asked.append(interrupt("second?"))
        return {"items": asked[-2:]}

    g = StateGraph(State)
    g.add_node("ok", lambda state: {"items": ["ok"]})
    g.add_node("twice", twice)
    g.add_edge(START, "ok")
    g.add_edge(START, "twice")
    graph = g.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"items": []}, config, durability="exit")
    out = graph.invoke(Command(resume="a"), config, durability="exit")
    assert [i.value for i in out["__interrupt__"]] == ["second?"]
    assert graph.invoke(Command(resume="b"), config, durability="exit") == {"items": ["ok", "a", "b"]}
