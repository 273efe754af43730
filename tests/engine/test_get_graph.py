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
        ("__start__", "router", None, False), ("router", "left", None, True), ("router", "right", None, True)]
