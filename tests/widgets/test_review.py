"""ReviewPanel and its model form driven from Python: payload display, approve / reject / edit, a form
from a pydantic model with inline validation errors, several interrupts answered together."""

import operator
from typing import Annotated, Any, Literal, TypedDict

import pytest
from pydantic import BaseModel, Field

from wfkit import END, START, StateGraph, interrupt
from wfkit.types import Interrupt
from wfkit.widgets import Debugger, ReviewPanel
from wfkit.widgets._form import ModelForm, field_kind


class Doc(TypedDict):
    draft: str
    verdict: Any


class Verdict(BaseModel):
    approved: bool
    score: int = Field(description="1 to 5")
    comment: str = ""
    tone: Literal["friendly", "formal"] = "friendly"
    tags: list[str] = []


def make_app(payload):
    def review(state):
        return {"verdict": interrupt(payload(state))}

    builder = StateGraph(Doc)
    builder.add_node("review", review)
    builder.add_edge(START, "review")
    builder.add_edge("review", END)
    return builder.compile()


def paused(payload):
    run = make_app(payload).start({"draft": "Cats knit."})
    run.run()
    assert run.interrupts
    return run


def test_text_payload_is_markdown_and_approve_resumes_with_true(text_of):
    run = paused(lambda s: f"Publish **{s['draft']}**?")
    panel = ReviewPanel(run)
    card = panel.cards[0]
    assert card.payload.value == '<div class="wf-payload wf-markdown"><p>Publish <strong>Cats knit.</strong>?</p></div>'
    assert card.header.value == "<b>interrupt 1 of 1</b> from <code>review</code>"
    assert [b.description for b in card.buttons.children] == ["Approve", "Reject", "Edit"]
    assert card.editor.layout.display == "none"
    card.approve_button.click()
    assert run.done and run.state == {"draft": "Cats knit.", "verdict": True}
    assert text_of(card.result.value) == "✓ answered: True"
    assert card.approve_button.disabled and card.reject_button.disabled


def test_reject_gives_the_configured_value():
    run = paused(lambda s: "ok?")
    ReviewPanel(run, reject={"approved": False, "why": "too short"}).reject()
    assert run.state["verdict"] == {"approved": False, "why": "too short"}


def test_edit_a_dict_payload_as_json(text_of):
    run = paused(lambda s: {"draft": s["draft"], "words": 2})
    panel = ReviewPanel(run)
    card = panel.cards[0]
    assert text_of(card.payload.value) == "draft Cats knit. words 2"
    card.edit_button.click()
    assert card.editor.layout.display is None
    assert card.text.value == '{\n "draft": "Cats knit.",\n "words": 2\n}'
    card.text.value = '{"draft": "Cats knit hats."'
    assert panel.submit() is False
    assert text_of(card.text_error.value) == "not valid JSON: Expecting ',' delimiter: line 1 column 28 (char 27)"
    assert not run.done
    card.text.value = '{"draft": "Cats knit hats.", "words": 3}'
    card.submit_button.click()
    assert run.state["verdict"] == {"draft": "Cats knit hats.", "words": 3}


def test_form_from_a_pydantic_model_validates_inline_and_resumes_with_an_instance():
    run = paused(lambda s: {"draft": s["draft"], "score": 3})
    panel = ReviewPanel(run, answer_model=Verdict)
    card = panel.cards[0]
    assert card.buttons.children == ()  # the answer must be a Verdict: only the form's Submit
    form = card.form
    assert list(form.inputs) == ["approved", "score", "comment", "tone", "tags"]
    assert [type(w).__name__ for w in form.inputs.values()] == ["Checkbox", "Text", "Textarea", "Dropdown",
                                                                 "Textarea"]
    assert form.inputs["score"].value == "3"  # prefilled from the payload's matching key
    assert form.inputs["tone"].options == (("friendly", "friendly"), ("formal", "formal"))
    assert form.inputs["tags"].value == "[]"

    form.inputs["score"].value = "lots"
    form.inputs["tags"].value = "[1,"
    assert panel.submit() is False
    assert form.error_texts() == {
        "score": "Input should be a valid integer, unable to parse string as an integer",
        "tags": "not valid JSON: Expecting value: line 1 column 4 (char 3)"}
    assert not run.done

    form.inputs["approved"].value = True
    form.inputs["score"].value = "5"
    form.inputs["tone"].value = "formal"
    form.inputs["tags"].value = '["short"]'
    card.submit_button.click()
    assert form.error_texts() == {}
    assert run.done
    assert run.state["verdict"] == Verdict(approved=True, score=5, comment="", tone="formal", tags=["short"])


