"""wfkit.llm.tools: the @tool decorator, argument schemas from signatures and docstrings, invoking tools."""

import asyncio

import pytest
from pydantic import BaseModel

from wfkit.errors import ToolArgumentsError
from wfkit.llm import Tool, tool
from wfkit.llm.tools import as_tool, parse_docstring
from wfkit.messages import ToolMessage


@tool
def multiply(a: int, b: int) -> int:
    """Multiply `a` and `b`.

    Args:
        a: First int
        b: Second int,
            spread over two lines

    Returns:
        The product.
    """
    return a * b


def test_name_and_description_come_from_the_function_without_the_args_section():
    assert multiply.name == "multiply"
    assert multiply.description == "Multiply `a` and `b`.\n\nReturns:\n    The product."


def test_args_schema_has_types_and_per_argument_descriptions():
    schema = multiply.args_schema.model_json_schema()
    assert schema["properties"] == {
        "a": {"description": "First int", "title": "A", "type": "integer"},
        "b": {"description": "Second int, spread over two lines", "title": "B", "type": "integer"},
    }
    assert schema["required"] == ["a", "b"]


def test_to_schema_is_the_anthropic_tool_definition():
    assert multiply.to_schema() == {
        "name": "multiply",
        "description": "Multiply `a` and `b`.\n\nReturns:\n    The product.",
        "input_schema": {
            "type": "object", "additionalProperties": False, "required": ["a", "b"],
            "properties": {"a": {"description": "First int", "type": "integer"},
                           "b": {"description": "Second int, spread over two lines", "type": "integer"}},
        },
    }


def test_invoke_with_arguments_returns_the_value():
    assert multiply.invoke({"a": 6, "b": 7}) == 42


def test_invoke_with_a_tool_call_returns_a_tool_message():
    call = {"name": "multiply", "args": {"a": 2, "b": 3}, "id": "call_9", "type": "tool_call"}
    assert multiply.invoke(call) == ToolMessage("6", tool_call_id="call_9", name="multiply")


def test_a_tool_call_without_type_key_is_recognised():
    assert multiply.invoke({"name": "multiply", "args": {"a": 2, "b": 3}, "id": "c"}).content == "6"


def test_dict_results_reach_the_model_as_json():
    @tool
    def lookup(city: str) -> dict:
        """Weather."""
        return {"city": city, "sunny": True}

    message = lookup.invoke({"name": "lookup", "args": {"city": "Oslo"}, "id": "c", "type": "tool_call"})
    assert message.content == '{"city": "Oslo", "sunny": true}'


def test_bad_arguments_name_the_tool_the_field_and_the_complaint():
    with pytest.raises(ToolArgumentsError) as info:
        multiply.invoke({"a": "six", "b": 7})
    assert str(info.value) == (
        "tool `multiply` got bad arguments {'a': 'six', 'b': 7}: `a`: Input should be a valid integer, unable to "
        "parse string as an integer (got 'six'). It takes: a, b")


def test_missing_and_unknown_arguments_are_both_reported():
    with pytest.raises(ToolArgumentsError) as info:
        multiply.invoke({"a": 1, "c": 2})
    assert str(info.value) == (
        "tool `multiply` got bad arguments {'a': 1, 'c': 2}: `b`: Field required (got {'a': 1, 'c': 2}); "
        "`c`: Extra inputs are not permitted (got 2). It takes: a, b")


def test_non_dict_input_is_refused_with_its_type():
    with pytest.raises(ToolArgumentsError) as info:
        multiply.invoke([1, 2])
    assert str(info.value) == "tool `multiply` takes a dict of arguments or a tool call, got a list: [1, 2]"


def test_a_string_fills_a_tool_with_one_argument():
    @tool("shout")
    def loud(text: str) -> str:
        """Upper-case the text."""
        return text.upper()

    assert loud.name == "shout" and loud.invoke("hey") == "HEY"


def test_async_tools_work_from_sync_and_async_code():
    @tool
    async def double(x: int) -> int:
        """Twice x."""
        await asyncio.sleep(0)
        return 2 * x

    assert double.invoke({"x": 4}) == 8
    assert asyncio.run(double.ainvoke({"x": 5})) == 10
    assert asyncio.run(multiply.ainvoke({"name": "multiply", "args": {"a": 3, "b": 3}, "id": "c"})).content == "9"


def test_defaults_are_optional_and_the_function_keeps_them():
    @tool(description="Greets.")
    def greet(name: str, greeting: str = "Hello") -> str:
        return f"{greeting}, {name}!"

    assert greet.description == "Greets."
    assert greet.invoke({"name": "Ada"}) == "Hello, Ada!"
    assert greet.args_schema.model_json_schema()["required"] == ["name"]


def test_a_plain_function_without_docstring_becomes_a_tool():
    def add(a: int, b: int):
        return a + b

    wrapped = as_tool(add)
    assert isinstance(wrapped, Tool) and wrapped.description == "" and wrapped.invoke({"a": 1, "b": 2}) == 3
    assert wrapped.to_schema() == {"name": "add", "input_schema": {
        "type": "object", "additionalProperties": False, "required": ["a", "b"],
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}}}


def test_a_pydantic_class_becomes_a_tool_that_validates():
    class Weather(BaseModel):
        """Report the weather."""

        city: str

    wrapped = as_tool(Weather)
    assert (wrapped.name, wrapped.description) == ("Weather", "Report the weather.")
    assert wrapped.invoke({"city": "Oslo"}) == Weather(city="Oslo")


def test_tools_stay_callable_as_functions():
    assert multiply(3, 4) == 12


def test_as_tool_refuses_other_things():
    with pytest.raises(TypeError) as info:
        as_tool(42)
    assert str(info.value) == "cannot use 42 as a tool: pass a function, a `@tool`, or a pydantic model class"


def test_parse_docstring_handles_types_in_parentheses_and_no_args_section():
    assert parse_docstring("Do it.\n\nArgs:\n    x (int): the x\n    y: the y\n") == ("Do it.", {"x": "the x", "y": "the y"})
    assert parse_docstring(None) == ("", {})


def test_injected_arguments_are_hidden_from_the_model_and_the_call_id_is_filled_in():
    from typing import Annotated

    from wfkit.llm import InjectedToolCallId

    @tool
    def answer(text: str, tool_call_id: Annotated[str, InjectedToolCallId]) -> str:
        """Answer."""
        return f"{text} for {tool_call_id}"

    assert answer.to_schema()["input_schema"]["properties"] == {"text": {"type": "string"}}
    reply = answer.invoke({"name": "answer", "args": {"text": "hi"}, "id": "call-7", "type": "tool_call"})
    assert reply == ToolMessage("hi for call-7", tool_call_id="call-7", name="answer")
    assert answer.invoke({"text": "hi", "tool_call_id": "given"}) == "hi for given"
