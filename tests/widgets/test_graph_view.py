"""GraphView driven from Python: marks become SVG colours, the layout stays put, the legend, display bundles."""

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from wfkit.drawing import DrawableGraph, DrawEdge, DrawNode
from wfkit.widgets import GraphView
from wfkit.widgets import graph_view as graph_view_module

SVG_NS = "{http://www.w3.org/2000/svg}"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def graph() -> DrawableGraph:
    """A router with three conditional branches joining into `check`."""
    return DrawableGraph(
        nodes=[DrawNode("__start__", kind="start"), DrawNode("router"), DrawNode("poem"), DrawNode("story"),
               DrawNode("joke"), DrawNode("check"), DrawNode("__end__", kind="end")],
        edges=[DrawEdge("__start__", "router"), DrawEdge("router", "poem", label="poem", conditional=True),
               DrawEdge("router", "story", conditional=True), DrawEdge("router", "joke", conditional=True),
               DrawEdge("poem", "check"), DrawEdge("story", "check"), DrawEdge("joke", "check"),
               DrawEdge("check", "__end__")],
        name="stories",
    )


def svg_groups(svg: str, kind: str) -> dict[str, ET.Element]:
    """The SVG's `<g class="node ...">` (or edge) groups by their title."""
    root = ET.fromstring(svg[svg.index("<svg"):])
    return {g.find(SVG_NS + "title").text: g for g in root.iter(SVG_NS + "g")
            if g.get("class", "").split()[0] == kind}


def node_look(svg: str) -> dict[str, tuple[str, str, str]]:
    """title -> (fill, border, class) of each node's outline."""
    looks = {}
    for title, group in svg_groups(svg, "node").items():
        shape = next(child for child in group if child.tag in (SVG_NS + "path", SVG_NS + "ellipse"))
        looks[title] = (shape.get("fill"), shape.get("stroke"), group.get("class"))
    return looks


def layout(svg: str) -> dict[str, tuple]:
    """title -> the geometry of each node (outline and text position): what must not move between marks."""
    geometry = {}
    for title, group in svg_groups(svg, "node").items():
        shape = next(child for child in group if child.tag in (SVG_NS + "path", SVG_NS + "ellipse"))
        text = group.find(SVG_NS + "text")
        geometry[title] = (shape.get("d"), shape.get("cx"), shape.get("cy"), shape.get("rx"), shape.get("ry"),
                           text.get("x"), text.get("y"))
    return geometry


IDLE = ("#f2f0ff", "#6e5ec8", "node")
START_IDLE = ("#ffffff", "#6e5ec8", "node")
END_IDLE = ("#bfb6fc", "#6e5ec8", "node")


def test_unmarked_view_shows_the_plain_graph(graph):
    view = GraphView(graph)
    assert view.svg == graph.draw_svg()
    assert node_look(view.svg) == {"__start__": START_IDLE, "router": IDLE, "poem": IDLE, "story": IDLE,
                                   "joke": IDLE, "check": IDLE, "__end__": END_IDLE}


def test_each_state_has_its_own_fill_border_and_class(graph):
    view = GraphView(graph)
    view.mark(current="poem", next=["check"], visited=["__start__", "router"], interrupted=["joke"],
              failed=["story"])
    assert node_look(view.svg) == {
        "__start__": ("#dcefe0", "#4f8a5b", "node wf-visited"),
        "router": ("#dcefe0", "#4f8a5b", "node wf-visited"),
        "poem": ("#ffcf5c", "#b7791f", "node wf-current"),
        "story": ("#ffd6d6", "#c62828", "node wf-failed"),
        "joke": ("#ffc0e8", "#d01c8b", "node wf-interrupted"),
        "check": ("#e0ecff", "#2f6fd6", "node wf-next"),
        "__end__": END_IDLE,
    }
    check_outline = next(iter(svg_groups(view.svg, "node")["check"].iter(SVG_NS + "path")))
    assert check_outline.get("stroke-dasharray") == "5,2"  # `next` is also told apart without colour


