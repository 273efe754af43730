"""Typed answers (issue 29 item 6): `interrupt(value, response_schema=...)` surfaces the answer's JSON Schema on
the `Interrupt`, stores it with the checkpoint as plain data, validates the answer into the schema's type, and
an answer that does not fit is refused naming the interrupt and the field, with the interrupt still waiting."""

import json
from dataclasses import dataclass
from typing import Any, Callable

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from wfkit import START, Command, Interrupt, SqliteSaver, StateGraph, interrupt
from wfkit.errors import AnswerSchemaError, ArgumentTypeError, InvalidResumeError, is_invalid_resume


class Decision(BaseModel):
    approved: bool
    note: str | None = None


class DecisionDict(TypedDict):
    approved: bool


@dataclass
class DecisionData:
    approved: bool


DECISION_SCHEMA = {
    "properties": {"approved": {"title": "Approved", "type": "boolean"},
                   "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None, "title": "Note"}},
    "required": ["approved"], "title": "Decision", "type": "object"}
RAW_SCHEMA = {"type": "object", "properties": {"approved": {"type": "boolean"}}}


class S(TypedDict):
    answer: Any


def review_graph(saver, schema=Decision):
    def node(state):
        return {"answer": interrupt("approve?", response_schema=schema)}

    return StateGraph(S).add_node("node", node).add_edge(START, "node").compile(checkpointer=saver)


def cfg(thread="t"):
    return {"configurable": {"thread_id": thread}}


def pydantic_msg(schema, value) -> str:
    """pydantic's own wording for the first problem (the tests never spell a dependency's message)."""
    with pytest.raises(ValidationError) as exc:
        TypeAdapter(schema).validate_python(value)
    return exc.value.errors()[0]["msg"]


def test_the_interrupt_carries_the_json_schema_of_its_response_schema_in_the_stream_and_the_state(saver):
    graph = review_graph(saver)
    [chunk] = graph.stream({"answer": None}, cfg())
    [pending] = chunk["__interrupt__"]
    assert pending == Interrupt("approve?", pending.id, response_schema=DECISION_SCHEMA)
    assert graph.get_state(cfg()).interrupts == (pending,)
    assert graph.get_state(cfg()).tasks[0].interrupts == (pending,)
    assert repr(Interrupt("q", "i")) == "Interrupt(value='q', id='i', response_schema=None)"


@pytest.mark.parametrize(("schema", "surfaced", "answer"), [
    (None, None, {"approved": True, "extra": 1}),
    (RAW_SCHEMA, RAW_SCHEMA, {"approved": True, "extra": 1}),  # a JSON Schema dict is shown, not validated
    (Decision, DECISION_SCHEMA, Decision(approved=True)),
    (DecisionDict, {"properties": {"approved": {"title": "Approved", "type": "boolean"}}, "required": ["approved"],
                    "title": "DecisionDict", "type": "object"}, {"approved": True}),
    (DecisionData, {"properties": {"approved": {"title": "Approved", "type": "boolean"}}, "required": ["approved"],
                    "title": "DecisionData", "type": "object"}, DecisionData(approved=True)),
], ids=["none", "json_schema", "pydantic", "typeddict", "dataclass"])
def test_the_node_gets_the_answer_validated_into_the_schemas_type(saver, schema, surfaced, answer):
    graph = review_graph(saver, schema)
    graph.invoke({"answer": None}, cfg())
    assert graph.get_state(cfg()).interrupts[0].response_schema == surfaced
    assert graph.invoke(Command(resume={"approved": True, "extra": 1}), cfg()) == {"answer": answer}


@pytest.mark.parametrize("by_id", [False, True])
def test_an_answer_that_does_not_fit_is_refused_naming_the_interrupt_and_field_and_the_interrupt_waits(saver, by_id):
    graph = review_graph(saver)
    graph.invoke({"answer": None}, cfg())
    [pending] = graph.get_state(cfg()).interrupts
    before = len(list(graph.get_state_history(cfg())))

    def resume(value):
        return Command(resume={pending.id: value} if by_id else value)

    with pytest.raises(AnswerSchemaError) as exc:
        graph.invoke(resume({"approved": "nope", "note": 3}), cfg())
    error = exc.value
    assert isinstance(error, ValidationError) and isinstance(error, InvalidResumeError)
    assert is_invalid_resume(error)
    bool_msg = pydantic_msg(bool, "nope")
    str_msg = pydantic_msg(str, 3)
    assert str(error) == (
        f"the answer to interrupt `{pending.id}` does not fit its response_schema `Decision`: `approved`: "
        f"{bool_msg} (given 'nope'); `note`: {str_msg} (given 3). Nothing was kept and the interrupt still "
        f"waits: resume again with Command(resume={{{pending.id!r}: <an answer that fits Decision>}})")
    assert [(e["loc"], e["input"]) for e in error.errors()] == [(("approved",), "nope"), (("note",), 3)]
    # nothing kept: the same interrupt waits, no checkpoint was added, and a good answer goes through
    state = graph.get_state(cfg())
    assert (state.next, state.interrupts, len(list(graph.get_state_history(cfg())))) == (("node",), (pending,), before)
    assert graph.invoke(resume({"approved": False}), cfg()) == {"answer": Decision(approved=False)}


def test_an_answer_of_the_wrong_kind_altogether_is_refused_as_the_answer():
    from wfkit import InMemorySaver

    graph = review_graph(InMemorySaver(), DecisionData)
    graph.invoke({"answer": None}, cfg())
    [pending] = graph.get_state(cfg()).interrupts
    with pytest.raises(AnswerSchemaError) as exc:
        graph.invoke(Command(resume="yes"), cfg())
    msg = pydantic_msg(DecisionData, "yes")
    assert str(exc.value) == (
        f"the answer to interrupt `{pending.id}` does not fit its response_schema `DecisionData`: the answer: "
        f"{msg} (given 'yes'). Nothing was kept and the interrupt still waits: resume again with "
        f"Command(resume={{{pending.id!r}: <an answer that fits DecisionData>}})")


def test_the_second_interrupt_of_a_node_validates_its_own_answer_after_the_first_was_taken(saver):
    def node(state):
        first = interrupt("first")
        second = interrupt("approve?", response_schema=Decision)
        return {"answer": [first, second]}

    graph = StateGraph(S).add_node("node", node).add_edge(START, "node").compile(checkpointer=saver)
    graph.invoke({"answer": None}, cfg())
    graph.invoke(Command(resume="ok"), cfg())
    with pytest.raises(AnswerSchemaError):
        graph.invoke(Command(resume={"approved": "nope"}), cfg())
    assert [i.value for i in graph.get_state(cfg()).interrupts] == ["approve?"]
    assert graph.invoke(Command(resume={"approved": True}), cfg()) == {"answer": ["ok", Decision(approved=True)]}


def test_the_response_schema_is_stored_as_json_and_read_back_by_a_program_without_the_class(tmp_path):
    import sqlite3

    path = str(tmp_path / "c.db")
    saver = SqliteSaver(path)
    review_graph(saver).invoke({"answer": None}, cfg())
    saver.close()
    [payload] = sqlite3.connect(path).execute("select payload from writes where key = '__interrupt__'").fetchone()
    # the JSON Schema as plain JSON, not the class
    assert json.loads(payload)[3] == [{"value": "approve?", "id": json.loads(payload)[0], "response_schema": DECISION_SCHEMA}]
    reread = review_graph(SqliteSaver(path), schema=None)
    assert reread.get_state(cfg()).interrupts[0].response_schema == DECISION_SCHEMA


def test_a_response_schema_pydantic_cannot_validate_is_refused_naming_it():
    from pydantic import PydanticUserError

    from wfkit import InMemorySaver

    class Odd:
        pass

    class WithCallback(BaseModel):
        on_done: Callable

    for schema in (Odd, WithCallback):
        with pytest.raises(PydanticUserError) as pydantic_error:
            TypeAdapter(schema).json_schema()
        with pytest.raises(ArgumentTypeError) as exc:
            review_graph(InMemorySaver(), schema).invoke({"answer": None}, cfg())
        assert str(exc.value) == (
            f"interrupt(..., response_schema={schema.__name__}): wfkit cannot validate answers against it "
            f"({type(pydantic_error.value).__name__}: {str(pydantic_error.value).splitlines()[0]}); pass a pydantic "
            "model, a TypedDict or a dataclass, or a JSON Schema dict (surfaced to the reviewer, not validated)")


def test_a_refused_answer_lets_the_other_answered_tasks_finish_so_none_repeats_its_side_effect():
    import asyncio
    import operator
    from typing import Annotated

    from wfkit import InMemorySaver

    sent = []

    class Log(TypedDict):
        log: Annotated[list, operator.add]

    async def send(state):
        interrupt("send?", response_schema=Decision)
        sent.append("email")
        await asyncio.sleep(0.05)  # still running when `check` refuses its answer: not cut off
        return {"log": ["sent"]}

    async def check(state):
        interrupt("check?", response_schema=Decision)
        return {"log": ["checked"]}

    graph = (StateGraph(Log).add_node("send", send).add_node("check", check).add_edge(START, "send")
             .add_edge(START, "check").compile(checkpointer=InMemorySaver()))
    config = {"configurable": {"thread_id": "1"}}

    async def scenario():
        await graph.ainvoke({"log": []}, config)
        ids = {i.value: i.id for i in (await graph.aget_state(config)).interrupts}
        with pytest.raises(ValidationError):
            await graph.ainvoke(Command(resume={ids["send?"]: {"approved": True},
                                                ids["check?"]: {"approved": "nope"}}), config)
        pending = [i.value for i in (await graph.aget_state(config)).interrupts]
        result = await graph.ainvoke(Command(resume={ids["check?"]: {"approved": True}}), config)
        return pending, sorted(result["log"]), list(sent)

    assert asyncio.run(scenario()) == (["check?"], ["checked", "sent"], ["email"])
