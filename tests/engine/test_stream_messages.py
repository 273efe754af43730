"""The "messages" stream as LangGraph 1.2.24's: the messages nodes write stream too (once: not those already
streamed or given to the node), with LangGraph's metadata, `configurable` values included (each expected
value below is what LangGraph gives for the same program, task ids aside)."""

from wfkit import START, Command, MessagesState, Send, StateGraph
from wfkit.checkpoint import InMemorySaver
from wfkit.llm import ScriptedModel
from wfkit import push_message
from wfkit.messages import AIMessage, HumanMessage


class S(MessagesState):
    other: object


def _meta(node, step, **more):
    return {**more, "ls_integration": "langgraph", "langgraph_step": step, "langgraph_node": node,
            "langgraph_triggers": (f"branch:to:{node}",), "langgraph_path": ("__pregel_pull", node),
            "langgraph_checkpoint_ns": node}


def _names(namespace: str) -> str:
    """A namespace with its task ids left out: `node_1:<id>|call_model:<id>` -> `node_1|call_model`."""
    return "|".join(part.split(":")[0] for part in namespace.split("|"))


def _plain(chunks):
    """(message, metadata) chunks with the namespaces in the metadata as `_names` gives them."""
    return [(m, {k: _names(v) if k in ("langgraph_checkpoint_ns", "checkpoint_ns") else v for k, v in meta.items()})
            for m, meta in chunks]


def _writer_graph():
    def a(state):
        return {"messages": [AIMessage("one", id="m1"), HumanMessage("two", id="m2")], "other": AIMessage("o", id="o1")}

    def b(state):  # m2 is in its input: not streamed again
        return {"messages": [state["messages"][-1], AIMessage("three", id="m3")]}

    def c(state):  # a list of Commands and dicts; o1 is in its input
        return [Command(update={"messages": AIMessage("four", id="m4")}), {"other": AIMessage("o", id="o1")}]

    return StateGraph(S).add_sequence([a, b, c]).add_edge(START, "a").compile(checkpointer=InMemorySaver())


def test_the_messages_nodes_write_stream_once_with_langgraph_metadata_and_configurable_values():
    config = {"configurable": {"thread_id": "t1", "run_id": "r1", "assistant_id": "as", "graph_id": "g",
                               "user_id": "u", "api_key": "secret", "nested": {"x": 1}},
              "metadata": {"mine": "x"}}
    chunks = _plain(_writer_graph().stream({"messages": [HumanMessage("hi", id="h0")]}, config, stream_mode="messages"))
    base = {"mine": "x", "thread_id": "t1", "run_id": "r1", "assistant_id": "as", "graph_id": "g"}
    assert chunks == [
        (AIMessage("one", id="m1"), _meta("a", 1, **base)),
        (HumanMessage("two", id="m2"), _meta("a", 1, **base)),
        (AIMessage("o", id="o1"), _meta("a", 1, **base)),
        (AIMessage("three", id="m3"), _meta("b", 2, **base)),
        (AIMessage("four", id="m4"), _meta("c", 3, **base)),
    ]
    # a further run of the thread: the messages in the nodes' input are not streamed again
    again = [m.id for m, _ in _writer_graph().stream({"messages": [HumanMessage("x", id="h1")]}, config,
                                                        stream_mode="messages")]
    assert again == ["m1", "m2", "o1", "m3", "m4"]


def test_a_second_run_of_a_thread_streams_only_what_is_new():
    graph = _writer_graph()
    config = {"configurable": {"thread_id": "t1"}}
    first = [m.id for m, _ in graph.stream({"messages": [HumanMessage("hi", id="h0")]}, config, stream_mode="messages")]
    assert first == ["m1", "m2", "o1", "m3", "m4"]
    assert list(graph.stream({"messages": [HumanMessage("x", id="h1")]}, config, stream_mode="messages")) == []


def test_a_written_message_without_an_id_streams_with_the_id_the_state_keeps():
    graph = StateGraph(MessagesState).add_node("a", lambda s: {"messages": HumanMessage("no id")})
    chunks = list(graph.add_edge(START, "a").compile().stream({"messages": []}, stream_mode=["messages", "values"]))
    assert [mode for mode, _ in chunks] == ["values", "messages", "values"]
    streamed, state = chunks[1][1][0], chunks[2][1]
    assert streamed.id is not None and state == {"messages": [HumanMessage("no id", id=streamed.id)]}