def test_precedence_when_a_node_has_several_marks(graph):
    view = GraphView(graph)
    view.mark(current=["router"], next=["router", "check"], visited=["router", "check", "story"],
              failed=["story"])
    looks = node_look(view.svg)
    assert (looks["router"][2], looks["check"][2], looks["story"][2]) == ("node wf-current", "node wf-next",
                                                                         "node wf-failed")


def test_taken_edges_are_highlighted_and_others_are_not(graph):
    view = GraphView(graph)
    view.mark(current="poem", taken_edges=[("router", "poem")])
    edges = svg_groups(view.svg, "edge")
    taken = edges["router->poem"]
    assert taken.get("class") == "edge wf-taken"
    assert taken.find(SVG_NS + "path").get("stroke") == "#e8590c"
    assert taken.find(SVG_NS + "path").get("stroke-width") == "2.4"
    assert taken.find(SVG_NS + "path").get("stroke-dasharray") == "5,2"  # still a conditional edge
    assert edges["router->story"].find(SVG_NS + "path").get("stroke") == "#55536a"
    assert edges["router->story"].get("class") == "edge"


def test_layout_stays_put_while_stepping(graph):
    view = GraphView(graph)
    plain = view.svg
    view.mark(current="router", visited="__start__", taken_edges=[("__start__", "router")])
    step_one = view.svg
    view.mark(current=["poem"], next=["check"], visited=["__start__", "router"], interrupted=["joke"],
              failed=["story"], taken_edges=[("router", "poem")])
    step_two = view.svg
    assert plain != step_one != step_two
    assert layout(plain) == layout(step_one) == layout(step_two)
    assert len(layout(plain)) == 7
    size = re.compile(r'<svg width="[^"]*" height="[^"]*"\s+viewBox="[^"]*"')
    assert size.search(plain)[0] == size.search(step_one)[0] == size.search(step_two)[0]


def test_traits_hold_the_marks_and_setting_one_redraws(graph):
    view = GraphView(graph)
    view.mark(current="poem", taken_edges=[["router", "poem"]])
    assert (view.current, view.next, view.taken_edges) == (("poem",), (), (("router", "poem"),))
    view.current = ("joke",)
    assert node_look(view.svg)["joke"][2] == "node wf-current"
    assert node_look(view.svg)["poem"] == IDLE


def test_mark_replaces_marks_and_clear_removes_them(graph):
    view = GraphView(graph)
    plain = view.svg
    view.mark(current="poem")
    view.mark(next="check")
    assert (view.current, view.next) == ((), ("check",))
    view.clear()
    assert view.svg == plain
    assert (view.current, view.next, view.visited, view.interrupted, view.failed, view.taken_edges) == \
        ((), (), (), (), (), ())


def test_mark_redraws_once(graph):
    view = GraphView(graph)
    changes = []
    view._picture.observe(changes.append, "value")
    view.mark(current="poem", next="check", visited="router", interrupted="joke", failed="story",
              taken_edges=[("router", "poem")])
    assert len(changes) == 1


def test_each_style_set_is_rendered_once(graph, monkeypatch):
    calls = []
    real = graph_view_module.render_svg

    def counting(dot):
        calls.append(dot)
        return real(dot)

    monkeypatch.setattr(graph_view_module, "render_svg", counting)
    view = GraphView(graph)
    view.mark(current="router")
    first = view.svg
    view.mark(current="poem", visited="router")
    view.mark(current="router")
    view.mark(current=["router"], visited=[])
    view.zoom = 2.0
    view.clear()
    assert len(calls) == 3  # plain, router current, poem current
    assert view.svg == graph.draw_svg()
    view.mark(current="router")
    assert view.svg == first and len(calls) == 3


