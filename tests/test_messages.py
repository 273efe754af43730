"""wfkit.messages: message classes, conversion, the add_messages reducer and the JSON round trip."""

import json
import subprocess
import sys

import pytest

from wfkit._ids import deterministic_ids
from wfkit.errors import InvalidUpdateError
from wfkit.messages import (
    REMOVE_ALL_MESSAGES,
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    MessagesState,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
    add_messages,
    convert_to_messages,
    message_from_dict,
)


def test_the_messages_module_imports_neither_pydantic_nor_anthropic():
    code = "\n".join([
        "import importlib.util, sys, types",
        "pkg = types.ModuleType('wfkit')",
        "pkg.__path__ = list(importlib.util.find_spec('wfkit').submodule_search_locations)",
        "sys.modules['wfkit'] = pkg  # skip the package __init__ (the graph engine): test this module alone",
        "import wfkit.messages",
        "print(sorted(m for m in ('pydantic', 'anthropic') if m in sys.modules))",
    ])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_each_message_kind_has_its_type_string():
    kinds = [SystemMessage("s"), HumanMessage("h"), AIMessage("a"), ToolMessage("t", tool_call_id="c"),
             AIMessageChunk("c"), RemoveMessage("x")]
    assert [m.type for m in kinds] == ["system", "human", "ai", "tool", "AIMessageChunk", "remove"]


def test_message_id_is_none_until_the_reducer_assigns_one():
    assert HumanMessage("hi").id is None


def test_tool_message_turns_non_text_content_into_text():
    assert ToolMessage(content=7, tool_call_id="call_1").content == "7"
    assert ToolMessage(content=[1, "a", {"type": "text", "text": "b"}], tool_call_id="c").content == [
        "1", "a", {"type": "text", "text": "b"}]


def test_tool_message_without_tool_call_id_says_what_to_pass():
    with pytest.raises(TypeError) as info:
        ToolMessage("7")
    assert str(info.value) == ("ToolMessage needs `tool_call_id`: the `id` of the tool call it answers, "
                               "e.g. ToolMessage(content=result, tool_call_id=tool_call['id'])")


def test_messages_compare_by_fields_and_class():
    assert HumanMessage("hi", id="1") == HumanMessage(content="hi", id="1")
    assert HumanMessage("hi", id="1") != HumanMessage("hi", id="2")
    assert HumanMessage("hi") != SystemMessage("hi")


def test_tool_calls_are_normalised_with_type():
    message = AIMessage("", tool_calls=[{"name": "add", "args": {"a": 1}, "id": "c1"}])
    assert message.tool_calls == [{"name": "add", "args": {"a": 1}, "id": "c1", "type": "tool_call"}]


def test_repr_shows_only_fields_that_differ_from_defaults():
    message = AIMessage("hi", id="m1", tool_calls=[{"name": "f", "args": {}, "id": "c"}])
    assert repr(message) == ("AIMessage(content='hi', id='m1', tool_calls=[{'name': 'f', 'args': {}, "
                             "'id': 'c', 'type': 'tool_call'}])")
    assert repr(ToolMessage(7, tool_call_id="c")) == "ToolMessage(content='7', tool_call_id='c')"


def test_text_joins_the_text_blocks_of_list_content():
    message = AIMessage([{"type": "text", "text": "Hello "}, {"type": "tool_use", "id": "x"}, "world"])
    assert message.text == "Hello world"


def test_pretty_print_of_a_human_message(capsys):
    HumanMessage("Add 3 and 4.").pretty_print()
    assert capsys.readouterr().out == (
        "================================ Human Message =================================\n\nAdd 3 and 4.\n")


def test_pretty_print_of_an_ai_message_lists_its_tool_calls(capsys):
    AIMessage("", name="bot", tool_calls=[{"name": "add", "args": {"a": 3, "b": 4}, "id": "call_1"}]).pretty_print()
    assert capsys.readouterr().out == (
        "================================== Ai Message ==================================\n"
        "Name: bot\n\n\n"
        "Tool Calls:\n  add (call_1)\n Call ID: call_1\n  Args:\n    a: 3\n    b: 4\n")


