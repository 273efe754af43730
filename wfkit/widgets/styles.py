"""The look of a marked graph: one colour set per node state, the taken-edge pen, and the legend's HTML.

Only attributes that leave the layout alone appear here (fill, border and text colours, the border's
dash, the SVG class; an edge's colour and pen width): node sizes and ranks never change while a run is
stepped, so the picture does not jump. Pure data and string building: no ipywidgets import.
"""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class NodeLook:
    """How a node in one state is drawn, and the legend's words for that state."""

    state: str
    fill: str
    border: str
    font: str
    meaning: str
    dashed: bool = False


# Highest precedence first: a node both visited and current is shown as current; a failed node
# stays failed whatever else it is marked.
NODE_LOOKS = (
    NodeLook("failed", "#ffd6d6", "#c62828", "#7f1010", "raised an error"),
    # magenta, not violet: unmarked nodes are drawn in LangGraph's lavender and must not look paused
    NodeLook("interrupted", "#ffc0e8", "#d01c8b", "#5a0a3c", "paused by interrupt(), waiting for an answer"),
    NodeLook("running", "#fff3bf", "#e8590c", "#5c2600", "running now", dashed=True),
    NodeLook("current", "#ffcf5c", "#b7791f", "#3d2a00", "ran in the superstep shown"),
    NodeLook("next", "#e0ecff", "#2f6fd6", "#0f2f66", "planned for the next superstep", dashed=True),
    NodeLook("visited", "#dcefe0", "#4f8a5b", "#1f3d26", "ran in an earlier superstep"),
)
STATES = tuple(look.state for look in NODE_LOOKS)
LOOKS = {look.state: look for look in NODE_LOOKS}

TAKEN_EDGE = {"color": "#e8590c", "fontcolor": "#e8590c", "penwidth": "2.4", "class": "wf-taken"}
TAKEN_MEANING = "followed into the superstep shown"


@dataclass(frozen=True)
class EdgeLook:
    """How an edge in one state is drawn (its DOT attributes), and the legend's words for that state."""

    state: str
    attrs: dict
    meaning: str


# Lowest precedence first: an edge taken earlier and again into the step shown is drawn as taken.
EDGE_LOOKS = (
    EdgeLook("not taken", {"color": "#b8b8c8", "fontcolor": "#9a9aaa", "style": "dotted", "class": "wf-not-taken"},
             "a route its router did not choose"),
    EdgeLook("path", {"color": "#4f8a5b", "fontcolor": "#1f3d26", "penwidth": "1.8", "class": "wf-path"},
             "taken earlier on the way here (×n: n times)"),
    EdgeLook("waiting", {"color": "#2f6fd6", "fontcolor": "#0f2f66", "style": "dotted", "penwidth": "1.8",
                         "class": "wf-waiting"}, "a join still waits for its source"),
    EdgeLook("chosen", {"color": "#2f6fd6", "fontcolor": "#0f2f66", "style": "dashed", "penwidth": "1.8",
                        "class": "wf-chosen"}, "the route chosen: runs next"),
    EdgeLook("taken", TAKEN_EDGE, TAKEN_MEANING),
)
EDGE_LOOK = {look.state: look for look in EDGE_LOOKS}

# Terminals are ellipses without the `rounded` style; keep each shape's own style when adding `dashed`.
_BASE_STYLE = {"start": "filled", "end": "filled", "node": "rounded,filled"}


def node_attrs(state: str, kind: str) -> dict[str, str]:
    """DOT attributes for a node of `kind` (start/end/node) shown in `state`."""
    look = LOOKS[state]
    attrs = {"fillcolor": look.fill, "color": look.border, "fontcolor": look.font, "class": f"wf-{state}"}
    if look.dashed:
        attrs["style"] = _BASE_STYLE[kind] + ",dashed"
    return attrs


def legend_html() -> str:
    """A row of swatches with each state's name, and under it the meanings, folded: one or two lines even in
    a narrow column (each name's meaning is also its tooltip)."""
    items, meanings = [], []
    for look in NODE_LOOKS:
        border = "dashed" if look.dashed else "solid"
        swatch = (f'<span style="display:inline-block;width:14px;height:10px;margin-right:4px;'
                  f'vertical-align:middle;border-radius:3px;background-color:{look.fill};'
                  f'border:1.5px {border} {look.border}"></span>')
        items.append(_legend_item(swatch, look.state, look.meaning))
        meanings.append(_meaning(look.state, look.meaning))
    for look in reversed(EDGE_LOOKS):
        line = look.attrs.get("style", "solid")
        arrow = (f'<span style="display:inline-block;width:16px;margin-right:4px;vertical-align:middle;'
                 f'border-top:2.5px {line} {look.attrs["color"]}"></span>')
        if look.state == "taken":  # the row keeps to two lines in a narrow column: the other edges are folded
            items.append(_legend_item(arrow, f"{look.state} edge", look.meaning))
        meanings.append(f'<div>{arrow}<b>{html.escape(look.state)} edge</b>: {html.escape(look.meaning)}</div>')
    return ('<div class="wf-legend" style="font-size:12px;font-family:Helvetica,Arial,sans-serif;color:#333333">'
            '<div style="display:flex;flex-wrap:wrap;gap:2px 10px">' + "".join(items) + "</div>"
            '<details class="wf-legend-meanings"><summary style="cursor:pointer;color:#555555">'
            "what the marks mean</summary>" + "".join(meanings) + "</details></div>")


def _legend_item(swatch: str, name: str, meaning: str) -> str:
    return (f'<span class="wf-legend-item" style="white-space:nowrap" title="{html.escape(meaning)}">{swatch}'
            f"<b>{html.escape(name)}</b></span>")


def _meaning(name: str, meaning: str) -> str:
    return f"<div><b>{html.escape(name)}</b>: {html.escape(meaning)}</div>"