def test_a_model_answer_is_replayed_as_a_model_after_going_back(recwarn):
    run = paused(lambda s: "Rate it")
    panel = ReviewPanel(run, answer_model=Verdict)
    panel.cards[0].form.inputs["score"].value = "2"
    panel.submit()
    run.goto(0)
    run.step()  # the stored answer is read back from the checkpointer
    assert run.state["verdict"] == Verdict(approved=False, score=2)
    # No "not registered" warning. ResourceWarnings are left out: they come from whatever object the
    # garbage collector happens to finalize during this test, not from the answer read back.
    assert [str(w.message) for w in recwarn if not issubclass(w.category, ResourceWarning)] == []


def test_answer_models_by_node_and_explicit_approve_with_a_model():
    run = paused(lambda s: "Rate it")
    panel = ReviewPanel(run, answer_model={"other": Verdict})
    assert panel.cards[0].form is None  # no model for `review`: the plain buttons
    panel = ReviewPanel(run, answer_model=Verdict, approve=Verdict(approved=True, score=5))
    assert [b.description for b in panel.cards[0].buttons.children] == ["Approve"]
    panel.approve()
    assert run.state["verdict"] == Verdict(approved=True, score=5)


def test_several_interrupts_are_answered_one_by_one_and_delivered_together():
    delivered = []
    pending = (Interrupt("first?", "i1"), Interrupt({"q": "second?"}, "i2"))
    panel = ReviewPanel(interrupts=pending, on_answer=delivered.append)
    panel.approve("i2")
    assert delivered == [] and panel.answers == {"i2": True}
    panel.approve("i2")  # a second click on an answered card changes nothing
    panel.reject(0)
    assert delivered == [{"i2": True, "i1": False}]
    assert panel.summary() == ("ReviewPanel: 2 interrupt(s), 2 answered\n"
                               "- interrupt 1: 'first?' (answered False)\n"
                               "- interrupt 2: {'q': 'second?'} (answered True)")


def test_display_without_a_widget_front_end():
    panel = ReviewPanel(interrupts=(Interrupt("Publish?", "i1"),), on_answer=lambda answers: None)
    bundle = panel._repr_mimebundle_()
    assert list(bundle) == ["application/vnd.jupyter.widget-view+json", "text/html", "image/svg+xml", "text/plain"]
    assert bundle["text/plain"] == "ReviewPanel: 1 interrupt(s), 0 answered\n- interrupt 1: 'Publish?' (waiting)"
    assert "<text x=\"12\" y=\"44\" font-size=\"12\">- interrupt 1: &#x27;Publish?&#x27; (waiting)</text>" in bundle[
        "image/svg+xml"]


def test_mistakes_are_named():
    with pytest.raises(TypeError) as caught:
        ReviewPanel()
    assert str(caught.value) == ("ReviewPanel needs the run whose interrupts to answer (ReviewPanel(run)) or the "
                                 "interrupts themselves (ReviewPanel(interrupts=..., on_answer=...))")
    run = make_app(lambda s: "x").start({"draft": "d"})
    with pytest.raises(ValueError) as caught:
        ReviewPanel(run)
    assert str(caught.value) == ("ReviewPanel: nothing to review, the run has no pending interrupt (step it until "
                                 "run.interrupts is not empty)")
    with pytest.raises(KeyError) as caught:
        ReviewPanel(interrupts=(Interrupt("x", "i1"),), on_answer=print).card("nope")
    assert caught.value.args[0] == "no pending interrupt `nope`; pending: i1"
    with pytest.raises(TypeError) as caught:
        ModelForm(dict)
    assert str(caught.value) == "ModelForm needs a pydantic model class, got <class 'dict'>"


def test_field_kinds():
    assert field_kind(bool) == ("bool", (), False)
    assert field_kind(int | None) == ("number", (), True)
    assert field_kind(Literal["a", "b"]) == ("choice", ("a", "b"), False)
    assert field_kind(list[str]) == ("json", (), False)
    assert field_kind(str | int) == ("json", (), False)