def test_to_dict_round_trips_through_json():
    originals = [
        SystemMessage("be brief", id="s"),
        HumanMessage([{"type": "text", "text": "hi"}], id="h", name="ann"),
        AIMessage("", id="a", tool_calls=[{"name": "add", "args": {"a": 3}, "id": "c"}],
                  usage_metadata={"input_tokens": 3, "output_tokens": 5, "total_tokens": 8}),
        ToolMessage("7", tool_call_id="c", id="t", status="error"),
        RemoveMessage("h"),
    ]
    revived = [message_from_dict(json.loads(json.dumps(m.to_dict()))) for m in originals]
    assert revived == originals
    assert originals[2].to_dict() == {
        "type": "ai", "content": "", "id": "a", "name": None, "additional_kwargs": {}, "response_metadata": {},
        "tool_calls": [{"name": "add", "args": {"a": 3}, "id": "c", "type": "tool_call"}],
        "usage_metadata": {"input_tokens": 3, "output_tokens": 5, "total_tokens": 8}}


def test_message_from_dict_names_an_unknown_type():
    with pytest.raises(ValueError) as info:
        message_from_dict({"type": "robot", "content": ""})
    assert str(info.value) == ("message_from_dict: unknown message type `robot`; expected one of `system`, "
                               "`human`, `ai`, `AIMessageChunk`, `tool`, `remove`")


def test_convert_to_messages_accepts_strings_tuples_dicts_and_messages():
    ai = AIMessage("yes", id="a")
    assert convert_to_messages(["hi", ("system", "be brief"), {"role": "assistant", "content": "ok"}, ai,
                                {"role": "tool", "content": 7, "tool_call_id": "c"}]) == [
        HumanMessage("hi"), SystemMessage("be brief"), AIMessage("ok"), ai, ToolMessage("7", tool_call_id="c")]
    assert convert_to_messages("hi") == [HumanMessage("hi")]
    assert convert_to_messages(("user", "hi")) == [HumanMessage("hi")]


def test_convert_to_messages_names_an_unknown_role():
    with pytest.raises(ValueError) as info:
        convert_to_messages([("robot", "beep")])
    assert str(info.value) == ("cannot turn ('robot', 'beep') into a message: unknown role `robot`; use one of "
                               "`user`, `human`, `assistant`, `ai`, `system`, `developer`, `tool`, `remove`")


def test_convert_to_messages_rejects_other_objects():
    with pytest.raises(TypeError) as info:
        convert_to_messages([3])
    assert str(info.value) == ("cannot turn a int into a message: 3; pass a message, a string, a (role, content) "
                               "tuple or a {'role', 'content'} dict")


def test_add_messages_appends_and_assigns_ids_without_mutating_inputs():
    left = [HumanMessage("hi")]
    right = AIMessage("hello")
    with deterministic_ids():
        merged = add_messages(left, right)
    assert merged == [HumanMessage("hi", id="msg-1"), AIMessage("hello", id="msg-2")]
    assert left == [HumanMessage("hi")] and right.id is None


def test_add_messages_replaces_a_message_with_the_same_id_in_place():
    merged = add_messages([HumanMessage("a", id="1"), AIMessage("b", id="2")], [HumanMessage("A", id="1")])
    assert merged == [HumanMessage("A", id="1"), AIMessage("b", id="2")]


def test_add_messages_removes_by_id():
    merged = add_messages([HumanMessage("a", id="1"), AIMessage("b", id="2")], [RemoveMessage("1")])
    assert merged == [AIMessage("b", id="2")]


def test_add_messages_remove_all_clears_what_came_before():
    merged = add_messages([HumanMessage("a", id="1")], [RemoveMessage(REMOVE_ALL_MESSAGES), HumanMessage("b", id="2")])
    assert merged == [HumanMessage("b", id="2")]


def test_add_messages_removing_an_unknown_id_names_it_and_the_ids_present():
    with pytest.raises(InvalidUpdateError) as info:
        add_messages([HumanMessage("a", id="1")], RemoveMessage("9"))
    assert str(info.value) == ("Attempting to delete a message with an ID that doesn't exist ('9'): "
                               "RemoveMessage(id='9') names no message in the list (ids there: `1`)")


def test_add_messages_converts_tuples_and_dicts():
    with deterministic_ids():
        merged = add_messages([], [("user", "hi"), {"role": "ai", "content": "yo"}])
    assert merged == [HumanMessage("hi", id="msg-1"), AIMessage("yo", id="msg-2")]


