"""wfkit.prebuilt.create_react_agent: LangGraph's agent graph over wfkit's models (results compared with
LangGraph 1.2.24 / langgraph-prebuilt 1.1.3 running the same program with a LangChain fake model)."""

from typing import Annotated

import pytest

from wfkit import InMemorySaver
from wfkit.errors import UnsupportedFeatureError
from wfkit.llm import InjectedToolCallId, ScriptedModel, tool
from wfkit.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from wfkit.prebuilt import InjectedState, create_react_agent
from wfkit.types import Command


@tool
def add(a: int, b: int) -> int:
    """Add."""
    return a + b


@tool
def who(state: Annotated[dict, InjectedState], messages: Annotated[list, InjectedState("messages")]) -> str:
    """Who."""
    return f"{len(state['messages'])} {len(messages)}"


@tool
def set_name(name: str, tool_call_id: Annotated[str, InjectedToolCallId]) -> Command:
    """Set the name."""
    return Command(update={"messages": [ToolMessage(f"named {name}", tool_call_id=tool_call_id)]})


@tool(return_direct=True)
def final(x: int) -> str:
    """Final."""
    return f"final {x}"


CALLS = [{"name": "add", "args": {"a": 1, "b": 2}, "id": "c1"}, {"name": "who", "args": {}, "id": "c2"},
         {"name": "set_name", "args": {"name": "Bo"}, "id": "c3"}]


def agent_model():
    return ScriptedModel([AIMessage("", id="a1", tool_calls=CALLS), AIMessage("done", id="a2")])


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_the_agent_calls_the_tools_and_the_model_again_until_it_answers(version):
    agent = create_react_agent(agent_model(), [add, who, set_name], prompt="Be brief.",
                               checkpointer=InMemorySaver(), version=version)
    out = agent.invoke({"messages": [HumanMessage("hi", id="h")]}, {"configurable": {"thread_id": "1"}})
    assert [(type(m).__name__, m.content, m.name) for m in out["messages"]] == [
        ("HumanMessage", "hi", None), ("AIMessage", "", None), ("ToolMessage", "3", "add"),
        ("ToolMessage", "2 2", "who"), ("ToolMessage", "named Bo", "set_name"), ("AIMessage", "done", None)]


def test_v2_sends_each_tool_call_to_its_own_task():
    agent = create_react_agent(agent_model(), [add, who, set_name])
    chunks = list(agent.stream({"messages": [HumanMessage("hi", id="h")]}, stream_mode="updates"))
    assert [list(c) for c in chunks] == [["agent"], ["tools"], ["tools"], ["tools"], ["agent"]]
    assert sorted(c["tools"]["messages"][0].content for c in chunks[1:4]) == ["2 2", "3", "named Bo"]


def test_the_prompt_goes_first_to_the_model_and_not_into_the_state():
    seen = []

    def respond(request):
        seen.append([(type(m).__name__, m.content) for m in request.messages])
        return "hello"

    agent = create_react_agent(ScriptedModel(respond), [add], prompt="Be brief.")
    out = agent.invoke({"messages": [HumanMessage("hi", id="h")]})
    assert seen == [[("SystemMessage", "Be brief."), ("HumanMessage", "hi")]]
    assert [m.content for m in out["messages"]] == ["hi", "hello"]
    create_react_agent(ScriptedModel(respond), [add], prompt=SystemMessage("S")).invoke({"messages": ["x"]})
    assert seen[-1] == [("SystemMessage", "S"), ("HumanMessage", "x")]


def test_a_return_direct_tool_ends_the_run_with_its_answer():
    model = ScriptedModel([AIMessage("", id="a1", tool_calls=[{"name": "final", "args": {"x": 1}, "id": "f1"}]),
                           AIMessage("never", id="a2")])
    out = create_react_agent(model, [add, final]).invoke({"messages": [HumanMessage("hi", id="h")]})
    last = out["messages"][-1]
    assert (type(last).__name__, last.content, last.name, last.tool_call_id) == ("ToolMessage", "final 1", "final", "f1")


def test_the_agent_says_it_needs_more_steps_instead_of_hitting_the_recursion_limit():
    model = ScriptedModel([AIMessage("", id="a1", tool_calls=[{"name": "add", "args": {"a": 1, "b": 1}, "id": "x"}])])
    out = create_react_agent(model, [add]).invoke({"messages": [HumanMessage("hi", id="h")]}, {"recursion_limit": 2})
    assert out["messages"][-1] == AIMessage("Sorry, need more steps to process this request.", id="a1")


def test_the_agent_name_is_set_on_its_replies():
    out = create_react_agent(ScriptedModel(["hello"]), [add], name="helper").invoke({"messages": ["hi"]})
    assert (out["messages"][-1].content, out["messages"][-1].name) == ("hello", "helper")


def test_a_history_with_an_unanswered_tool_call_is_refused_as_langgraph():
    history = [HumanMessage("hi", id="h"), AIMessage("", id="a", tool_calls=[{"name": "add", "args": {}, "id": "c9"}])]
    with pytest.raises(ValueError) as caught:
        create_react_agent(ScriptedModel(["x"]), [add]).invoke({"messages": history})
    assert str(caught.value).startswith(
        "Found AIMessages with tool_calls that do not have a corresponding ToolMessage. Here are the first few of "
        "those tool calls: [{'name': 'add', 'args': {}, 'id': 'c9', 'type': 'tool_call'}].")


def test_the_graph_is_drawn_as_langgraphs():
    agent = create_react_agent(ScriptedModel(["x"]), [add])
    assert agent.get_graph().draw_mermaid(with_styles=False) == (
        "graph TD;\n\t__start__ --> agent;\n\tagent -.-> __end__;\n\tagent -.-> tools;\n\ttools --> agent;\n")


def test_a_model_name_is_refused_by_name():
    with pytest.raises(UnsupportedFeatureError) as caught:
        create_react_agent("anthropic:claude-sonnet-4-5", [add])
    assert str(caught.value) == (
        "create_react_agent(model='anthropic:claude-sonnet-4-5'): wfkit takes a wfkit chat model (ScriptedModel, "
        "Claude, offline_model(), ...), not a model name or a function choosing the model; build the model first, "
        "e.g. create_react_agent(Claude(model='claude-sonnet-4-5'), tools)")


def test_response_format_asks_the_model_for_the_structured_answer_at_the_end():
    from pydantic import BaseModel

    class Answer(BaseModel):
        value: int

    model = ScriptedModel(["the answer is 4", {"value": 4}])
    out = create_react_agent(model, [add], response_format=Answer).invoke({"messages": ["what is 2+2?"]})
    assert out["structured_response"] == Answer(value=4)
    assert [m.content for m in out["messages"]] == ["what is 2+2?", "the answer is 4"]


def test_v1_shows_one_update_per_tool_answer_when_a_tool_returned_a_command():
    agent = create_react_agent(agent_model(), [add, who, set_name], version="v1")
    chunks = list(agent.stream({"messages": [HumanMessage("hi", id="h")]}, stream_mode="updates"))
    assert [[(m.content, m.name) for m in update["messages"]] for update in chunks[1]["tools"]] == [
        [("3", "add")], [("2 2", "who")], [("named Bo", "set_name")]]
