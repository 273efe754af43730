"""wfkit.prebuilt.tool_node: ToolNode runs a model's tool calls as LangGraph's does; tools_condition routes."""

from typing import Annotated

import pytest

from wfkit import START, StateGraph
from wfkit.errors import ToolInvocationError, UnsupportedFeatureError
from wfkit.llm import InjectedToolCallId, tool
from wfkit.messages import AIMessage, HumanMessage, MessagesState, ToolMessage
from wfkit.prebuilt import InjectedState, InjectedStore, ToolNode, tools_condition
from wfkit.types import Command


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def boom(a: int) -> int:
    """Fail."""
    raise ValueError("bad a")


def ask(*calls):
    return [AIMessage("", id="q", tool_calls=[{"name": n, "args": a, "id": i} for n, a, i in calls])]


def answers(node, messages):
    """The messages the node added, run as the only node of a graph."""
    graph = StateGraph(MessagesState)
    graph.add_node("tools", node)
    graph.add_edge(START, "tools")
    out = graph.compile().invoke({"messages": messages})["messages"][len(messages):]
    return [(m.content, m.name, m.tool_call_id, m.status) for m in out]


def test_each_call_is_answered_in_the_order_asked():
    assert answers(ToolNode([add]), ask(("add", {"a": 1, "b": 2}, "c1"), ("add", {"a": 5, "b": 5}, "c2"))) == [
        ("3", "add", "c1", "success"), ("10", "add", "c2", "success")]


def test_an_unknown_tool_is_answered_with_langgraphs_error_message():
    assert answers(ToolNode([add]), ask(("nope", {}, "c1"))) == [
        ("Error: nope is not a valid tool, try one of [add].", "nope", "c1", "error")]


def test_bad_arguments_go_back_to_the_model_by_default():
    assert answers(ToolNode([add]), ask(("add", {"a": "x"}, "c1"))) == [
        ("Error invoking tool 'add' with kwargs {'a': 'x'} with error:\n"
         " a: Input should be a valid integer, unable to parse string as an integer\n"
         "b: Field required\n Please fix the error and try again.", "add", "c1", "error")]


def test_any_other_error_stops_the_run_by_default():
    with pytest.raises(ValueError, match="^bad a"):
        answers(ToolNode([boom]), ask(("boom", {"a": 1}, "c1")))


def test_handle_tool_errors_false_raises_langgraphs_invocation_error():
    with pytest.raises(ToolInvocationError) as caught:
        answers(ToolNode([add], handle_tool_errors=False), ask(("add", {"a": 1}, "c1")))
    assert str(caught.value) == ("Error invoking tool 'add' with kwargs {'a': 1} with error:\n b: Field required\n"
                                 " Please fix the error and try again.")
    assert (caught.value.tool_name, caught.value.tool_kwargs) == ("add", {"a": 1})


@pytest.mark.parametrize("flag, content", [
    (True, "Error: ValueError('bad a')\n Please fix your mistakes."),
    ("oops", "oops"),
    (lambda e: f"caught {e}", "caught bad a"),
    (ValueError, "Error: ValueError('bad a')\n Please fix your mistakes."),
    ((KeyError, ValueError), "Error: ValueError('bad a')\n Please fix your mistakes."),
])
def test_handle_tool_errors_turns_the_error_into_the_answer(flag, content):
    assert answers(ToolNode([boom], handle_tool_errors=flag), ask(("boom", {"a": 1}, "c1"))) == [
        (content, "boom", "c1", "error")]


def test_a_handler_annotated_with_other_exception_types_lets_this_one_through():
    def only_key(e: KeyError) -> str:
        return "key"

    with pytest.raises(ValueError, match="^bad a"):
        answers(ToolNode([boom], handle_tool_errors=only_key), ask(("boom", {"a": 1}, "c1")))


@tool
def who(state: Annotated[dict, InjectedState], messages: Annotated[list, InjectedState("messages")]) -> str:
    """Count the messages."""
    return f"{len(state['messages'])} {len(messages)}"


def test_injected_state_is_hidden_from_the_model_and_given_by_the_node():
    assert who.to_schema()["input_schema"] == {"properties": {}, "type": "object", "additionalProperties": False}
    assert answers(ToolNode([who]), [HumanMessage("hi", id="h"), *ask(("who", {}, "c1"))]) == [
        ("2 2", "who", "c1", "success")]


