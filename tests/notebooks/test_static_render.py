"""Every saved notebook shows its widgets with no kernel and no network: nbconvert's HTML (what nbviewer
serves) holds, for each Debugger, ReviewPanel and GraphView output, a static snapshot with the status, the
graph picture with its marks, the timeline, the state and the review cards. tests/browser/test_static_lab.py
opens the same pages in Chromium from file:// with the network cut."""

from __future__ import annotations

import re

import nbformat
import pytest

from tests.notebooks.static_render import WIDGET_VIEW, export_html, snapshots, visible_text, widget_outputs
from tests.notebooks.test_notebooks import NOTEBOOKS


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_saved_widgets_render_statically_in_nbconvert(notebook):
    saved = widget_outputs(notebook)
    assert any(kind == "debugger" for kind, _ in saved), "every notebook shows a Debugger"
    nb = nbformat.read(notebook, as_version=4)
    assert "widgets" not in nb.metadata, "saved widget state makes nbconvert pick the (blank) live view"
    assert not [o for c in nb.cells for o in c.get("outputs", []) if WIDGET_VIEW in o.get("data", {})]

    page = export_html(notebook)
    debuggers = snapshots(page, "debugger")
    assert len(debuggers) == sum(kind == "debugger" for kind, _ in saved)
    summaries = [line for kind, line in saved if kind == "debugger"]
    for snapshot, summary in zip(debuggers, summaries):
        text = visible_text(snapshot)
        status = summary.split(": ", 1)[1]
        assert f"saved view of a Debugger: run the notebook to step it {status} " in text + " "
        assert "Timeline step 0 · input" in text
        assert re.search(r"State (after step \d+|at the input)", text), text[:400]
        assert re.search(r'<g\b[^>]*class="node wf-(current|visited|next)', snapshot), "marks on the picture"
        titles = re.findall(r'class="node[^"]*"[^>]*>\s*<title>([^<]+)</title>', snapshot)
        assert "__start__" in [t.replace("&#95;", "_") for t in titles]
    reviews = snapshots(page, "review")
    assert len(reviews) == sum(kind == "review" for kind, _ in saved)
    for snapshot in reviews:
        assert "interrupt 1 of" in visible_text(snapshot)


def test_a_waiting_review_shows_its_payload_and_answers():
    notebook = next(p for p in NOTEBOOKS if p.stem == "08_human_review")
    page = export_html(notebook)
    review = visible_text(snapshots(page, "review")[0])
    assert review.startswith("saved view of a ReviewPanel: run the notebook to answer "
                             "Review: the run is waiting for an answer interrupt 1 of 1 from human_review question Publish this joke?")
    assert "answers: Approve · Reject · Edit" in review
    waiting = [visible_text(s) for s in snapshots(page, "debugger") if "waiting for" in visible_text(s)]
    assert waiting and "answered with a Verdict form: publish , joke" in waiting[0]
