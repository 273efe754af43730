"""The neutral picture of a graph (nodes, edges, terminals) and its DOT text, built by pure code.

The engine turns a compiled graph into a `DrawableGraph`; everything here is string building with no
I/O, so it is cheap and its output is byte-for-byte deterministic: the same nodes and edges in the same
order, with the same styles, always give the same DOT. Rendering (`render.py`), mermaid text
(`mermaid.py`) and Jupyter display (`display.py`) are thin layers on top, imported only when used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wfkit.constants import END, START

START_ID, END_ID = START, END
NODE_KINDS = ("start", "end", "node")

# One palette for the whole picture, close to LangGraph's mermaid look. Colours are `#rrggbb` because
# older system `dot` builds (Debian's 2.42) draw 3-digit hex colours black.
GRAPH_ATTRS = {"fontname": "Helvetica", "nodesep": "0.35", "ranksep": "0.45", "pad": "0.15",
               "bgcolor": "#ffffff"}
NODE_ATTRS = {"shape": "box", "style": "rounded,filled", "fillcolor": "#f2f0ff", "color": "#6e5ec8",
              "fontcolor": "#1f1b3a", "fontname": "Helvetica", "fontsize": "12", "penwidth": "1.2",
              "margin": "0.18,0.07", "height": "0.4"}
EDGE_ATTRS = {"color": "#55536a", "fontcolor": "#55536a", "fontname": "Helvetica", "fontsize": "10",
              "arrowsize": "0.7"}
KIND_ATTRS = {
    "start": {"shape": "ellipse", "style": "filled", "fillcolor": "#ffffff", "fontsize": "10",
              "height": "0.3"},
    "end": {"shape": "ellipse", "style": "filled", "fillcolor": "#bfb6fc", "fontsize": "10",
            "height": "0.3"},
    "node": {},
}

_ATTR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

NodeStyles = dict[str, dict[str, str]]
EdgeStyles = dict[tuple[str, str], dict[str, str]]


@dataclass(frozen=True)
class DrawNode:
    """One box of the picture: `id` is the node's name, `label` what is written in it (default: the id)."""

    id: str
    label: str | None = None
    kind: str = "node"
    metadata: dict | None = None  # shown under the name, as LangGraph's node metadata
    source: tuple[str, ...] = ()  # what runs the node, as the dotted path of its function (for `to_json`)

    def __post_init__(self):
        if not isinstance(self.id, str):
            raise TypeError(f"DrawNode id must be a str, got {self.id!r} ({type(self.id).__name__})")
        if self.kind not in NODE_KINDS:
            raise ValueError(f"DrawNode `{self.id}` has kind `{self.kind}`; use one of: start, end, node")

    @property
    def text(self) -> str:
        """What the picture writes in the node."""
        return self.id if self.label is None else self.label


@dataclass(frozen=True)
class DrawEdge:
    """An arrow; `conditional` ones (from `add_conditional_edges`) are drawn dashed, with `label` if given."""

    source: str
    target: str
    label: str | None = None
    conditional: bool = False