def test_messages_state_declares_the_reducer():
    hint = MessagesState.__annotations__["messages"]
    assert hint.__metadata__ == (add_messages,)


def test_chunks_add_up_text_tool_call_pieces_and_usage():
    a = AIMessageChunk("Hel", id="m", tool_call_chunks=[{"name": "add", "args": '{"a": ', "id": "c1", "index": 0}],
                       usage_metadata={"input_tokens": 5, "output_tokens": 1, "total_tokens": 6})
    b = AIMessageChunk("lo", tool_call_chunks=[{"name": None, "args": "3}", "id": None, "index": 0}],
                       usage_metadata={"input_tokens": 0, "output_tokens": 4, "total_tokens": 4})
    assert a.tool_calls == []  # the JSON is not complete yet
    total = a + b
    assert total.content == "Hello" and total.id == "m"
    assert total.tool_calls == [{"name": "add", "args": {"a": 3}, "id": "c1", "type": "tool_call"}]
    assert total.to_message() == AIMessage("Hello", id="m", tool_calls=[{"name": "add", "args": {"a": 3}, "id": "c1"}],
                                           usage_metadata={"input_tokens": 5, "output_tokens": 5, "total_tokens": 10})


def test_messages_validate_inside_pydantic_models():
    from pydantic import BaseModel

    from wfkit.messages import AnyMessage

    class State(BaseModel):
        messages: list[AnyMessage]

    state = State(messages=[HumanMessage("hi", id="1"), {"role": "assistant", "content": "yo", "id": "2"}])
    assert state.messages == [HumanMessage("hi", id="1"), AIMessage("yo", id="2")]
    assert json.loads(state.model_dump_json())["messages"][1]["type"] == "ai"


def test_a_subclass_of_messages_state_keeps_the_reducer():
    import typing

    class State(MessagesState):
        topic: str

    hints = typing.get_type_hints(State, include_extras=True)
    assert hints["messages"].__metadata__ == (add_messages,) and hints["topic"] is str


def test_a_message_rebuilt_from_a_dict_shares_nothing_with_it_unless_the_dict_is_owned():
    from wfkit.messages import message_from_dict, message_from_owned_dict

    stored = {"type": "ai", "content": [{"type": "text", "text": "hi"}], "tool_calls": [],
              "additional_kwargs": {"k": [1]}}
    copied = message_from_dict(stored)
    copied.content[0]["text"] = "changed"
    assert stored["content"][0]["text"] == "hi" and stored["type"] == "ai"
    owned = message_from_owned_dict(stored)  # a dict just parsed from storage: no copy is made
    assert owned.content is stored["content"] and stored["type"] == "ai"
    assert (type(owned).__name__, owned.additional_kwargs) == ("AIMessage", {"k": [1]})


def test_add_messages_removing_an_unknown_id_is_a_value_error_as_in_langgraph():
    with pytest.raises(ValueError) as info:
        add_messages([HumanMessage("a", id="1")], RemoveMessage("9"))
    assert type(info.value).__name__ == "MessageNotFoundError"


def test_add_messages_removing_an_id_twice_in_one_update_removes_it_once():
    merged = add_messages([HumanMessage("a", id="1"), HumanMessage("b", id="2")], [RemoveMessage("1"), RemoveMessage("1")])
    assert merged == [HumanMessage("b", id="2")]


def test_add_messages_keeps_streamed_chunks_as_finished_messages():
    merged = add_messages([HumanMessage("a", id="1")], [AIMessageChunk("he", id="c"), AIMessageChunk("llo", id="c")])
    assert merged == [HumanMessage("a", id="1"), AIMessage("llo", id="c")]
    assert add_messages([], AIMessageChunk("he", id="c")) == [AIMessage("he", id="c")]


def test_add_messages_format_none_is_the_reducer_and_other_formats_are_refused():
    from wfkit.errors import UnsupportedFeatureError

    assert add_messages(format=None) is add_messages
    with pytest.raises(UnsupportedFeatureError) as info:
        add_messages(format="langchain-openai")
    assert str(info.value) == (
        "add_messages(format='langchain-openai') converts messages with LangChain's OpenAI converter, which wfkit "
        "does not include; keep format=None (wfkit's messages) and convert where you call the model")
    with pytest.raises(ValueError) as info:
        add_messages(format="bogus")
    assert str(info.value) == "Unrecognized format='bogus'. Expected one of 'langchain-openai', None."
