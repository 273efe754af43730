"""`export_html(run, path)` (issue 32, item 12): one standalone file that replays a run step by step with
the picture, the timeline and the state; nothing external, run data sanitised, secrets redacted."""

import json
import re

import pytest

from wfkit.stepping import ArgumentTypeError
from wfkit.widgets import Debugger, export_html
from wfkit.widgets._export import export_steps

KEY = "sk-ant-test-0123456789abcdef"


def embedded_steps(text: str) -> list[dict]:
    data = re.search(r'<script type="application/json" id="wf-steps">(.*?)</script>', text, re.S)[1]
    return json.loads(data)


def test_the_file_holds_every_step_with_its_picture_timeline_and_state(loop_app, tmp_path):
    run = loop_app.start({"topic": "cats"})
    run.run()
    path = export_html(run, tmp_path / "run.html")
    text = path.read_text(encoding="utf-8")
    steps = embedded_steps(text)
    assert [s["title"] for s in steps] == ["step 0 · input", "step 1 · generate", "step 2 · evaluate",
                                           "step 3 · generate", "step 4 · evaluate", "step 5 · generate",
                                           "step 6 · evaluate"]
    assert re.findall(r'<li>(step [^<]*)</li>', text) == [s["title"] for s in steps]
    assert [re.findall(r'data-key="(\w+)"', s["state"]) for s in steps] == (
        [["topic"], ["topic", "joke", "n"]] + [["topic", "joke", "n", "verdict"]] * 5)
    assert "joke 2 about cats" in steps[3]["state"] and "joke 2 about cats" not in steps[2]["state"]
    # the picture of step 3: generate ran (current), the loop's edge into it taken, its path counted
    def marked(kind, mark):
        return re.findall(rf'class="{kind} wf-{mark}">\s*<title>([^<]*)</title>', steps[3]["picture"])

    assert marked("node", "current") == ["generate"] and marked("node", "next") == ["evaluate"]
    assert marked("edge", "taken") == ["evaluate:e-&gt;generate:e"]  # the loop edge, drawn round the side
    assert marked("edge", "path") == ["__start__-&gt;generate"]
    assert marked("edge", "chosen") == ["generate-&gt;evaluate"]
    assert marked("edge", "not-taken") == ["evaluate-&gt;__end__"]
    assert "<code>generate</code> because the conditional edge of <code>evaluate</code> chose <code>generate</code>" \
        in steps[3]["why"]


def test_the_file_loads_nothing_from_anywhere(loop_app, tmp_path):
    run = loop_app.start({"topic": "cats"})
    run.run()
    text = export_html(run, tmp_path / "run.html").read_text(encoding="utf-8")
    assert re.findall(r"https?://", text) == []
    assert re.findall(r"""\b(?:src|href)\s*=""", text) == []
    assert "<link" not in text and "@import" not in text and "url(" not in text


def test_run_data_is_sanitised_and_secrets_redacted(loop_app, tmp_path, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    topic = f'</script><script>alert(1)</script><img src=x onerror=alert(2)> {KEY}'
    run = loop_app.start({"topic": topic})
    run.run()
    text = export_html(run, tmp_path / "run.html").read_text(encoding="utf-8")
    assert KEY not in text
    assert text.count("<script") == 2  # the data island and wfkit's own script: none from the run's data
    states = "".join(s["state"] for s in embedded_steps(text))
    assert "<img" not in states and "&lt;img src=x onerror=alert(2)&gt;" in states  # shown as text
    assert "[redacted]" in embedded_steps(text)[0]["state"]


def test_a_debugger_can_be_exported_and_anything_else_is_refused(loop_app, tmp_path):
    debugger = Debugger(loop_app, {"topic": "cats"})
    debugger.step_button.click()
    steps = embedded_steps(export_html(debugger, tmp_path / "d.html").read_text(encoding="utf-8"))
    assert [s["title"] for s in steps] == ["step 0 · input", "step 1 · generate"]
    with pytest.raises(ArgumentTypeError) as caught:
        export_html(loop_app, tmp_path / "x.html")
    assert str(caught.value) == ("export_html(run, path): `run` must be a Run (app.start(...)) or a Debugger, got "
                                 "CompiledStateGraph")


def test_an_edit_is_a_step_of_the_replay(loop_app):
    run = loop_app.start({"topic": "cats"})
    run.step()
    run.edit({"topic": "dogs"})
    run.run()
    steps = export_steps(run)
    assert [s["title"] for s in steps] == ["step 0 · input", "step 1 · generate", "step 1 · edited topic",
                                           "step 2 · evaluate", "step 3 · generate", "step 4 · evaluate",
                                           "step 5 · generate", "step 6 · evaluate"]
    assert "joke 2 about dogs" in steps[4]["state"]
