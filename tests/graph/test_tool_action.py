"""A `@tool` added as a node runs on the state, as in LangGraph: the keys it does not take are left out."""
from typing import Annotated, TypedDict

from wfkit import END, START, Command, MessagesState, StateGraph, add_messages
from wfkit.checkpoint import InMemorySaver
from wfkit.llm import tool
from wfkit.messages import HumanMessage


class S(TypedDict):
    topic: str
    n: int
    out: str


def test_a_tool_as_a_node_takes_the_state_keys_it_names_and_ignores_the_rest():
    @tool
    def shout(topic: str) -> dict:
        """Shout the topic."""
        return {"out": topic.upper()}

    g = StateGraph(S)
    g.add_node("shout", shout)
    g.add_edge(START, "shout")
    g.add_edge("shout", END)
    assert g.compile().invoke({"topic": "cats", "n": 3}) == {"topic": "cats", "n": 3, "out": "CATS"}


def test_a_tool_node_in_a_subgraph_sends_its_command_to_the_parent():
    # LangGraph's test_parent_command: the subgraph's only node is a tool returning Command(graph=PARENT)
    @tool(return_direct=True)
    def get_user_name() -> Command:
        """Retrieve user name"""
        return Command(update={"user_name": "Meow"}, graph=Command.PARENT)

    child = StateGraph(MessagesState)
    child.add_node("tool", get_user_name)
    child.add_edge(START, "tool")

    class Parent(TypedDict):
        messages: Annotated[list, add_messages]
        user_name: str

    parent = StateGraph(Parent)
    parent.add_node("alice", child.compile())
    parent.add_edge(START, "alice")
    app = parent.compile(checkpointer=InMemorySaver())
    out = app.invoke({"messages": [HumanMessage(content="get user name", id="h1")]},
                     {"configurable": {"thread_id": "t"}})
    assert out == {"messages": [HumanMessage(content="get user name", id="h1")], "user_name": "Meow"}