@tool
def rename(name: str, tool_call_id: Annotated[str, InjectedToolCallId]) -> Command:
    """Rename."""
    return Command(update={"messages": [ToolMessage(f"named {name}", tool_call_id=tool_call_id)]})


def test_a_command_from_a_tool_updates_the_state_with_its_message_named_after_the_tool():
    assert answers(ToolNode([rename, add]), ask(("rename", {"name": "Bo"}, "c1"), ("add", {"a": 1, "b": 1}, "c2"))) == [
        ("named Bo", "rename", "c1", "success"), ("2", "add", "c2", "success")]


def test_a_command_that_does_not_answer_its_call_is_refused():
    @tool
    def silent() -> Command:
        """Say nothing."""
        return Command(update={"messages": []})

    with pytest.raises(ValueError) as caught:
        answers(ToolNode([silent]), ask(("silent", {}, "c1")))
    assert str(caught.value) == (
        "Expected to have a matching ToolMessage in Command.update for tool 'silent', got: []. Every tool call "
        "(LLM requesting to call a tool) in the message history MUST have a corresponding ToolMessage. You can "
        "fix it by modifying the tool to return `Command(update={\"messages\": [ToolMessage(\"Success\", "
        "tool_call_id=tool_call_id), ...]}, ...)`.")


def test_a_list_of_messages_gives_a_list_and_tool_calls_are_run_as_given():
    assert ToolNode([add])(ask(("add", {"a": 1, "b": 2}, "c1"))) == [ToolMessage("3", tool_call_id="c1", name="add")]
    assert ToolNode([add])([{"name": "add", "args": {"a": 1, "b": 5}, "id": "z", "type": "tool_call"}]) == {
        "messages": [ToolMessage("6", tool_call_id="z", name="add")]}


def test_input_without_an_ai_message_is_refused_as_langgraph():
    with pytest.raises(ValueError, match="^No message found in input$"):
        ToolNode([add])({"messages": []})
    with pytest.raises(ValueError, match="^No AIMessage found in input$"):
        ToolNode([add])({"messages": [HumanMessage("x")]})


def test_injected_store_without_a_store_is_refused_by_name():
    @tool
    def remember(store: Annotated[object, InjectedStore()]) -> str:
        """Remember."""
        return "ok"

    try:
        from wfkit.engine.context import get_store  # noqa: F401
    except ImportError:
        with pytest.raises(UnsupportedFeatureError) as caught:
            ToolNode([remember])(ask(("remember", {}, "c1")))
        assert str(caught.value) == (
            "tool `remember` asks for `InjectedStore`, but this wfkit has no store; pass what the tool needs "
            "through `InjectedState` or a closure instead")


def test_tools_condition_routes_to_tools_only_when_the_last_message_calls_one():
    assert tools_condition({"messages": [AIMessage("x")]}) == "__end__"
    assert tools_condition(ask(("add", {}, "c1"))) == "tools"
    with pytest.raises(ValueError, match=r"^No messages found in input state to tool_edge: \{'messages': \[\]\}$"):
        tools_condition({"messages": []})


def test_a_tool_node_draws_its_tools_under_its_name():
    graph = StateGraph(MessagesState)
    graph.add_node("agent", lambda s: {})
    graph.add_node(ToolNode([add, who]))
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", tools_condition)
    graph.add_edge("tools", "agent")
    assert graph.compile().get_graph().draw_mermaid(with_styles=False) == (
        "graph TD;\n\t__start__ --> agent;\n\tagent -.-> __end__;\n\tagent -.-> tools;\n\ttools --> agent;\n")
    assert "\ttools(tools<hr/><small><em>__tools = add, who</em></small>)\n" in graph.compile().get_graph().draw_mermaid()


def test_wrap_tool_call_is_refused_by_name():
    with pytest.raises(UnsupportedFeatureError) as caught:
        ToolNode([add], wrap_tool_call=lambda request, execute: execute(request))
    assert str(caught.value) == (
        "ToolNode(wrap_tool_call=...) / (awrap_tool_call=...) is not supported by wfkit; wrap the tool functions "
        "themselves (e.g. a decorator under @tool) to retry, cache or change their calls")
