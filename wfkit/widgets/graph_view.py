"""`GraphView`: the graph's picture inside Jupyter, with nodes marked current / next / visited / interrupted /
failed and the edges just taken highlighted.

The SVG is rendered on the Python side (see `wfkit.drawing.render`) and shown inline in an
`ipywidgets.HTML`, so the same picture also reaches GitHub, nbviewer and nbval through
`_repr_mimebundle_`. Marking changes only colours and pen widths, never node sizes or ranks, so the
layout stays put while a run is stepped. Each distinct set of marks is rendered once and cached.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable

try:
    import ipywidgets
    import traitlets
except ImportError as exc:  # ipywidgets is an extra; the engine and drawing layer never need it
    raise ImportError('wfkit.widgets needs ipywidgets: pip install "wfkit[widgets]"') from exc

from wfkit.drawing.display import mimebundle
from wfkit.drawing.graph import DrawableGraph
from wfkit.drawing.render import render_svg
from wfkit.seam import drawable as picture_of
from wfkit.widgets._html_widget import SafeHTML
from wfkit.widgets._static import graph_snapshot
from wfkit.widgets.styles import STATES, TAKEN_EDGE, legend_html, node_attrs

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CACHE_SIZE = 128
_SVG_SIZE = re.compile(r'\b(width|height)="([0-9.]+)pt"')


class GraphView(ipywidgets.VBox):
    """The picture of `graph` (a `DrawableGraph`, or anything whose `.get_graph()` returns one).

    `mark(current=..., next=..., ...)` sets every mark at once; the traits of the same names hold them
    (tuples of node ids; `taken_edges` a tuple of `(source, target)` pairs) and can be observed.
    """

    current = traitlets.Tuple(help="nodes running in this superstep")
    next = traitlets.Tuple(help="nodes planned for the next superstep")
    visited = traitlets.Tuple(help="nodes that ran in an earlier superstep")
    interrupted = traitlets.Tuple(help="nodes paused by interrupt()")
    failed = traitlets.Tuple(help="nodes that raised an error")
    taken_edges = traitlets.Tuple(help="(source, target) edges followed into the current superstep")
    zoom = traitlets.Float(1.0, help="scale of the picture; only its display size changes")

    def __init__(self, graph, *, zoom: float = 1.0, max_height: int = 600, **kwargs):
        self.graph = _drawable(graph)
        self._node_ids = {node.id for node in self.graph.nodes}
        self._edge_ids = {(edge.source, edge.target) for edge in self.graph.edges}
        self._cache: OrderedDict[tuple, str] = OrderedDict()
        self._batching = False
        self._max_height = max_height
        self._svg = ""
        self._picture = SafeHTML()
        self._zoom_slider = ipywidgets.FloatSlider(value=zoom, min=0.25, max=3.0, step=0.05,
                                                   description="zoom", readout_format=".0%",
                                                   continuous_update=False)
        legend = SafeHTML(legend_html())
        super().__init__(children=[self._zoom_slider, self._picture, legend], **kwargs)
        self.zoom = zoom
        traitlets.link((self._zoom_slider, "value"), (self, "zoom"))
        self._refresh()

    def mark(self, current=(), next=(), visited=(), interrupted=(), failed=(), taken_edges=()) -> None:
        """Replace all marks and redraw once. Node ids may be given as one string or an iterable."""
        marks = {"current": _id_tuple(current), "next": _id_tuple(next), "visited": _id_tuple(visited),
                 "interrupted": _id_tuple(interrupted), "failed": _id_tuple(failed)}
        edges = tuple(tuple(edge) for edge in taken_edges)
        for state, ids in marks.items():
            self._check_nodes(state, ids)
        self._check_edges(edges)
        self._batching = True  # one redraw for all six traits, not one per trait
        try:
            for state, ids in marks.items():
                setattr(self, state, ids)
            self.taken_edges = edges
        finally:
            self._batching = False
        self._refresh()

    def clear(self) -> None:
        """Remove every mark."""
        self.mark()

    @property
    def svg(self) -> str:
        """The current picture as a standalone SVG document (at zoom 1)."""
        return self._svg

    def summary(self) -> str:
        """Text saying which nodes are current and next (and any other marks), for text-only front ends."""
        lines = [f"GraphView of `{self.graph.name}` ({len(self.graph.nodes)} nodes)"]
        for state in ("current", "next", "visited", "interrupted", "failed"):
            ids = getattr(self, state)
            if ids or state in ("current", "next"):
                lines.append(f"{state}: {', '.join(ids) if ids else '(none)'}")
        if self.taken_edges:
            lines.append("taken edges: " + ", ".join(f"{a} -> {b}" for a, b in self.taken_edges))
        return "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        # A live front end shows the widget; GitHub, nbviewer and nbval fall back to the static SVG and text.
        widget_view = super()._repr_mimebundle_(**kwargs).get(WIDGET_VIEW)
        formats = {WIDGET_VIEW: lambda: widget_view} if widget_view is not None else {}
        formats.update({"text/html": lambda: graph_snapshot(self), "image/svg+xml": lambda: self._svg,
                        "text/plain": self.summary})
        return mimebundle(formats, include, exclude)

    @traitlets.observe("current", "next", "visited", "interrupted", "failed", "taken_edges")
    def _on_marks(self, change):
        if not self._batching:
            for state in STATES:
                self._check_nodes(state, getattr(self, state))
            self._check_edges(self.taken_edges)
            self._refresh()

    @traitlets.observe("zoom")
    def _on_zoom(self, change):
        if self._svg:  # zooming reuses the rendered SVG: only its width/height attributes change
            self._picture.value = self._html()

    def _refresh(self) -> None:
        state_of: dict[str, str] = {}
        for state in reversed(STATES):  # lowest precedence first, so higher ones overwrite
            for node_id in getattr(self, state):
                state_of[node_id] = state
        key = (tuple(sorted(state_of.items())), tuple(sorted(set(self.taken_edges))))
        svg = self._cache.get(key)
        if svg is None:
            node_styles = {node_id: node_attrs(state, self.graph.node(node_id).kind)
                           for node_id, state in state_of.items()}
            edge_styles = {edge: dict(TAKEN_EDGE) for edge in key[1]}
            svg = render_svg(self.graph.to_dot(node_styles, edge_styles))
            self._cache[key] = svg
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        self._svg = svg
        self._picture.value = self._html()

    def _html(self) -> str:
        inline = self._svg[self._svg.index("<svg"):]  # the XML declaration and DOCTYPE are not valid in HTML
        root_end = inline.index(">")  # scale only the root's size; the viewBox keeps the drawing intact
        root = _SVG_SIZE.sub(lambda m: f'{m[1]}="{round(float(m[2]) * self.zoom, 2):g}pt"', inline[:root_end])
        scaled = root + inline[root_end:]
        return (f'<div class="wf-graph-view" style="overflow:auto;max-height:{self._max_height}px;'
                f'max-width:100%;border:1px solid #e0e0e0;border-radius:4px;background-color:#ffffff">'
                f"{scaled}</div>")

    def _check_nodes(self, state: str, ids: tuple) -> None:
        unknown = [node_id for node_id in ids if node_id not in self._node_ids]
        if unknown:
            raise ValueError(f"GraphView.mark({state}=...) names {', '.join(f'`{u}`' for u in unknown)}, not "
                             f"a node of graph `{self.graph.name}`; its nodes are: "
                             f"{', '.join(node.id for node in self.graph.nodes)}")

    def _check_edges(self, edges: tuple) -> None:
        for edge in edges:
            if edge not in self._edge_ids:
                raise ValueError(f"GraphView.mark(taken_edges=...) names {edge!r}, not an edge of graph "
                                 f"`{self.graph.name}`; give (source, target) pairs of its edges")


def _drawable(graph) -> DrawableGraph:
    if isinstance(graph, DrawableGraph):
        return graph
    get_graph = getattr(graph, "get_graph", None)
    if get_graph is None:
        raise TypeError(f"GraphView needs a DrawableGraph or a compiled graph (anything with .get_graph()); "
                        f"got {type(graph).__name__}")
    drawable = picture_of(graph)  # (a LangGraph graph's picture, converted)
    if not isinstance(drawable, DrawableGraph):
        raise TypeError(f"{type(graph).__name__}.get_graph() returned {type(drawable).__name__}, "
                        f"not a wfkit.drawing.DrawableGraph")
    return drawable


def _id_tuple(ids: str | Iterable[str]) -> tuple[str, ...]:
    # One name given as a plain string would otherwise be split into its letters.
    return (ids,) if isinstance(ids, str) else tuple(ids)