def test_the_debugger_passes_its_answer_model_to_the_panel():
    app = make_app(lambda s: {"draft": s["draft"], "score": 4})
    debugger = Debugger(app, {"draft": "Cats knit."}, answer_model=Verdict)
    debugger.run_all()
    form = debugger.review.cards[0].form
    form.inputs["approved"].value = True
    debugger.review.submit()
    assert debugger.run.done and debugger.run.state["verdict"] == Verdict(approved=True, score=4)
    assert debugger.status_text() == "step 1 · finished"


def test_a_standalone_panel_exposes_the_resume_it_started():
    import asyncio

    async def cell():
        run = paused(lambda s: "ok?")
        panel = ReviewPanel(run)
        assert panel.pending is None
        panel.approve()
        assert isinstance(panel.pending, asyncio.Task)
        await panel.pending
        return run

    run = asyncio.run(cell())
    assert run.done and run.state == {"draft": "Cats knit.", "verdict": True}


def test_the_debuggers_step_panel_shows_a_text_payload_as_markdown_too():
    from wfkit.widgets import Debugger

    debugger = Debugger(make_app(lambda s: f"Publish **{s['draft']}**?"), {"draft": "Cats knit."})
    debugger.run_all()
    note = debugger.inspector.value.split('<div class="wf-interrupt-note">')[1]
    assert note.startswith("interrupt <code>") and note.split("</code>: ")[1].startswith(
        '<div class="wf-payload wf-markdown"><p>Publish <strong>Cats knit.</strong>?</p></div>')
    assert debugger.status_text() == "step 1 · waiting for 1 answer(s)"
    assert [label for label, _ in debugger.timeline_view.options][-1] == "▶ step 1 · review · interrupted"


# -- an answer the node raises on (issue 31): the card shows why and takes a new answer -----------------------

def strict_app(*names):
    def review(state):
        answer = interrupt({"draft": state["draft"]})
        return {"verdict": [answer["draft"]]}  # KeyError for an edit that dropped "draft"

    class Reviewed(TypedDict):
        draft: str
        verdict: Annotated[list, operator.add]

    builder = StateGraph(Reviewed)
    for name in names or ("review",):
        builder.add_node(name, review)
        builder.add_edge(START, name)
    return builder.compile()


def rejected_text(run, node="review"):
    (pending,) = [i for i in run.interrupts if i.id.endswith(f":{node}")]
    return (f"AnswerRejectedError: node `{node}` raised KeyError: 'draft' on the answer to interrupt `{pending.id}`; "
            "nothing was kept and the run still waits there for another answer: give a better one with "
            "run.resume(value)")


def test_an_answer_the_node_raises_on_reopens_its_card_with_the_error_under_it(text_of):
    run = strict_app().start({"draft": "Cats knit."})
    run.run()
    (pending,) = run.interrupts
    panel = ReviewPanel(run)
    card = panel.cards[0]
    card.edit_button.click()
    card.text.value = '{"text": "<script>alert(1)</script>"}'
    card.submit_button.click()
    assert run.interrupts == (pending,) and run.status == "interrupted" and run.state == {"draft": "Cats knit.",
                                                                                          "verdict": []}
    assert not card.answered and not panel.delivered and panel.answers == {}
    assert [b.disabled for b in (card.approve_button, card.reject_button, card.edit_button, card.submit_button)] == [
        False, False, False, False]
    assert card.editor.layout.display is None and card.text.value == '{"text": "<script>alert(1)</script>"}'
    shown = text_of(card.result.value)
    assert shown.startswith("✗ not taken: {'text': '<script>alert(1)</script>'} the node raised on this answer; "
                            "the interrupt still waits for another Traceback")
    assert rejected_text(run) in shown and "✓ answered" not in shown
    assert "<script>" not in card.result.value and "&lt;script&gt;alert(1)&lt;/script&gt;" in card.result.value
    assert panel.status.value == "<i>the run did not take the answer and still waits: answer again</i>"
    assert panel.summary() == ("ReviewPanel: 1 interrupt(s), 0 answered\n"
                               "- interrupt 1 from review: {'draft': 'Cats knit.'} (waiting)")
    saved = text_of(panel._repr_mimebundle_()["text/html"])  # the notebook's saved view shows it too
    assert "answers: Approve · Reject · Edit ✗ not taken: {'text': '<script>alert(1)</script>'}" in saved
    assert rejected_text(run) in saved
    fresh = ReviewPanel(run)  # a new panel shows the interrupt that still waits
    assert [c.interrupt for c in fresh.cards] == [pending]

    card.text.value = '{"draft": "Cats purl."}'
    card.submit_button.click()
    assert run.done and run.state == {"draft": "Cats knit.", "verdict": ["Cats purl."]}
    assert text_of(card.result.value) == "✓ answered: {'draft': 'Cats purl.'}"
    assert panel.status.value == "<i>resumed: the run is done</i>"


