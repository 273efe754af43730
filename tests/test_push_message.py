"""wfkit.messages.push_message: a node sends a finished message to the "messages" stream at once and writes
it to the state with its other updates (outputs compared with LangGraph 1.2.24 running the same program)."""

import pytest

from wfkit import START, StateGraph
from wfkit import push_message
from wfkit.messages import AIMessage, MessagesState


def _graph(node):
    graph = StateGraph(MessagesState)
    graph.add_node("node", node)
    graph.add_node("after", lambda state: {})
    graph.add_edge(START, "node")
    graph.add_edge("node", "after")
    return graph.compile()


def pushing(state):
    returned = push_message(AIMessage("hi", id="p1"))
    assert returned == AIMessage("hi", id="p1")
    push_message(AIMessage("quiet", id="p2"), state_key=None)
    return {"messages": [AIMessage("after", id="a1")]}


def test_pushed_messages_stream_at_once_and_the_state_keeps_those_with_a_key():
    chunks = list(_graph(pushing).stream({"messages": []}, stream_mode=["messages", "updates", "values"]))
    assert [(mode, data[0].id, data[1]["langgraph_node"]) if mode == "messages" else (mode, data)
            for mode, data in chunks] == [
        ("values", {"messages": []}),
        ("messages", "p1", "node"),
        ("messages", "p2", "node"),
        # what the node returned streams too; the pushed p1 it also wrote is not streamed twice
        ("messages", "a1", "node"),
        # the node wrote `messages` twice: one dict per write, as LangGraph shows it
        ("updates", {"node": [{"messages": AIMessage("hi", id="p1")}, {"messages": [AIMessage("after", id="a1")]}]}),
        ("values", {"messages": [AIMessage("hi", id="p1"), AIMessage("after", id="a1")]}),
        ("updates", {"after": None}),
    ]


def test_a_pushed_message_needs_an_id():
    def bad(state):
        push_message(AIMessage("x"))

    with pytest.raises(ValueError) as caught:
        _graph(bad).invoke({"messages": []})
    assert str(caught.value) == (
        "Message ID is required: push_message() needs a message with an `id` (the stream and the state key it "
        "by), got AIMessage(content='x'); give it one, e.g. AIMessage(..., id='reply-1')")


def test_push_message_outside_a_graph_says_where_to_call_it():
    with pytest.raises(RuntimeError) as caught:
        push_message(AIMessage("x", id="z"))
    assert str(caught.value) == "push_message() was called outside a running graph; call it from inside a node"
