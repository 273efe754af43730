"""Mermaid text: LangGraph's layout, safe ids and labels, offline PNG options."""

import pytest

from wfkit.drawing import DrawableGraph, DrawEdge, DrawNode
from wfkit.drawing.mermaid import mermaid_ids


def test_small_graph_mermaid_text_is_exact(small_graph):
    assert small_graph.draw_mermaid() == (
        "---\n"
        "config:\n"
        "  flowchart:\n"
        "    curve: linear\n"
        "---\n"
        "graph TD;\n"
        "\t__start__([<p>__start__</p>]):::first\n"
        "\tplan(plan)\n"
        "\twrite(Write it)\n"
        "\t__end__([<p>__end__</p>]):::last\n"
        "\t__start__ --> plan;\n"
        "\tplan -. &nbsp;draft&nbsp; .-> write;\n"
        "\tplan -.-> __end__;\n"
        "\twrite --> __end__;\n"
        "\tclassDef default fill:#f2f0ff,line-height:1.2\n"
        "\tclassDef first fill-opacity:0\n"
        "\tclassDef last fill:#bfb6fc\n"
    )


def test_without_styles_and_other_curve(small_graph):
    assert small_graph.draw_mermaid(with_styles=False) == (
        "graph TD;\n"
        "\t__start__([<p>__start__</p>])\n"
        "\tplan(plan)\n"
        "\twrite(Write it)\n"
        "\t__end__([<p>__end__</p>])\n"
        "\t__start__ --> plan;\n"
        "\tplan -. &nbsp;draft&nbsp; .-> write;\n"
        "\tplan -.-> __end__;\n"
        "\twrite --> __end__;\n"
    )
    assert "    curve: basis\n" in small_graph.draw_mermaid(curve_style="basis")


def test_odd_names_get_hex_ids_and_entity_coded_labels():
    graph = DrawableGraph(
        [DrawNode('a"b'), DrawNode("end"), DrawNode("<x>", label="x & <y>\nz")],
        [DrawEdge('a"b', "end", label="a|b (c)"), DrawEdge("end", "<x>", conditional=True)],
    )
    assert graph.draw_mermaid(with_styles=False) == (
        "graph TD;\n"
        '\tn_612262("a#34;b")\n'
        "\tn_656e64(end)\n"
        '\tn_3c783e("x #38; #60;y#62;<br>z")\n'
        "\tn_612262 -- &nbsp;a#124;b #40;c#41;&nbsp; --> n_656e64;\n"
        "\tn_656e64 -.-> n_3c783e;\n"
    )


def test_encoded_id_never_collides_with_a_plain_name():
    assert mermaid_ids(["n_656e64", "end"]) == {"n_656e64": "n_656e64", "end": "n_656e64_"}


def test_draw_mermaid_png_accepts_langgraph_options_and_rejects_typos(small_graph, tmp_path):
    target = tmp_path / "g.png"
    png = small_graph.draw_mermaid_png(draw_method="api", curve_style="linear", max_retries=3,
                                       output_file_path=str(target))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert target.read_bytes() == png
    with pytest.raises(TypeError) as caught:
        small_graph.draw_mermaid_png(drawmethod="api")
    assert str(caught.value) == (
        "draw_mermaid_png() got unexpected keyword argument(s) `drawmethod`; it takes output_file_path, "
        "background_color and LangGraph's base_url, curve_style, draw_method, frontmatter_config, "
        "max_retries, node_colors, padding, proxies, retry_delay, wrap_label_n_words")
