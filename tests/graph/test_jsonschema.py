"""get_input_jsonschema / get_output_jsonschema / get_context_jsonschema give LangGraph 1.2.24's schemas (each
expected value below is what LangGraph printed for the same program)."""

import operator
from dataclasses import dataclass, field
from typing import Annotated, Any, Optional

import pytest
from pydantic import BaseModel, Field
from typing_extensions import NotRequired, Required, TypedDict

from wfkit import START, StateGraph, add_messages, entrypoint
from wfkit.errors import ArgumentTypeError, UnsupportedFeatureError


def _build(state, **kw):
    builder = StateGraph(state, **kw)
    builder.add_node("n", lambda s: {})
    builder.add_edge(START, "n")
    return builder.compile()


class TD(TypedDict):
    a: int
    b: Annotated[list[str], operator.add]
    c: Optional[str]
    d: NotRequired[float]
    msgs: Annotated[list, add_messages]


TD_SCHEMA = {"properties": {"a": {"title": "A", "type": "integer"},
                            "b": {"items": {"type": "string"}, "title": "B", "type": "array"},
                            "c": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "C"},
                            "d": {"title": "D", "type": "number"},
                            "msgs": {"items": {}, "title": "Msgs", "type": "array"}},
             "required": ["a", "b", "c", "msgs"], "title": "TD", "type": "object"}


def test_typeddict_state_schema_ignores_reducers_and_honours_not_required():
    graph = _build(TD)
    assert graph.get_input_jsonschema() == TD_SCHEMA
    assert graph.get_output_jsonschema() == TD_SCHEMA
    assert graph.get_context_jsonschema() is None


def test_typeddict_total_false_requires_only_required_keys():
    class TD2(TypedDict, total=False):
        x: int
        y: Required[str]

    assert _build(TD2).get_input_jsonschema() == {
        "properties": {"x": {"title": "X", "type": "integer"}, "y": {"title": "Y", "type": "string"}},
        "required": ["y"], "title": "TD2", "type": "object"}


def test_pydantic_state_gives_the_models_own_schema():
    class PM(BaseModel):
        """A model."""
        a: int
        b: Annotated[list[str], operator.add] = []
        c: str = Field(default="hi", description="c field")
        d: Optional[int] = None

    expected = {"description": "A model.",
                "properties": {"a": {"title": "A", "type": "integer"},
                               "b": {"default": [], "items": {"type": "string"}, "title": "B", "type": "array"},
                               "c": {"default": "hi", "description": "c field", "title": "C", "type": "string"},
                               "d": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None, "title": "D"}},
                "required": ["a"], "title": "PM", "type": "object"}
    graph = _build(PM)
    assert graph.get_input_jsonschema() == expected
    assert graph.get_output_jsonschema() == expected


@dataclass
class DC:
    a: int
    b: Annotated[list[int], operator.add] = field(default_factory=list)
    c: str = "x"
    d: Optional[float] = None
    e: Annotated[str, "meta"] = "m"


DC_PROPERTIES = {"a": {"title": "A", "type": "integer"},
                 "b": {"default": [], "items": {"type": "integer"}, "title": "B", "type": "array"},
                 "c": {"default": "x", "title": "C", "type": "string"},
                 "d": {"anyOf": [{"type": "number"}, {"type": "null"}], "default": None, "title": "D"},
                 "e": {"default": "m", "title": "E", "type": "string"}}


def test_dataclass_state_is_titled_by_the_graph_name_with_its_defaults():
    graph = _build(DC)
    assert graph.get_input_jsonschema() == {"properties": DC_PROPERTIES, "required": ["a"],
                                            "title": "LangGraphInput", "type": "object"}
    assert graph.get_output_jsonschema() == {"properties": DC_PROPERTIES, "required": ["a"],
                                             "title": "LangGraphOutput", "type": "object"}


def test_a_lowercase_graph_name_gets_an_underscore_suffix():
    builder = StateGraph(DC)
    builder.add_node("n", lambda s: {})
    builder.add_edge(START, "n")
    graph = builder.compile(name="mygraph")
    assert graph.get_input_jsonschema()["title"] == "mygraph_input"
    assert graph.get_output_jsonschema()["title"] == "mygraph_output"


def test_a_dataclass_key_named_like_a_pydantic_method_keeps_its_name():
    @dataclass
    class Odd:
        copy: int
        _hidden: str = "h"

    schema = _build(Odd).get_input_jsonschema()
    assert schema == {"properties": {"copy": {"title": "Copy", "type": "integer"},
                                     "_hidden": {"default": "h", "title": "Hidden", "type": "string"}},
                      "required": ["copy"], "title": "LangGraphInput", "type": "object"}


