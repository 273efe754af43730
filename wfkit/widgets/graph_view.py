"""`GraphView`: the graph's picture inside Jupyter, with nodes marked running / current / next / visited /
interrupted / failed, the path taken so far (with how often), the route just chosen and the routes not
taken, joins still waiting, and each Send task's input.

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
from wfkit.widgets._picture import freeze, picture_styles
from wfkit.widgets._saved import SavedView
from wfkit.widgets._static import graph_snapshot
from wfkit.widgets.styles import STATES, legend_html

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CACHE_SIZE = 128
_SVG_SIZE = re.compile(r'\b(width|height)="([0-9.]+)pt"')


class GraphView(SavedView, ipywidgets.VBox):
    """The picture of `graph` (a `DrawableGraph`, or anything whose `.get_graph()` returns one).

    `mark(current=..., next=..., ...)` sets every mark at once; the traits of the same names hold them
    (tuples of node ids; `taken_edges` a tuple of `(source, target)` pairs) and can be observed.
    """

    running = traitlets.Tuple(help="nodes running now (a superstep under way)")
    current = traitlets.Tuple(help="nodes that ran in the superstep shown")
    next = traitlets.Tuple(help="nodes planned for the next superstep")
    visited = traitlets.Tuple(help="nodes that ran in an earlier superstep")
    interrupted = traitlets.Tuple(help="nodes paused by interrupt()")
    failed = traitlets.Tuple(help="nodes that raised an error")
    taken_edges = traitlets.Tuple(help="(source, target) edges followed into the superstep shown")
    path_edges = traitlets.Tuple(help="(source, target, count) edges taken on the way here, and how often")
    next_edges = traitlets.Tuple(help="(source, target) edges of the route chosen: what runs next")
    not_taken = traitlets.Tuple(help="(source, target) conditional edges a router did not choose")
    waiting = traitlets.Tuple(help="(join target, (source still awaited, ...)) of each join that waits")
    sends = traitlets.Tuple(help="(node, (input, ...)) of each node that ran as Send tasks")
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

    def mark(self, current=(), next=(), visited=(), interrupted=(), failed=(), taken_edges=(), *, running=(),
             path_edges=(), next_edges=(), not_taken=(), waiting=(), sends=()) -> None:
        """Replace all marks and redraw once. Node ids may be given as one string or an iterable."""
        marks = {"running": _id_tuple(running), "current": _id_tuple(current), "next": _id_tuple(next),
                 "visited": _id_tuple(visited), "interrupted": _id_tuple(interrupted), "failed": _id_tuple(failed)}
        edges = {"taken_edges": tuple(tuple(e) for e in taken_edges),
                 "path_edges": tuple((a, b, int(n)) for a, b, n in path_edges),
                 "next_edges": tuple(tuple(e) for e in next_edges), "not_taken": tuple(tuple(e) for e in not_taken)}
        notes = {"waiting": tuple((node, _id_tuple(ids)) for node, ids in waiting),
                 "sends": tuple((node, tuple(map(str, inputs))) for node, inputs in sends)}
        for state, ids in marks.items():
            self._check_nodes(state, ids)
        for name, pairs in edges.items():
            self._check_edges(pairs, name)
        for name, pairs in notes.items():
            self._check_nodes(name, tuple(node for node, _ in pairs))
        self._batching = True  # one redraw for all the traits, not one per trait
        try:
            for name, value in {**marks, **edges, **notes}.items():
                setattr(self, name, value)
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
        for state in ("running", "current", "next", "visited", "interrupted", "failed"):
            ids = getattr(self, state)
            if ids or state in ("current", "next"):
                lines.append(f"{state}: {', '.join(ids) if ids else '(none)'}")
        if self.taken_edges:
            lines.append("taken edges: " + ", ".join(f"{a} -> {b}" for a, b in self.taken_edges))
        if self.path_edges:
            lines.append("path: " + ", ".join(f"{a} -> {b}" + (f" ×{n}" if n > 1 else "")
                                              for a, b, n in self.path_edges))
        if self.next_edges:
            lines.append("route chosen: " + ", ".join(f"{a} -> {b}" for a, b in self.next_edges))
        if self.not_taken:
            lines.append("not taken: " + ", ".join(f"{a} -> {b}" for a, b in self.not_taken))
        for node, missing in self.waiting:
            lines.append(f"join into {node} waits for: {', '.join(missing)}")
        for node, inputs in self.sends:
            lines.append(f"{node}: {len(inputs)} Send tasks: " + "; ".join(f"#{n} {t}" for n, t in enumerate(inputs, 1)))
        return "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        # A live front end shows the widget; GitHub, nbviewer and nbval fall back to the static SVG and text.
        widget_view = super()._repr_mimebundle_(**kwargs).get(WIDGET_VIEW)
        if widget_view is not None:  # shown in a cell: a saved notebook keeps its last view
            self._keep_saved_view(graph_snapshot, self._picture)
        formats = {WIDGET_VIEW: lambda: widget_view} if widget_view is not None else {}
        formats.update({"text/html": lambda: graph_snapshot(self), "image/svg+xml": lambda: self._svg,
                        "text/plain": self.summary})
        return mimebundle(formats, include, exclude)

    @traitlets.observe(*STATES, "taken_edges", "path_edges", "next_edges", "not_taken", "waiting", "sends")
    def _on_marks(self, change):
        if not self._batching:
            for state in STATES:
                self._check_nodes(state, getattr(self, state))
            for name in ("taken_edges", "next_edges", "not_taken"):
                self._check_edges(getattr(self, name), name)
            self._check_edges(tuple(edge[:2] for edge in self.path_edges), "path_edges")
            self._refresh()

    def marks(self) -> dict[str, tuple]:
        """Every mark, by the name `mark()` takes it under."""
        return {name: getattr(self, name) for name in (*STATES, "taken_edges", "path_edges", "next_edges",
                                                      "not_taken", "waiting", "sends")}

    @traitlets.observe("zoom")
    def _on_zoom(self, change):
        if self._svg:  # zooming reuses the rendered SVG: only its width/height attributes change
            self._picture.value = self._html()

    def _refresh(self) -> None:
        marks = self.marks()
        key = freeze(marks)
        svg = self._cache.get(key)
        if svg is None:
            svg = render_svg(self.graph.to_dot(*picture_styles(self.graph, marks)))
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

    def _check_edges(self, edges: tuple, name: str = "taken_edges") -> None:
        for edge in edges:
            if tuple(edge[:2]) not in self._edge_ids:
                raise ValueError(f"GraphView.mark({name}=...) names {edge!r}, not an edge of graph "
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
