"""Run data in the widgets (issue 31): API keys never reach a widget's values, its saved snapshot or a
checkpoint; a text of megabytes is cut (with a way to see it all live); a value nested 2,000 levels deep
renders. No browser: the tests read the widgets' values and `_repr_mimebundle_`."""

from __future__ import annotations

import ipywidgets
import pytest
from typing import Any, TypedDict

from wfkit import END, START, StateGraph, interrupt
from wfkit.checkpoint import InMemorySaver
from wfkit.llm import Claude, ScriptedModel
from wfkit.widgets import Debugger, ReviewPanel
from wfkit.types import Interrupt
from wfkit.widgets._format import MAX_TEXT, diff_html, traceback_text, short, state_table_html, value_html


class S(TypedDict):
    reply: str
    answer: Any


def widget_texts(widget) -> list[str]:
    """Every text a widget and its children send to the front end: values, labels, descriptions."""
    out, todo = [], [widget]
    while todo:
        w = todo.pop()
        for name in ("value", "description", "tooltip", "placeholder"):
            value = getattr(w, name, None)
            if isinstance(value, str):
                out.append(value)
        out += [str(label) for label, _ in getattr(w, "options", ()) or ()] if isinstance(w, ipywidgets.Select) else []
        todo += [c for c in getattr(w, "children", ()) if isinstance(c, ipywidgets.Widget)]
    return out


def leaky_app(key: str, saver=None):
    """Its model repeats the key, it asks a question holding the key, then fails with the key in its error."""
    model = ScriptedModel([f"Sure, your key is {key}."])

    def talk(state):
        return {"reply": model.invoke("what is my key?").content}

    def ask(state):
        return {"answer": interrupt({"question": f"Send {key} on?", "raw": key})}

    def fail(state):
        raise RuntimeError(f"the server refused the key {key}")

    builder = StateGraph(S)
    for name, fn in (("talk", talk), ("ask", ask), ("fail", fail)):
        builder.add_node(name, fn)
    builder.add_edge(START, "talk")
    builder.add_edge("talk", "ask")
    builder.add_edge("ask", "fail")
    builder.add_edge("fail", END)
    return builder.compile(checkpointer=saver)


@pytest.mark.parametrize("given", ["env", "api_key"])
def test_a_key_in_a_reply_a_payload_or_an_error_never_reaches_the_widgets_or_checkpoints(given, monkeypatch, text_of):
    key = f"sk-ant-api03-widget-test-{given}-0123456789"
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    if given == "env":
        monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    else:
        Claude(api_key=key)  # the key is known only because the model was built with it
    saver = InMemorySaver()
    config = {"configurable": {"thread_id": f"leak-{given}"}}
    debugger = Debugger(leaky_app(key, saver), {"reply": "", "answer": None}, config)
    debugger.step()
    debugger.step()  # `ask` interrupts: the review panel shows the payload
    panel = debugger.review
    assert isinstance(panel, ReviewPanel)
    seen = {"after the interrupt": widget_texts(debugger) + [debugger._repr_mimebundle_()["text/html"],
                                                             debugger._repr_mimebundle_()["text/plain"],
                                                             panel._repr_mimebundle_()["text/html"],
                                                             panel._repr_mimebundle_()["image/svg+xml"]]}
    panel.approve(0)  # resumes: `fail` raises, and the error box shows its traceback
    assert debugger.error is not None and key in str(debugger.error)
    seen["after the error"] = widget_texts(debugger) + [debugger._repr_mimebundle_()["text/html"]]
    for when, texts in seen.items():
        assert [t for t in texts if key in t] == [], when
    snapshot = debugger._repr_mimebundle_()["text/html"]
    assert "RuntimeError: the server refused the key [redacted]" in text_of(snapshot)
    debugger.select(1)  # the model's reply, in the state and in the model call
    assert text_of(debugger.inspector.value).count("Sure, your key is [redacted].") == 3  # call, write, state
    assert 'Send [redacted] on?' in text_of(seen["after the interrupt"][-2])
    stored = [repr((c.values, c.tasks)) for c in debugger.app.get_state_history(config)]
    assert [s for s in stored if key in s] == [] and any("[redacted]" in s for s in stored)