@dataclass
class DrawableGraph:
    """A graph ready to draw: DOT text, SVG, PNG, mermaid text; shows itself as a picture in Jupyter."""

    nodes: list[DrawNode]
    edges: list[DrawEdge]
    name: str = "graph"

    def __post_init__(self):
        self.nodes = list(self.nodes)
        self.edges = list(self.edges)
        seen = set()
        for node in self.nodes:
            if node.id in seen:
                raise ValueError(f"graph `{self.name}` has two nodes with id `{node.id}`; ids must be unique")
            seen.add(node.id)
        for edge in self.edges:
            for end in (edge.source, edge.target):
                if end not in seen:
                    raise ValueError(f"edge `{edge.source}` -> `{edge.target}` of graph `{self.name}` names "
                                     f"`{end}`, which is not one of its nodes; add DrawNode({end!r}) first")

    def node(self, node_id: str) -> DrawNode:
        """The node with this id (KeyError naming the known ids otherwise)."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(f"`{node_id}` is not a node of graph `{self.name}`; its nodes are: {self._id_list()}")

    def _id_list(self) -> str:
        return ", ".join(node.id for node in self.nodes)

    def to_dot(self, node_styles: NodeStyles | None = None, edge_styles: EdgeStyles | None = None, *,
               graph_styles: dict[str, str] | None = None) -> str:
        """DOT source. `node_styles[id]`, `edge_styles[(source, target)]` and `graph_styles` add or override
        DOT attributes of a node, an edge, the whole graph."""
        node_styles = node_styles or {}
        edge_styles = edge_styles or {}
        self._check_style_keys(node_styles, edge_styles)
        lines = [f"digraph {quote(self.name)} {{",
                 f"\tgraph [{format_attrs({**GRAPH_ATTRS, **(graph_styles or {})})}];",
                 f"\tnode [{format_attrs(NODE_ATTRS)}];",
                 f"\tedge [{format_attrs(EDGE_ATTRS)}];"]
        for node in self.nodes:
            attrs = {"label": node.text, **KIND_ATTRS[node.kind], **node_styles.get(node.id, {})}
            lines.append(f"\t{quote(node.id)} [{format_attrs(attrs)}];")
        for edge in self.edges:
            attrs = {}
            if edge.label is not None:
                attrs["label"] = edge.label
            if edge.conditional:
                attrs["style"] = "dashed"
            attrs.update(edge_styles.get((edge.source, edge.target), {}))
            suffix = f" [{format_attrs(attrs)}]" if attrs else ""
            lines.append(f"\t{quote(edge.source)} -> {quote(edge.target)}{suffix};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def _check_style_keys(self, node_styles: NodeStyles, edge_styles: EdgeStyles) -> None:
        # A typo in a style key would otherwise be silently ignored and the picture just look wrong.
        # The lists are read afresh (not indexed once) because callers may append to them after creation.
        ids = {node.id for node in self.nodes}
        for node_id in node_styles:
            if node_id not in ids:
                raise ValueError(f"node_styles names `{node_id}`, which is not a node of graph `{self.name}`; "
                                 f"its nodes are: {self._id_list()}")
        pairs = {(edge.source, edge.target) for edge in self.edges}
        for pair in edge_styles:
            if pair not in pairs:
                raise ValueError(f"edge_styles names {pair!r}, which is not an edge of graph `{self.name}`; "
                                 f"key it by (source, target) of an existing edge")

    def draw_svg(self, node_styles: NodeStyles | None = None, edge_styles: EdgeStyles | None = None, *,
                 graph_styles: dict[str, str] | None = None) -> str:
        """The picture as SVG text, rendered by the local Graphviz program (see `wfkit.drawing.render`)."""
        from wfkit.drawing.render import render_svg

        return render_svg(self.to_dot(node_styles, edge_styles, graph_styles=graph_styles))

    def draw_png(self, output_file_path: str | None = None, node_styles: NodeStyles | None = None,
                 edge_styles: EdgeStyles | None = None, *, graph_styles: dict[str, str] | None = None) -> bytes:
        """The picture as PNG bytes; also written to `output_file_path` when given."""
        from wfkit.drawing.render import render

        png = render(self.to_dot(node_styles, edge_styles, graph_styles=graph_styles), "png")
        if output_file_path is not None:
            with open(output_file_path, "wb") as out:
                out.write(png)
        return png

    def draw_mermaid(self, *, with_styles: bool = True, curve_style: str = "linear") -> str:
        """Mermaid flowchart text, in the layout LangGraph's `draw_mermaid()` prints."""
        from wfkit.drawing.mermaid import to_mermaid

        return to_mermaid(self, with_styles=with_styles, curve_style=curve_style)

    def draw_mermaid_png(self, *, output_file_path: str | None = None, background_color: str | None = "white",
                         **langgraph_options) -> bytes:
        """PNG bytes of the graph, rendered offline.

        LangGraph's `draw_mermaid_png()` sends the mermaid text to the mermaid.ink web service. wfkit never
        touches the network to show a graph: it renders the same nodes and edges (terminals, dashed and
        labelled conditional edges) to PNG with the local Graphviz program instead, so the picture looks
        like `draw_png()`, not like mermaid's. LangGraph's other options (`draw_method`, `curve_style`,
        `node_colors`, `padding`, ...) are accepted so its tutorials run, and ignored.
        """
        from wfkit.drawing.mermaid import check_mermaid_png_options
        from wfkit.drawing.render import render

        check_mermaid_png_options(langgraph_options)
        graph_styles = {"bgcolor": background_color} if background_color is not None else None
        png = render(self.to_dot(graph_styles=graph_styles), "png")
        if output_file_path is not None:
            with open(output_file_path, "wb") as out:
                out.write(png)
        return png

    def to_json(self) -> dict[str, list[dict]]:
        """`{"nodes": [...], "edges": [...]}` in the shape of LangGraph's `get_graph().to_json()`; a node's
        `data.id` is the dotted path of its function (LangGraph's names its internal wrapper class)."""
        nodes = []
        for node in self.nodes:
            entry: dict = {"id": node.id}
            if node.kind != "end":
                entry.update(type="runnable", data={"id": list(node.source), "name": node.id})
            if node.metadata:
                entry["metadata"] = dict(node.metadata)
            nodes.append(entry)
        edges = []
        for edge in self.edges:
            entry = {"source": edge.source, "target": edge.target}
            if edge.label is not None:
                entry["data"] = edge.label
            if edge.conditional:
                entry["conditional"] = True
            edges.append(entry)
        return {"nodes": nodes, "edges": edges}

    def summary(self) -> str:
        """A text description: one line per edge (`-.->` marks a conditional one)."""
        lines = [f"DrawableGraph `{self.name}`: {len(self.nodes)} nodes, {len(self.edges)} edges"]
        for edge in self.edges:
            arrow = "-.->" if edge.conditional else "-->"
            label = f"  [{edge.label}]" if edge.label is not None else ""
            lines.append(f"  {edge.source} {arrow} {edge.target}{label}")
        return "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Jupyter: the SVG picture plus the text summary; rendered locally, never over the network."""
        from wfkit.drawing.display import mimebundle

        return mimebundle({"image/svg+xml": self.draw_svg, "text/plain": self.summary}, include, exclude)


def quote(text: str) -> str:
    """A DOT quoted string for `text`, safe for ids and escString attributes alike.

    Backslashes are doubled so that a label never turns into a Graphviz escape such as `\\N` or `\\l`
    (and a name ending in a backslash cannot swallow the closing quote); newlines become `\\n`.
    """
    escaped = (str(text).replace("\\", "\\\\").replace('"', '\\"')
               .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))
    return f'"{escaped}"'


def format_attrs(attrs: dict[str, str]) -> str:
    """`key="value", ...` in the dict's order (which is fixed, so the DOT text is deterministic)."""
    for key in attrs:
        if not _ATTR_NAME.match(key):
            raise ValueError(f"`{key}` is not a DOT attribute name; use names like `fillcolor` or `penwidth`")
    return ", ".join(f"{key}={quote(value)}" for key, value in attrs.items())