def test_of_several_answers_only_the_rejected_ones_are_asked_again(text_of):
    run = strict_app("x", "y").start({"draft": "Cats knit."})
    run.run()
    ix, iy = run.interrupts
    panel = ReviewPanel(run)
    panel.answer(0, {"draft": "X"})
    panel.answer(1, {"text": "no draft"})
    assert run.interrupts == (iy,)
    assert [c.answered for c in panel.cards] == [True, False]
    assert text_of(panel.cards[0].result.value) == "✓ answered: {'draft': 'X'}"
    assert rejected_text(run, "y") in text_of(panel.cards[1].result.value)
    panel.answer(1, {"draft": "Y"})  # only y's answer goes to the run: x's was taken already
    assert run.done and run.state == {"draft": "Cats knit.", "verdict": ["X", "Y"]}


def test_the_debuggers_review_takes_a_new_answer_after_the_node_raised_on_one(text_of):
    debugger = Debugger(strict_app(), {"draft": "Cats knit."})
    debugger.run_all()
    panel = debugger.review
    panel.approve()  # True: the node cannot read a draft from it
    assert debugger.review is panel and debugger.error is None and debugger.error_view.value == ""
    card = panel.cards[0]
    assert not card.answered and not card.approve_button.disabled
    assert text_of(card.result.value).startswith("✗ not taken: True the node raised on this answer; the interrupt "
                                                 "still waits for another Traceback")
    assert "TypeError: 'bool' object is not subscriptable" in text_of(card.result.value)
    assert debugger.status_text() == ("step 1 · waiting for 1 answer(s) · the answer was not taken (see the "
                                      "review panel)")
    assert debugger.review_box.children == (panel,)
    panel.answer(0, {"draft": "Cats purl."})
    assert debugger.run.done and debugger.run.state == {"draft": "Cats knit.", "verdict": ["Cats purl."]}
    assert debugger.review is None and debugger.status_text() == "step 1 · finished"


def looping_app():
    """`review` asks until it gets True; a False sends the draft through `improve` and back to `review`."""

    def review(state):
        return {"verdict": interrupt({"draft": state["draft"]})}

    def improve(state):
        return {"draft": state["draft"] + "!"}

    builder = StateGraph(Doc)
    builder.add_node("review", review)
    builder.add_node("improve", improve)
    builder.add_edge(START, "review")
    builder.add_conditional_edges("review", lambda s: END if s["verdict"] is True else "improve", ["improve", END])
    builder.add_edge("improve", "review")
    return builder.compile()


def test_after_reject_the_panel_offers_the_new_interrupt_to_answer(text_of):
    run = looping_app().start({"draft": "Cats knit."})
    run.run()
    panel = ReviewPanel(run)
    first = panel.cards[0]
    first.reject_button.click()
    assert run.interrupts and run.interrupts[0].value == {"draft": "Cats knit.!"}
    assert panel.status.value == ("<i>resumed, and the run paused again: it waits for an answer to the new "
                                  "interrupt above</i>")
    card = panel.cards[0]
    assert card is not first and card.interrupt == run.interrupts[0]
    assert list(panel.children) == [panel.title, card, panel.status]
    assert not card.approve_button.disabled and panel.answers == {}
    assert text_of(card.payload.value) == "draft Cats knit.!"
    card.approve_button.click()
    assert run.done and run.state == {"draft": "Cats knit.!", "verdict": True}
    assert panel.status.value == "<i>resumed: the run is done</i>"