def test_the_edit_box_shows_the_state_redacted_and_an_untouched_key_is_not_written_back(monkeypatch, agent):
    key = "sk-ant-api03-edit-box-0123456789"
    monkeypatch.setenv("ANTHROPIC_API_KEY", key)
    debugger = Debugger(leaky_app(key), {"reply": f"typed {key}", "answer": None})
    assert debugger.edit_text.value == '{\n "reply": "typed [redacted]",\n "answer": null\n}'
    debugger.edit_text.value = debugger.edit_text.value.replace("null", "2")
    debugger.edit_apply.click()
    assert debugger.run.state == {"reply": f"typed {key}", "answer": 2}  # only the key that was edited


def big_app(payload: Any, message: str, deep: Any):
    def ask(state):
        return {"answer": interrupt(payload), "reply": "asked"}

    def fail(state):
        raise ValueError(message)

    builder = StateGraph(S)
    builder.add_node("ask", ask)
    builder.add_node("fail", fail)
    builder.add_edge(START, "ask")
    builder.add_edge("ask", "fail")
    builder.add_edge("fail", END)
    return builder.compile()


def html_sizes(debugger) -> tuple[int, int]:
    live = sum(len(t) for t in widget_texts(debugger) if "<" in t)
    return live, len(debugger._repr_mimebundle_()["text/html"])


def test_a_5_mb_payload_and_error_are_cut_in_the_widgets_and_shown_whole_on_demand(text_of):
    payload, message = "p" * 5_000_000, "e" * 5_000_000
    debugger = Debugger(big_app(payload, message, None), {"reply": "", "answer": None})
    debugger.step()
    card = debugger.review.cards[0]
    assert text_of(card.payload.value) == "p" * MAX_TEXT + " … 4,980,000 more characters (a live widget shows them with Show all)"
    assert card.show_all_button in card.buttons.children
    live, saved = html_sizes(debugger)
    # the payload shows twice (the review card, the paused step's interrupt note), each cut at 20,000 characters
    assert live < 2 * MAX_TEXT + 30_000 and saved < 2 * MAX_TEXT + 30_000
    card.show_all()
    assert payload in card.payload.value  # the live card, on demand: all of it
    assert html_sizes(debugger)[1] == saved  # the saved snapshot stays cut
    debugger.review.approve(0)
    assert isinstance(debugger.error, ValueError)
    shown = text_of(debugger.error_view.value)
    cut = len(traceback_text(debugger.error)) - MAX_TEXT
    assert shown.endswith(f"e … {cut:,} more characters (a live widget shows them with Show all)") and cut > 4_980_000
    assert len(debugger.error_view.value) < MAX_TEXT + 3_000
    assert len(debugger._repr_mimebundle_()["text/html"]) < 2 * MAX_TEXT + 30_000
    debugger.show_all.value = True  # the Debugger's Show all: the whole error, live
    assert message in debugger.error_view.value
    assert len(debugger._repr_mimebundle_()["text/html"]) < 2 * MAX_TEXT + 30_000  # the saved view stays cut


def nested(levels: int) -> list:
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


def test_values_nested_2000_levels_deep_render_in_the_live_widget_and_the_snapshot(text_of):
    deep = {"tree": nested(2000)}
    note = "… deeper levels not shown ( [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...]]]]]]]]]]]]]]]]]]]]]]]]]… )"
    assert text_of(value_html(deep)) == "tree " + note
    assert text_of(state_table_html(deep, {"tree": []}, ("tree",))) == "tree ✎ +1 appended " + note
    # comparing the kept part runs out of stack: shown as old → new rather than raising
    assert text_of(diff_html([nested(2000)], [nested(2000), 1])) == f"{note} → {note} 1"
    assert short(deep, 30) == "{'tree': [[[[[[[[[[[[[[[[[[[[…"
    answers = []
    panel = ReviewPanel(interrupts=[Interrupt(deep, id="i1")], on_answer=answers.append)
    card = panel.cards[0]
    assert text_of(card.payload.value) == "tree " + note and card.text.value == ""
    assert text_of(panel._repr_mimebundle_()["text/html"]).count(note) == 1
    panel.approve(0)
    assert answers == [{"i1": True}] and panel.summary() == (
        "ReviewPanel: 1 interrupt(s), 1 answered\n- interrupt 1: {'tree': [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...]]]]]]]]]]]]]"
        "]]]]]]]]]]]]]]… (answered True)")


def test_the_depth_cap_is_shown_with_the_start_of_what_it_leaves_out(text_of):
    assert text_of(value_html(nested(9))) == "… deeper levels not shown ( [[[]]] )"
    assert text_of(value_html({"a": "x" * (MAX_TEXT + 5)})) == (
        "a " + "x" * MAX_TEXT + " … 5 more characters (a live widget shows them with Show all)")
