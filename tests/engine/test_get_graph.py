"""A compiled graph draws itself: edges from the spec, conditional ones dashed and labelled, offline."""

import operator
from typing import Annotated, Literal

from typing_extensions import TypedDict

from wfkit import END, START, Send, StateGraph


class S(TypedDict):
    log: Annotated[list, operator.add]


def noop(state):
    return None


def edges(app):
    return sorted((e.source, e.target, e.label, e.conditional) for e in app.get_graph().edges)


def test_path_map_dict_edges_are_dashed_with_their_labels():
    g = StateGraph(S)
    g.add_node("grade", noop)
    g.add_node("fix", noop)
    g.add_edge(START, "grade")
    g.add_conditional_edges("grade", lambda s: "ok", {"Accepted": END, "Rejected + Feedback": "fix"})
    g.add_edge("fix", "grade")
    app = g.compile()
    assert edges(app) == [
        ("__start__", "grade", None, False), ("fix", "grade", None, False),
        ("grade", "__end__", "Accepted", True), ("grade", "fix", "Rejected + Feedback", True)]
    dot = app.get_graph().to_dot()
    assert '"grade" -> "fix" [label="Rejected + Feedback", style="dashed"];' in dot
    assert '"__start__" -> "grade";' in dot


def test_literal_return_hint_gives_the_conditional_targets():
    def route(state) -> Literal["tools", END]:
        return END

    g = StateGraph(S)
    g.add_node("agent", noop)
    g.add_node("tools", noop)
    g.add_edge(START, "agent")
    g.add_conditional_edges("agent", route)
    g.add_edge("tools", "agent")
    assert edges(g.compile()) == [
        ("__start__", "agent", None, False), ("agent", "__end__", None, True), ("agent", "tools", None, True),
        ("tools", "agent", None, False)]


def test_join_and_send_edges():
    g = StateGraph(S)
    for name in ("plan", "work", "a", "merge"):
        g.add_node(name, noop)
    g.add_edge(START, "plan")
    g.add_edge(START, "a")
    g.add_conditional_edges("plan", lambda s: [Send("work", {})], ["work"])
    g.add_edge(["work", "a"], "merge")
    assert edges(g.compile()) == [
        ("__start__", "a", None, False), ("__start__", "plan", None, False), ("a", "merge", None, False),
        ("merge", "__end__", None, False),  # a node that leads nowhere ends the run: LangGraph draws it so
        ("plan", "work", None, True), ("work", "merge", None, False)]


def test_compiled_graph_shows_itself_as_svg_and_png_offline():
    g = StateGraph(S)
    g.add_node("a", noop)
    g.add_edge(START, "a")
    app = g.compile()
    bundle = app._repr_mimebundle_()
    assert sorted(bundle) == ["image/svg+xml", "text/plain"]
    assert "<svg" in bundle["image/svg+xml"] and "<title>a</title>" in bundle["image/svg+xml"]
    assert app.get_graph().draw_mermaid_png()[:8] == b"\x89PNG\r\n\x1a\n"
    assert app.get_graph(xray=True).draw_png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_command_destinations_from_the_return_hint_are_drawn_dashed():
    from wfkit import Command

    def router(state) -> Command[Literal["left", "right"]]:
        return Command(goto="left")

    g = StateGraph(S)
    g.add_node("router", router)
    g.add_node("left", noop)
    g.add_node("right", noop)
    g.add_edge(START, "router")
    assert edges(g.compile()) == [
        ("__start__", "router", None, False), ("left", "__end__", None, False), ("right", "__end__", None, False),
        ("router", "left", None, True), ("router", "right", None, True)]


def _mixed_graph():
    g = StateGraph(S)
    g.add_node("b", noop)
    g.add_node("a", noop, metadata={"k": 1})
    g.add_node("Zed", noop)
    g.add_edge(START, "b")
    g.add_conditional_edges("b", lambda s: "a", {"go": "a", "stop": END, "z": "Zed"})
    g.add_edge("a", "Zed")
    g.add_edge("Zed", END)
    return g.compile()


def test_mermaid_lists_the_edges_in_langgraphs_order():
    # LangGraph 1.2.24 prints exactly this for the same graph (sorted edges, then the edges to END)
    assert _mixed_graph().get_graph().draw_mermaid(with_styles=False) == (
        "graph TD;\n\t__start__ --> b;\n\ta --> Zed;\n\tb -. &nbsp;z&nbsp; .-> Zed;\n"
        "\tb -. &nbsp;stop&nbsp; .-> __end__;\n\tb -. &nbsp;go&nbsp; .-> a;\n\tZed --> __end__;\n")


def test_a_join_and_a_router_from_start_are_listed_as_langgraph():
    g = StateGraph(S)
    for name in ("router", "x1", "x2", "join"):
        g.add_node(name, noop)
    g.add_conditional_edges(START, lambda s: ["x1"], ["x2", "x1"])
    g.add_edge(["x1", "x2"], "join")
    g.add_edge("router", "join")
    g.add_edge(START, "router")
    assert g.compile().get_graph().draw_mermaid(with_styles=False) == (
        "graph TD;\n\t__start__ --> router;\n\t__start__ -.-> x1;\n\t__start__ -.-> x2;\n\trouter --> join;\n"
        "\tx1 --> join;\n\tx2 --> join;\n\tjoin --> __end__;\n")


def test_node_metadata_shows_under_the_name():
    assert "\ta(a<hr/><small><em>k = 1</em></small>)\n" in _mixed_graph().get_graph().draw_mermaid()


def test_a_plain_edge_to_end_beside_other_edges_is_still_drawn():
    # LangGraph leaves `a --> __end__` out of this picture; wfkit keeps it, after the sorted edges
    g = StateGraph(S)
    g.add_node("a", noop)
    g.add_node("b", noop)
    g.add_edge(START, "a")
    g.add_edge("a", "b")
    g.add_edge("a", END)
    assert g.compile().get_graph().draw_mermaid(with_styles=False) == (
        "graph TD;\n\t__start__ --> a;\n\ta --> b;\n\ta --> __end__;\n\tb --> __end__;\n")


def test_to_json_has_langgraphs_shape():
    assert _mixed_graph().get_graph().to_json() == {
        "nodes": [
            {"id": "__start__", "type": "runnable", "data": {"id": ["wfkit", "constants", "START"], "name": "__start__"}},
            {"id": "b", "type": "runnable", "data": {"id": ["tests", "engine", "test_get_graph", "noop"], "name": "b"}},
            {"id": "a", "type": "runnable", "data": {"id": ["tests", "engine", "test_get_graph", "noop"], "name": "a"},
             "metadata": {"k": 1}},
            {"id": "Zed", "type": "runnable", "data": {"id": ["tests", "engine", "test_get_graph", "noop"], "name": "Zed"}},
            {"id": "__end__"}],
        "edges": [
            {"source": "__start__", "target": "b"},
            {"source": "a", "target": "Zed"},
            {"source": "b", "target": "Zed", "data": "z", "conditional": True},
            {"source": "b", "target": "__end__", "data": "stop", "conditional": True},
            {"source": "b", "target": "a", "data": "go", "conditional": True},
            {"source": "Zed", "target": "__end__"}]}
