"""The neutral model and its DOT text: exact output, escaping, styles, validation."""

import pytest

from wfkit.drawing import DrawableGraph, DrawEdge, DrawNode
from wfkit.drawing.graph import quote

HEADER = (
    '\tgraph [fontname="Helvetica", nodesep="0.35", ranksep="0.45", pad="0.15", bgcolor="#ffffff"];\n'
    '\tnode [shape="box", style="rounded,filled", fillcolor="#f2f0ff", color="#6e5ec8", fontcolor="#1f1b3a", '
    'fontname="Helvetica", fontsize="12", penwidth="1.2", margin="0.18,0.07", height="0.4"];\n'
    '\tedge [color="#55536a", fontcolor="#55536a", fontname="Helvetica", fontsize="10", arrowsize="0.7"];\n'
)
START = ('\t"__start__" [label="__start__", shape="ellipse", style="filled", fillcolor="#ffffff", fontsize="10", '
         'height="0.3"];\n')
END = ('\t"__end__" [label="__end__", shape="ellipse", style="filled", fillcolor="#bfb6fc", fontsize="10", '
       'height="0.3"];\n')


def test_small_graph_dot_text_is_exact(small_graph):
    assert small_graph.to_dot() == (
        'digraph "essay" {\n' + HEADER + START +
        '\t"plan" [label="plan"];\n'
        '\t"write" [label="Write it"];\n' + END +
        '\t"__start__" -> "plan";\n'
        '\t"plan" -> "write" [label="draft", style="dashed"];\n'
        '\t"plan" -> "__end__" [style="dashed"];\n'
        '\t"write" -> "__end__";\n'
        "}\n"
    )


def test_same_graph_gives_same_dot_bytes(small_graph):
    twin = DrawableGraph(list(small_graph.nodes), list(small_graph.edges), name="essay")
    assert twin.to_dot().encode() == small_graph.to_dot().encode()


def test_node_and_edge_styles_override_and_extend_defaults(small_graph):
    dot = small_graph.to_dot(node_styles={"plan": {"fillcolor": "#ffcf5c", "class": "wf-current"}},
                             edge_styles={("plan", "write"): {"color": "#e8590c", "penwidth": "2.5"}},
                             graph_styles={"bgcolor": "#000000"})
    assert '\t"plan" [label="plan", fillcolor="#ffcf5c", class="wf-current"];\n' in dot
    assert '\t"plan" -> "write" [label="draft", style="dashed", color="#e8590c", penwidth="2.5"];\n' in dot
    assert 'pad="0.15", bgcolor="#000000"];\n' in dot
    # a style may replace a terminal's default in place, keeping the attribute order stable
    dot = small_graph.to_dot(node_styles={"__end__": {"fillcolor": "#ff0000"}})
    assert ('\t"__end__" [label="__end__", shape="ellipse", style="filled", fillcolor="#ff0000", '
            'fontsize="10", height="0.3"];\n') in dot


def test_ids_and_labels_are_quoted_and_escaped():
    graph = DrawableGraph(
        [DrawNode('a"b'), DrawNode("<x>", label="x & <y>"), DrawNode("back\\", label="two\nlines\\N"),
         DrawNode("graph")],
        [DrawEdge('a"b', "<x>", label='say "hi"', conditional=True), DrawEdge("<x>", "back\\"),
         DrawEdge("back\\", "graph")],
        name="my graph",
    )
    body = graph.to_dot().split(HEADER)[1]
    assert graph.to_dot().startswith('digraph "my graph" {\n')
    assert body == (
        '\t"a\\"b" [label="a\\"b"];\n'
        '\t"<x>" [label="x & <y>"];\n'
        '\t"back\\\\" [label="two\\nlines\\\\N"];\n'
        '\t"graph" [label="graph"];\n'
        '\t"a\\"b" -> "<x>" [label="say \\"hi\\"", style="dashed"];\n'
        '\t"<x>" -> "back\\\\";\n'
        '\t"back\\\\" -> "graph";\n'
        "}\n"
    )


def test_quote_turns_newlines_into_dot_escapes():
    assert quote("a\r\nb\rc\nd") == '"a\\nb\\nc\\nd"'


def test_bad_attribute_name_names_the_culprit(small_graph):
    with pytest.raises(ValueError) as caught:
        small_graph.to_dot(node_styles={"plan": {"fill color": "#ffffff"}})
    assert str(caught.value) == "`fill color` is not a DOT attribute name; use names like `fillcolor` or `penwidth`"


def test_styles_for_unknown_node_or_edge_are_rejected(small_graph):
    with pytest.raises(ValueError) as caught:
        small_graph.to_dot(node_styles={"plna": {"fillcolor": "#ffffff"}})
    assert str(caught.value) == ("node_styles names `plna`, which is not a node of graph `essay`; "
                                 "its nodes are: __start__, plan, write, __end__")
    with pytest.raises(ValueError) as caught:
        small_graph.to_dot(edge_styles={("write", "plan"): {"color": "#ffffff"}})
    assert str(caught.value) == ("edge_styles names ('write', 'plan'), which is not an edge of graph `essay`; "
                                 "key it by (source, target) of an existing edge")


def test_model_validation_errors_name_the_culprit():
    with pytest.raises(ValueError) as caught:
        DrawNode("a", kind="middle")
    assert str(caught.value) == "DrawNode `a` has kind `middle`; use one of: start, end, node"
    with pytest.raises(TypeError) as caught:
        DrawNode(3)
    assert str(caught.value) == "DrawNode id must be a str, got 3 (int)"
    with pytest.raises(ValueError) as caught:
        DrawableGraph([DrawNode("a"), DrawNode("a")], [])
    assert str(caught.value) == "graph `graph` has two nodes with id `a`; ids must be unique"
    with pytest.raises(ValueError) as caught:
        DrawableGraph([DrawNode("a")], [DrawEdge("a", "b")])
    assert str(caught.value) == ("edge `a` -> `b` of graph `graph` names `b`, which is not one of its nodes; "
                                 "add DrawNode('b') first")


def test_node_lookup(small_graph):
    assert small_graph.node("write") == DrawNode("write", label="Write it")
    with pytest.raises(KeyError) as caught:
        small_graph.node("read")
    assert caught.value.args[0] == "`read` is not a node of graph `essay`; its nodes are: __start__, plan, write, __end__"


def test_summary_lists_every_edge(small_graph):
    assert small_graph.summary() == (
        "DrawableGraph `essay`: 4 nodes, 4 edges\n"
        "  __start__ --> plan\n"
        "  plan -.-> write  [draft]\n"
        "  plan -.-> __end__\n"
        "  write --> __end__"
    )
