"""The history shows an update_state's writes as the result of the planned task of the node it came as
(as LangGraph 1.2.24 does), so supersteps replayed with `bulk_update_state` read like the run."""

from typing import Annotated

from typing_extensions import TypedDict

from wfkit import START, StateGraph
from wfkit.types import Command, Send, StateUpdate


class S(TypedDict):
    foo: str


def graph(saver, **options):
    g = StateGraph(S)
    g.add_node("agent", lambda s: {"foo": "agent"})
    g.add_node("tool", lambda s: {"foo": "tool"})
    g.add_edge(START, "agent")
    g.add_edge("agent", "tool")
    return g.compile(checkpointer=saver, **options)


def results(app, config):
    return [(s.metadata["source"], [(t.name, t.result) for t in s.tasks]) for s in app.get_state_history(config)]


def test_supersteps_replayed_as_updates_give_the_tasks_the_runs_results(saver):
    app = graph(saver)
    ran, replayed = {"configurable": {"thread_id": "ran"}}, {"configurable": {"thread_id": "replayed"}}
    app.invoke({"foo": "in"}, ran)
    app.bulk_update_state(replayed, [[StateUpdate({}, "__input__")],
                                     [StateUpdate({"foo": "in"}, "__start__")],
                                     [StateUpdate({"foo": "agent"}, "agent")],
                                     [StateUpdate({"foo": "tool"}, "tool")]])
    expected = [[], [("tool", {"foo": "tool"})], [("agent", {"foo": "agent"})], [("__start__", {"foo": "in"})]]
    assert [tasks for _, tasks in results(app, replayed)] == expected
    assert [tasks for _, tasks in results(app, ran)] == expected


def test_an_update_as_another_node_leaves_the_planned_task_without_a_result(saver):
    app = graph(saver, interrupt_before=["tool"])
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"foo": "in"}, config)
    app.update_state(config, {"foo": "via agent"}, as_node="agent")
    app.update_state(config, {"foo": "via tool"}, as_node="tool")
    assert results(app, config) == [
        ("update", []),
        ("update", [("tool", {"foo": "via tool"})]),
        ("loop", [("tool", None)]),
        ("loop", [("agent", {"foo": "agent"})]),
        ("input", [("__start__", {"foo": "in"})]),
    ]


class Joined(TypedDict):
    name: Annotated[str, lambda a, b: " > ".join([a, b]) if a else b]


def test_updates_as_a_node_planned_several_times_are_its_tasks_results_in_order(saver):
    g = StateGraph(Joined)
    g.add_node("one", lambda s: Command(goto=[Send("two", {})], update={"name": "one"}))
    g.add_node("two", lambda s: {"name": "two"})
    g.add_edge(START, "one")
    g.add_edge("one", "two")
    app = g.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "t"}}
    app.invoke({"name": "s"}, config)
    planned_twice = list(app.get_state_history(config))[1]
    app.update_state(planned_twice.config, [StateUpdate({"name": "x"}, "two"), StateUpdate({"name": "y"}, "two")],
                     as_node="__copy__")
    app.bulk_update_state(config, [[StateUpdate({"name": "p"}, "one")],
                                   [StateUpdate({"name": "q"}, "two"), StateUpdate({"name": "r"}, "two")]])
    assert [(s.values["name"], s.metadata["source"], [(t.name, t.result) for t in s.tasks])
            for s in list(app.get_state_history(config))[:4]] == [
        ("s > one > x > y > p > q > r", "update", []),
        ("s > one > x > y > p", "update", [("two", {"name": "q"})]),  # the update beyond its one task: no task's
        ("s > one > x > y", "update", []),
        ("s > one", "fork", [("two", {"name": "x"}), ("two", {"name": "y"})]),
    ]