def test_a_models_reply_streams_as_its_tokens_only_not_again_when_the_node_writes_it():
    model = ScriptedModel(["hello world"])
    graph = StateGraph(MessagesState).add_node("call", lambda s: {"messages": [model.invoke(s["messages"])]})
    chunks = _plain(graph.add_edge(START, "call").compile().stream({"messages": [("user", "hi")]},
                                                                   stream_mode="messages"))
    meta = {key: value for key, value in _meta("call", 1).items() if key != "ls_integration"}
    assert [(type(m).__name__, m.content, md) for m, md in chunks] == [
        ("AIMessageChunk", "hello", meta), ("AIMessageChunk", " world", meta)]


def test_a_pushed_message_the_node_also_returns_streams_once():
    def node(state):
        pushed = push_message(AIMessage("now", id="p1"))
        return {"messages": [pushed, AIMessage("later", id="l1")]}

    graph = StateGraph(MessagesState).add_node("n", node).add_edge(START, "n").compile()
    assert [m.id for m, _ in graph.stream({"messages": []}, stream_mode="messages")] == ["p1", "l1"]


def _parent():
    def call_model(state):
        push_message(AIMessage("pushed", id="p1"))
        return {"messages": [AIMessage("hi", id="1")]}

    sub = StateGraph(MessagesState).add_node(call_model).add_edge(START, "call_model").compile()

    def worker(state):
        return {"messages": [AIMessage("done " + state["messages"][0].content, id="d" + state["messages"][0].id)]}

    return (StateGraph(MessagesState).add_node("node_1", sub).add_node("worker", worker).add_edge(START, "node_1")
            .add_conditional_edges("node_1", lambda s: [Send("worker", {"messages": [AIMessage("w", id="w")]})],
                                   ["worker"])
            .compile(checkpointer=InMemorySaver()))


def test_a_subgraphs_messages_carry_its_namespace_and_a_sends_its_push_path():
    config = {"configurable": {"thread_id": "t"}}
    raw = list(_parent().stream({"messages": [HumanMessage("q", id="q")]}, config, stream_mode="messages",
                                subgraphs=True))
    ns = raw[0][0]
    # the subgraph's task: its namespace starts the task's own, and is the metadata's checkpoint_ns
    assert raw[0][1][1]["checkpoint_ns"] == ns[0] and raw[0][1][1]["langgraph_checkpoint_ns"].startswith(ns[0] + "|")
    chunks = [(tuple(_names(n) for n in ns), m.id, meta) for (ns, (m, meta)) in
              zip([ns for ns, _ in raw], _plain([chunk for _, chunk in raw]))]
    inner = {"thread_id": "t", "checkpoint_ns": "node_1", "langgraph_step": 1, "langgraph_node": "call_model",
             "langgraph_triggers": ("branch:to:call_model",), "langgraph_path": ("__pregel_pull", "call_model"),
             "langgraph_checkpoint_ns": "node_1|call_model"}
    worker = {"thread_id": "t", "ls_integration": "langgraph", "langgraph_step": 2, "langgraph_node": "worker",
              "langgraph_triggers": ("__pregel_push",), "langgraph_path": ("__pregel_push", 0, False),
              "langgraph_checkpoint_ns": "worker"}
    assert chunks == [(("node_1",), "p1", inner), (("node_1",), "1", {**inner, "ls_integration": "langgraph"}),
                      ((), "dw", worker)]


def test_without_subgraphs_a_subgraphs_messages_stream_as_its_nodes_output():
    config = {"configurable": {"thread_id": "t"}}
    chunks = [(m.id, meta["langgraph_node"], meta["langgraph_step"]) for m, meta in _parent().stream(
        {"messages": [HumanMessage("q", id="q")]}, config, stream_mode="messages")]
    assert chunks == [("p1", "node_1", 1), ("1", "node_1", 1), ("dw", "worker", 2)]


def test_a_checkpoint_ns_given_to_a_graph_without_checkpointer_is_only_metadata():
    graph = StateGraph(MessagesState).add_node("a", lambda s: {"messages": AIMessage("x", id="x")})
    config = {"configurable": {"thread_id": "t", "checkpoint_ns": "ns-1", "checkpoint_id": "c1", "task_id": "k"}}
    chunks = _plain(graph.add_edge(START, "a").compile().stream({"messages": []}, config, stream_mode="messages"))
    assert chunks == [(AIMessage("x", id="x"), _meta("a", 1, thread_id="t", checkpoint_id="c1",
                                                    checkpoint_ns="ns-1", task_id="k"))]
