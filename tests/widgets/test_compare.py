"""`Compare(run_a, run_b)` (issue 32, item 11): two runs side by side, timelines aligned, where they
diverge, the state diff at each row, both pictures, and a sanitised static snapshot."""


import pytest

from wfkit.stepping import ArgumentTypeError
from wfkit.widgets import Compare, Debugger
from wfkit.widgets.compare import compare_rows, divergence, side_timeline

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_two_branches_of_one_run_are_aligned_and_diverge_at_the_edit(loop_app, text_of):
    run = loop_app.start({"topic": "cats"})
    run.run()
    first_try = run.checkpoint_id
    run.goto(2)
    run.edit({"n": 5})
    run.run()
    compare = Compare((run, first_try), run, labels=("first try", "edited"))
    assert compare.summary() == (
        "Compare: first try: 7 entries · edited: 6 entries · diverge at row 3 (after 3 shared)\n"
        "= 0: step 0 · input | step 0 · input\n"
        "= 1: step 1 · generate | step 1 · generate\n"
        "= 2: step 2 · evaluate | step 2 · evaluate\n"
        "> 3: step 3 · generate | step 2 · edited n · joke: 'joke 2 about cats' → 'joke 1 about cats'; n: 2 → 5\n"
        "≠ 4: step 4 · evaluate | step 3 · generate · joke: 'joke 2 about cats' → 'joke 6 about cats'; n: 2 → 6\n"
        "≠ 5: step 5 · generate | step 4 · evaluate · joke: 'joke 3 about cats' → 'joke 6 about cats'; n: 3 → 6; "
        "verdict: 'again' → 'good'\n"
        "≠ 6: step 6 · evaluate | (ended)")
    assert compare.selected == 3 and compare.row_picker.value == 3
    assert compare.view_a.current == ("generate",) and compare.view_b.current == ()  # B's row 3 is an edit
    assert compare.view_a.taken_edges == (("evaluate", "generate"),)
    row = text_of(compare.table.value)
    assert "3 diverges here step 3 · generate step 2 · edited n joke : joke 2 about cats → joke 1 about cats n : 2 → 5" in row
    assert "6 differs step 6 · evaluate (ended) edited ended" in row
    compare.row_picker.value = 6  # picking a row shows it; B ended: its last picture stays
    assert compare.selected == 6 and compare.view_b.current == ("evaluate",)
    assert text_of(compare.captions[1].value) == "edited : step 4 · evaluate"


def test_two_threads_that_agree_are_the_same_throughout(loop_app):
    a, b = loop_app.start({"topic": "cats"}), loop_app.start({"topic": "cats"})
    a.run()
    b.run()
    rows = compare_rows(side_timeline(a, "run_a")[0], side_timeline(b, "run_b")[0])
    assert [row.same for row in rows] == [True] * 7 and divergence(rows) is None
    assert Compare(a, b).summary().splitlines()[0] == "Compare: A: 7 entries · B: 7 entries · the same throughout"


def test_threads_with_different_inputs_differ_from_the_input_on(loop_app):
    a, b = loop_app.start({"topic": "cats"}), Debugger(loop_app, {"topic": "dogs", "n": 2})
    a.run()
    b.run_button.click()
    compare = Compare(a, b)
    assert compare.summary().splitlines()[:2] == [
        "Compare: A: 7 entries · B: 3 entries · differ from the input on",
        "> 0: step 0 · input | step 0 · input · topic: 'cats' → 'dogs'; n: (absent) → 2"]


def test_the_snapshot_is_sanitised_and_the_bundle_complete(loop_app):
    a = loop_app.start({"topic": "<img src=x onerror=alert(1)>"})
    b = loop_app.start({"topic": "cats"})
    a.run()
    b.run()
    compare = Compare(a, b)
    bundle = compare._repr_mimebundle_()
    assert list(bundle) == [WIDGET_VIEW, "text/html", "text/plain"]
    html = bundle["text/html"]
    assert html.startswith('<div class="wf-static wf-compare-static"')
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("<svg") == 2 and 'class="wf-compare-row wf-diverges"' in html


def test_a_side_must_be_a_run(loop_app):
    with pytest.raises(ArgumentTypeError) as caught:
        Compare(loop_app.start({}), "thread-1")
    assert str(caught.value) == ("Compare: `run_b` must be a Run (app.start(...)), a Debugger, or (run, "
                                 "checkpoint_id) for another branch of a run; got str")