def test_input_and_output_schemas_are_used():
    class In(TypedDict):
        q: str

    class Out(TypedDict):
        ans: str

    class Full(In, Out):
        scratch: int

    graph = _build(Full, input_schema=In, output_schema=Out)
    assert graph.get_input_jsonschema() == {"properties": {"q": {"title": "Q", "type": "string"}},
                                            "required": ["q"], "title": "In", "type": "object"}
    assert graph.get_output_jsonschema() == {"properties": {"ans": {"title": "Ans", "type": "string"}},
                                             "required": ["ans"], "title": "Out", "type": "object"}


def test_a_state_that_is_one_value_is_a_root_schema_with_default_none():
    graph = _build(Annotated[list, operator.add])
    assert graph.get_input_jsonschema() == {"default": None, "items": {}, "title": "LangGraphInput", "type": "array"}
    assert _build(int).get_output_jsonschema() == {"default": None, "title": "LangGraphOutput", "type": "integer"}


@dataclass
class Ctx:
    model: str
    temp: float = 0.5


def test_context_schema_of_each_kind():
    class CtxTD(TypedDict):
        user: str

    class CtxPM(BaseModel):
        user_id: int = 3

    assert _build(TD, context_schema=Ctx).get_context_jsonschema() == {
        "properties": {"model": {"title": "Model", "type": "string"},
                       "temp": {"default": 0.5, "title": "Temp", "type": "number"}},
        "required": ["model"], "title": "Ctx", "type": "object"}
    assert _build(TD, context_schema=CtxTD).get_context_jsonschema() == {
        "properties": {"user": {"title": "User", "type": "string"}}, "required": ["user"], "title": "CtxTD",
        "type": "object"}
    assert _build(TD, context_schema=CtxPM).get_context_jsonschema() == {
        "properties": {"user_id": {"default": 3, "title": "User Id", "type": "integer"}}, "title": "CtxPM",
        "type": "object"}


def test_a_context_schema_of_another_kind_is_refused_by_name():
    with pytest.raises(ArgumentTypeError) as err:
        _build(TD, context_schema=int).get_context_jsonschema()
    assert str(err.value) == ("get_context_jsonschema(): the graph's context_schema <class 'int'> is not a pydantic "
                              "model, TypedDict or dataclass; declare it as e.g. `@dataclass class Context: ...`")


def test_entrypoint_schemas_come_from_its_hints():
    @entrypoint()
    def typed(x: list[int]) -> list[str]:
        return []

    @entrypoint()
    def untyped(x):
        return x

    @entrypoint()
    def final(x: dict, *, previous: Any) -> entrypoint.final[str, int]:
        return entrypoint.final(value="a", save=1)

    @entrypoint()
    def bare_final(x) -> entrypoint.final:
        return 1

    @entrypoint(context_schema=Ctx)
    def with_model(x: DCModel) -> Optional[int]:
        return 1

    assert typed.get_input_jsonschema() == {"items": {"type": "integer"}, "title": "LangGraphInput", "type": "array"}
    assert typed.get_output_jsonschema() == {"items": {"type": "string"}, "title": "LangGraphOutput", "type": "array"}
    assert untyped.get_input_jsonschema() == {"title": "LangGraphInput"}
    assert untyped.get_output_jsonschema() == {"title": "LangGraphOutput"}
    assert final.get_input_jsonschema() == {"additionalProperties": True, "title": "LangGraphInput", "type": "object"}
    assert final.get_output_jsonschema() == {"title": "LangGraphOutput", "type": "string"}
    assert bare_final.get_output_jsonschema() == {"title": "LangGraphOutput"}
    assert with_model.get_input_jsonschema() == {"properties": {"a": {"title": "A", "type": "integer"}},
                                                 "required": ["a"], "title": "DCModel", "type": "object"}
    assert with_model.get_output_jsonschema() == {"anyOf": [{"type": "integer"}, {"type": "null"}],
                                                  "title": "LangGraphOutput"}
    assert with_model.get_context_jsonschema()["title"] == "Ctx"


class DCModel(BaseModel):
    a: int


def test_an_entrypoint_taking_a_typeddict_refers_to_it():
    @entrypoint()
    def ep(x: TD) -> str:
        return ""

    assert ep.get_input_jsonschema() == {"$defs": {"TD": TD_SCHEMA}, "$ref": "#/$defs/TD", "title": "LangGraphInput"}


def test_the_pydantic_schema_classes_are_refused_by_name():
    graph = _build(TD)
    with pytest.raises(UnsupportedFeatureError) as err:
        graph.get_input_schema()
    assert str(err.value) == ("get_input_schema() (a pydantic class) is not provided by wfkit: use "
                              "get_input_jsonschema(), the same JSON Schema LangGraph gives")
    with pytest.raises(UnsupportedFeatureError) as err:
        graph.get_output_schema()
    assert str(err.value) == ("get_output_schema() (a pydantic class) is not provided by wfkit: use "
                              "get_output_jsonschema(), the same JSON Schema LangGraph gives")
