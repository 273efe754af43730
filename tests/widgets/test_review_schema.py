"""The ReviewPanel's form for an interrupt that declares its answer's type (`interrupt(value,
response_schema=...)`): built from the JSON Schema the interrupt carries, one input per property by its type,
validated before sending, and the answer validated by the engine into the declared type."""

from enum import Enum
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from wfkit import START, StateGraph, interrupt
from wfkit.types import Interrupt
from wfkit.widgets import ReviewPanel
from wfkit.widgets._schema_form import model_from_schema


class Tone(str, Enum):
    friendly = "friendly"
    formal = "formal"


class Decision(BaseModel):
    approved: bool
    score: int
    weight: float = 1.0
    comment: str | None = None
    tone: Tone = Tone.friendly
    tags: list[str] = []


class Doc(TypedDict):
    draft: str
    verdict: Any


def paused(schema=Decision):
    def review(state):
        return {"verdict": interrupt({"draft": state["draft"], "score": 3}, response_schema=schema)}

    run = StateGraph(Doc).add_node("review", review).add_edge(START, "review").compile().start({"draft": "Cats."})
    run.run()
    assert run.interrupts
    return run


def pydantic_msg(schema, value) -> str:
    try:
        TypeAdapter(schema).validate_python(value)
    except ValidationError as exc:
        return exc.errors()[0]["msg"]
    raise AssertionError("valid")


def test_the_card_builds_its_form_from_the_response_schema_by_field_type_and_the_node_gets_the_typed_answer():
    run = paused()
    card = ReviewPanel(run).cards[0]
    assert card.buttons.children == ()  # a typed answer: only the form's Submit
    assert card.editor.layout.display is None  # the form shows at once
    form = card.form
    assert list(form.inputs) == ["approved", "score", "weight", "comment", "tone", "tags"]
    assert [type(w).__name__ for w in form.inputs.values()] == ["Checkbox", "Text", "Text", "Textarea", "Dropdown",
                                                                 "Textarea"]
    assert form.inputs["score"].value == "3"  # prefilled from the payload's matching key
    assert form.inputs["weight"].value == "1.0"  # the schema's default
    assert form.inputs["tone"].options == (("friendly", "friendly"), ("formal", "formal"))

    form.inputs["score"].value = "lots"
    assert card.panel.submit() is False  # validated before sending: the run still waits
    assert form.error_texts() == {"score": pydantic_msg(int, "lots")}
    assert not run.done

    form.inputs["approved"].value = True
    form.inputs["score"].value = "5"
    form.inputs["tone"].value = "formal"
    form.inputs["tags"].value = '["short"]'
    card.submit_button.click()
    assert form.error_texts() == {}
    assert run.done
    assert run.state["verdict"] == Decision(approved=True, score=5, weight=1.0, comment="", tone=Tone.formal,
                                            tags=["short"])


def test_a_typeddict_schema_gives_a_plain_dict_answer():
    class Answer(TypedDict):
        approved: bool

    run = paused(Answer)
    card = ReviewPanel(run).cards[0]
    assert list(card.form.inputs) == ["approved"]
    card.form.inputs["approved"].value = True
    card.submit_button.click()
    assert run.state["verdict"] == {"approved": True}


def test_model_from_schema_maps_json_types_and_leaves_non_objects_to_the_text_editor():
    model = model_from_schema({"type": "object", "required": ["n"], "properties": {
        "n": {"type": "integer"}, "x": {"type": "number", "default": 2.5}, "ok": {"type": "boolean", "default": False},
        "kind": {"enum": ["a", "b"], "default": "a"}, "any": {"type": "array"}}})
    assert {name: (info.annotation, info.is_required(), info.default if not info.is_required() else None)
            for name, info in model.model_fields.items()} == {
        "n": (int, True, None), "x": (float, False, 2.5), "ok": (bool, False, False),
        "kind": (model.model_fields["kind"].annotation, False, "a"), "any": (Any, False, None)}
    assert model.model_fields["kind"].annotation.__args__ == ("a", "b")
    assert model_from_schema(None) is None and model_from_schema({"type": "string"}) is None
    # a JSON Schema given without a type: the card keeps its buttons and text editor
    card = ReviewPanel(interrupts=[Interrupt("ok?", "i", response_schema={"type": "string"})],
                       on_answer=lambda answers: None).cards[0]
    assert card.form is None and [b.description for b in card.buttons.children] == ["Approve", "Reject", "Edit"]
