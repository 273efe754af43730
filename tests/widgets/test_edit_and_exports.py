"""Editing a state as JSON (pure), and what `wfkit.widgets` exports (lazily)."""

import subprocess
import sys

import pytest

from wfkit.widgets._edit import changed_keys, editable


def test_only_json_round_trippable_keys_are_editable():
    assert editable({"n": 1, "tags": ["a"], "when": (1, 2), "obj": object()}) == (
        {"n": 1, "tags": ["a"]}, ["when", "obj"])
    assert editable("not a dict") == ({}, [])


def test_an_edit_sends_only_the_keys_it_changes():
    base = {"n": 1, "log": ["first"]}
    values = {"n": 1, "log": ["first"], "messages": []}
    assert changed_keys('{"n": 2, "log": ["first"]}', base, values) == ("", {"n": 2})
    assert changed_keys('{"messages": [1]}', base, values) == ("", {"messages": [1]})
    assert changed_keys("[1]", base, values) == ("the edit must be a JSON object of state keys, not list", {})
    assert changed_keys('{"x": 1, "y": 2}', base, values) == (
        "`x`, `y` is not a key of the state; its keys are n, log, messages", {})


def test_messages_and_models_are_edited_as_json_and_read_back_as_themselves():
    import json

    from pydantic import BaseModel

    from wfkit.messages import AIMessage, HumanMessage, ToolMessage

    class Plan(BaseModel):
        steps: list[str]
        done: bool = False

    usage = {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5}
    messages = [HumanMessage("Add 3 and 4.", id="h1"),
                AIMessage("", id="a1", tool_calls=[{"name": "add", "args": {"a": 3}, "id": "c1"}], usage_metadata=usage),
                ToolMessage("3", tool_call_id="c1", id="t1")]
    values = {"messages": messages, "plan": Plan(steps=["a"]), "plans": [Plan(steps=["x"])], "obj": object()}
    shown, skipped = editable(values)
    assert skipped == ["obj"]
    assert shown == {
        "messages": [{"type": "human", "content": "Add 3 and 4.", "id": "h1"},
                     {"type": "ai", "content": "", "id": "a1",
                      "tool_calls": [{"name": "add", "args": {"a": 3}, "id": "c1", "type": "tool_call"}]},
                     {"type": "tool", "content": "3", "id": "t1", "tool_call_id": "c1"}],
        "plan": {"steps": ["a"], "done": False}, "plans": [{"steps": ["x"], "done": False}]}

    edited = json.loads(json.dumps(shown))
    del edited["messages"][1]["tool_calls"]  # the model answers instead of calling a tool
    edited["messages"][1]["content"] = "It is 7."
    edited["messages"].pop()
    edited["plan"]["done"] = True
    problem, changed = changed_keys(json.dumps(edited), shown, values)
    assert problem == "" and sorted(changed) == ["messages", "plan"]
    assert changed["plan"] == Plan(steps=["a"], done=True)
    assert changed["messages"] == [messages[0], AIMessage("It is 7.", id="a1", usage_metadata=usage)]

    edited["plan"]["done"] = "maybe"
    assert changed_keys(json.dumps(edited), shown, values) == (
        "`plan`.done: Input should be a valid boolean, unable to interpret input", {})
    edited["plan"]["done"] = True
    edited["messages"] = [{"type": "robot", "content": "x"}]
    assert changed_keys(json.dumps(edited), shown, values) == (
        "`messages`: message_from_dict: unknown message type `robot`; expected one of `system`, `human`, `ai`, "
        "`AIMessageChunk`, `tool`, `remove`", {})
    edited["messages"] = "hello"
    assert changed_keys(json.dumps(edited), shown, values) == ("`messages` must stay a JSON list, not str", {})


def test_exports_are_lazy_and_curated():
    code = ("import sys, wfkit.widgets as w\n"
            "assert 'ipywidgets' not in sys.modules, 'imported too early'\n"
            "assert w.__all__ == ['Compare', 'Debugger', 'GraphView', 'ProgressBar', 'ReviewInbox', 'ReviewPanel', 'export_html'] and dir(w) == w.__all__\n"
            "from wfkit.widgets import Debugger, ReviewPanel\n"
            "assert 'ipywidgets' in sys.modules\n"
            "print(Debugger.__module__, ReviewPanel.__module__)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "wfkit.widgets.debugger wfkit.widgets.review\n"
    import wfkit.widgets

    with pytest.raises(AttributeError) as caught:
        wfkit.widgets.Stepper
    assert str(caught.value) == "module `wfkit.widgets` has no attribute `Stepper`"


def test_the_edit_box_refuses_values_of_the_wrong_type_and_confirms_a_good_edit(flaky, text_of):
    from wfkit.widgets import Debugger

    debugger = Debugger(flaky.app, {"n": 1, "log": []}, {"configurable": {"thread_id": "box"}})
    debugger.step()
    debugger.edit_text.value = '{"n": "ten", "log": "not a list"}'
    debugger.edit_apply.click()
    assert text_of(debugger.edit_note.value) == (
        "run.edit at step 1 of thread `box`: `n` must be `int` (as state `Counter` declares it), got str 'ten'; "
        "`log` must be `list` (as state `Counter` declares it), got str 'not a list'; nothing was changed: give "
        "values of the declared types")
    assert debugger.run.state == {"n": 2, "log": ["first"]} and debugger.run.edits == []
    debugger.edit_text.value = '{"n": 10, "log": ["first"]}'
    debugger.edit_apply.click()
    assert text_of(debugger.edit_note.value) == (
        "✓ edited n at step 1: Step goes on from the edited state, on a new branch (the Step tab shows what changed)")


def test_changing_one_number_of_a_tool_call_shows_only_that_field(agent, question, text_of):
    import json

    from wfkit.widgets import Debugger

    debugger = Debugger(agent, question)
    debugger.step()
    shown = json.loads(debugger.edit_text.value)
    shown["messages"][1]["tool_calls"][0]["args"]["a"] = 30
    debugger.edit_text.value = json.dumps(shown)
    debugger.edit_apply.click()
    assert text_of(debugger.inspector.value) == (
        "step 1: the state was edited (messages) — the run is here State after step 1 (changed: messages) "
        "messages ✎ [1] ai · tool_calls[0].args.a : 3 → 30 Next tool_node because the conditional edge of "
        "llm_call chose tool_node")


def test_field_changes_find_the_smallest_difference():
    from wfkit.messages import AIMessage, HumanMessage
    from wfkit.widgets._format import field_changes

    before = [HumanMessage("hi", id="q"), AIMessage("", id="x", tool_calls=[{"name": "add", "args": {"a": 3}, "id": "c"}])]
    after = [HumanMessage("ho", id="q"), AIMessage("", id="x", tool_calls=[{"name": "add", "args": {"a": 4}, "id": "c"}])]
    assert field_changes(before, after) == [("[0] human · content", "hi", "ho"),
                                            ("[1] ai · tool_calls[0].args.a", 3, 4)]
    assert field_changes({"x": 1, "y": [1, 2]}, {"x": 1, "y": [1, 3], "z": 0}) == [("y[1]", 2, 3), ("z", "(none)", 0)]
    assert field_changes(1, 2) == [] and field_changes([1], [5, 6]) == []  # whole values: old → new
    assert field_changes(list(range(20)), [i + 1 for i in range(20)]) == []  # too many: old → new
