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


def test_exports_are_lazy_and_curated():
    code = ("import sys, wfkit.widgets as w\n"
            "assert 'ipywidgets' not in sys.modules, 'imported too early'\n"
            "assert w.__all__ == ['Debugger', 'GraphView', 'ReviewPanel'] and dir(w) == w.__all__\n"
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