def test_zoom_scales_the_shown_picture_only(graph):
    view = GraphView(graph, max_height=400)
    svg = view.svg
    width, height = re.search(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"', svg).groups()
    html = view._picture.value
    assert html.startswith('<div class="wf-graph-view" style="overflow:auto;max-height:400px;max-width:100%;')
    assert "<?xml" not in html and "<!DOCTYPE" not in html
    assert f'<svg width="{width}pt" height="{height}pt"' in html
    view._zoom_slider.value = 1.5  # the slider drives the `zoom` trait
    assert view.zoom == 1.5
    assert f'<svg width="{float(width) * 1.5:g}pt" height="{float(height) * 1.5:g}pt"' in view._picture.value
    assert view.svg == svg


def test_legend_explains_every_state():
    view = GraphView(DrawableGraph([DrawNode("a")], []))
    legend = view.children[2].value
    assert re.sub(r"<[^>]+>", "", legend) == (
        "failedinterruptedrunningcurrentnextvisitedtaken edge"  # one compact row; the meanings folded under it
        "what the marks mean"
        "failed: raised an error"
        "interrupted: paused by interrupt(), waiting for an answer"
        "running: running now"
        "current: ran in the superstep shown"
        "next: planned for the next superstep"
        "visited: ran in an earlier superstep"
        "taken edge: followed into the superstep shown"
        "chosen edge: the route chosen: runs next"
        "waiting edge: a join still waits for its source"
        "path edge: taken earlier on the way here (×n: n times)"
        "not taken edge: a route its router did not choose"
    )
    assert "background-color:#fff3bf;border:1.5px dashed #e8590c" in legend
    assert "border-top:2.5px dotted #b8b8c8" in legend
    assert "background-color:#ffcf5c;border:1.5px solid #b7791f" in legend
    assert "background-color:#e0ecff;border:1.5px dashed #2f6fd6" in legend
    assert '<span class="wf-legend-item" style="white-space:nowrap" title="running now">' in legend
    assert '<span class="wf-legend-item" style="white-space:nowrap" title="ran in the superstep shown">' in legend


def test_mimebundle_has_widget_svg_and_summary(graph):
    view = GraphView(graph)
    view.mark(current="poem", visited=["__start__", "router"], taken_edges=[("router", "poem")])
    bundle = view._repr_mimebundle_()
    assert list(bundle) == [WIDGET_VIEW, "text/html", "image/svg+xml", "text/plain"]
    assert bundle[WIDGET_VIEW] == {"version_major": 2, "version_minor": 0, "model_id": view.model_id}
    assert bundle["image/svg+xml"] == view.svg
    assert bundle["text/plain"] == ("GraphView of `stories` (7 nodes)\n"
                                    "current: poem\n"
                                    "next: (none)\n"
                                    "visited: __start__, router\n"
                                    "taken edges: router -> poem")
    assert list(view._repr_mimebundle_(exclude=[WIDGET_VIEW])) == ["text/html", "image/svg+xml", "text/plain"]
    assert view._repr_mimebundle_(include=["text/plain"]) == {"text/plain": bundle["text/plain"]}


def test_accepts_anything_with_get_graph(graph):
    class Compiled:
        def get_graph(self, xray=False):
            return graph

    assert GraphView(Compiled()).graph is graph


def test_wrong_inputs_name_the_culprit_and_the_fix(graph):
    with pytest.raises(TypeError) as caught:
        GraphView(42)
    assert str(caught.value) == ("GraphView needs a DrawableGraph or a compiled graph (anything with "
                                 ".get_graph()); got int")

    class Odd:
        def get_graph(self):
            return "digraph {}"

    with pytest.raises(TypeError) as caught:
        GraphView(Odd())
    assert str(caught.value) == "Odd.get_graph() returned str, not a wfkit.drawing.DrawableGraph"
    view = GraphView(graph)
    with pytest.raises(ValueError) as caught:
        view.mark(current=["poem", "haiku"])
    assert str(caught.value) == ("GraphView.mark(current=...) names `haiku`, not a node of graph `stories`; "
                                 "its nodes are: __start__, router, poem, story, joke, check, __end__")
    with pytest.raises(ValueError) as caught:
        view.mark(taken_edges=[("poem", "router")])
    assert str(caught.value) == ("GraphView.mark(taken_edges=...) names ('poem', 'router'), not an edge of "
                                 "graph `stories`; give (source, target) pairs of its edges")
    assert view.current == ()  # a rejected mark changes nothing


def test_only_wfkit_widgets_imports_ipywidgets():
    code = ("import sys, wfkit.drawing, wfkit.widgets\n"
            "assert 'ipywidgets' not in sys.modules, 'imported too early'\n"
            "wfkit.widgets.GraphView\n"
            "assert 'ipywidgets' in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
