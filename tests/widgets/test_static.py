"""Each widget answers text/html with a static snapshot of what it shows (for GitHub, nbviewer, nbconvert),
built from its own views and sanitised."""

from wfkit.widgets import Debugger, GraphView, ReviewPanel


def test_the_debugger_snapshot_says_what_the_live_widget_shows(agent, question, text_of):
    debugger = Debugger(agent, question)
    debugger.step()
    bundle = debugger._repr_mimebundle_()
    assert list(bundle)[1:] == ["text/html", "image/svg+xml", "text/plain"]
    snapshot = bundle["text/html"]
    assert snapshot.startswith('<div class="wf-static wf-debugger-static"')
    shown = text_of(snapshot)
    assert shown.startswith("saved view of a Debugger: run the notebook to step it step 1 · paused; next: tool_node")
    assert "Timeline step 0 · input ▶ step 1 · llm_call" in shown
    assert text_of(debugger.inspector.value) in shown  # the inspector as it is, state and changes included
    assert 'class="node wf-current"' in snapshot and "<title>llm_call</title>" in snapshot
    assert "<li style=\"font-weight:bold\">▶ step 1 · llm_call</li>" in snapshot  # the selected step


def test_the_review_snapshot_lists_payload_and_answers(review_app, text_of):
    run = review_app.start({"topic": "cats", "notes": []})
    run.run()
    panel = ReviewPanel(run)
    snapshot = panel._repr_mimebundle_(include=["text/html"])["text/html"]
    assert text_of(snapshot).startswith("saved view of a ReviewPanel: run the notebook to answer "
                                        "Review: the run is waiting for an answer interrupt 1 of 2")
    assert text_of(snapshot).count("answers: Approve · Reject · Edit") == 2
    panel.approve(0)
    assert "✓ answered: True" in text_of(panel._repr_mimebundle_()["text/html"])


def test_the_graph_snapshot_keeps_marks_and_legend(agent):
    view = GraphView(agent)
    view.mark(current="llm_call")
    snapshot = view._repr_mimebundle_(include=["text/html"])["text/html"]
    assert 'class="node wf-current"' in snapshot and 'class="wf-legend"' in snapshot
