"""Triggers are typed: the engine says what scheduled a task as `Trigger(kind, sources)`, plans store it as
JSON, and the widgets read `kind` and `sources` (never the text), so odd node names are explained right."""

import json

from wfkit import END, START, InMemorySaver, StateGraph
from wfkit.engine.algo import Plan
from wfkit.engine.events import Trigger
from wfkit.widgets._why import taken_edges, why, why_task
from typing_extensions import TypedDict


class S(TypedDict, total=False):
    log: list


def test_a_trigger_is_typed_and_is_its_text():
    join = Trigger("join", ("a", "b"))
    assert (join.kind, join.sources, join) == ("join", ("a", "b"), "join:a+b")
    assert (Trigger("send").kind, Trigger("send").sources, Trigger("send")) == ("send", (), "send")
    assert Trigger.of("join:a+b").sources == ("a", "b")  # the text form (older checkpoints) reads the same
    assert Trigger.of(["join", "a+b", "c"]).sources == ("a+b", "c")  # the stored form keeps odd names
    assert Trigger.of("edge:x:y").sources == ("x:y",)


def test_plans_store_triggers_as_json_lists_and_read_them_back_typed():
    plan = Plan(pull={"c": [Trigger("join", ("a+b", "d")), Trigger("edge", ("x",))]})
    stored = json.loads(json.dumps(plan.to_json()))
    assert stored == {"pull": {"c": [["join", "a+b", "d"], ["edge", "x"]]}}
    back = Plan.from_json(stored).pull["c"]
    assert [(t.kind, t.sources) for t in back] == [("join", ("a+b", "d")), ("edge", ("x",))]
    legacy = Plan.from_json({"pull": {"c": ["join:a+d", "goto:__start__"]}}).pull["c"]
    assert [(t.kind, t.sources) for t in legacy] == [("join", ("a", "d")), ("goto", ("__start__",))]


def test_a_join_of_a_node_named_with_a_plus_is_explained_right():
    g = StateGraph(S)
    for name in ("a+b", "c", "d"):
        g.add_node(name, lambda s: None)
    g.add_edge(START, "a+b")
    g.add_edge(START, "c")
    g.add_edge(["a+b", "c"], "d")
    g.add_edge("d", END)
    run = g.compile(checkpointer=InMemorySaver()).start({"log": []}, {"configurable": {"thread_id": "t"}})
    run.step()
    (task,) = run.next
    assert [(t.kind, t.sources) for t in task.triggers] == [("join", ("a+b", "c"))]
    assert why_task(task) == "`d` because the join of `a+b` + `c` completed (all 2 finished)"
    assert taken_edges([task], (), {("a+b", "d"), ("c", "d")}) == (("a+b", "d"), ("c", "d"))
    run.goto(0)  # read back from the stored checkpoint: still typed
    run.step()
    assert [(t.kind, t.sources) for t in run.next[0].triggers] == [("join", ("a+b", "c"))]


def test_why_reads_the_kind_not_the_text():
    assert why(Trigger("edge", ("a:b",)), "c") == "the edge `a:b` → `c`"
