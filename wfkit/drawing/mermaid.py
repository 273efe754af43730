"""Mermaid flowchart text for a `DrawableGraph`, laid out like LangGraph's `draw_mermaid()`.

Names that are not plain identifiers (or are mermaid keywords such as `end`) get a hex-encoded id so
the text always parses; labels are written with mermaid's `#NN;` entity codes, so quotes, brackets and
angle brackets in a name cannot break the chart. Pure string building, like the DOT text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wfkit.drawing.graph import DrawableGraph

_PLAIN_ID = re.compile(r"[A-Za-z0-9_]+\Z")
_PLAIN_LABEL = re.compile(r"[\w .:,+-]*\Z")
_EDGE_LABEL_SAFE = re.compile(r"[\w .:,+]")
# Words mermaid's flowchart grammar reserves: a node called `end` would close a subgraph instead.
_RESERVED = {"end", "graph", "subgraph", "flowchart", "style", "class", "classDef", "click", "linkStyle",
             "direction", "default"}
_CLASS_DEFS = ("\tclassDef default fill:#f2f0ff,line-height:1.2",
               "\tclassDef first fill-opacity:0",
               "\tclassDef last fill:#bfb6fc")

# Options of LangGraph's `draw_mermaid_png()` that only steer its web service or mermaid's own look.
LANGGRAPH_PNG_OPTIONS = {"curve_style", "node_colors", "wrap_label_n_words", "draw_method", "padding",
                         "max_retries", "retry_delay", "frontmatter_config", "base_url", "proxies"}


def to_mermaid(graph: DrawableGraph, *, with_styles: bool = True, curve_style: object = "linear") -> str:
    """The flowchart text; `curve_style` is a name (or LangGraph's `CurveStyle` member) such as `linear`."""
    ids = mermaid_ids([node.id for node in graph.nodes])
    lines = []
    if with_styles:
        curve = getattr(curve_style, "value", curve_style)
        lines += ["---", "config:", "  flowchart:", f"    curve: {curve}", "---"]
    lines.append("graph TD;")
    # Without styles LangGraph lists the edges only; node lines stay when they say more than the ids do.
    if with_styles or any(ids[node.id] != node.text for node in graph.nodes):
        lines += ["\t" + _node_line(ids[node.id], node.text, node.kind, with_styles, node.metadata)
                  for node in graph.nodes]
    for edge in graph.edges:
        lines.append(f"\t{ids[edge.source]} {_arrow(edge.label, edge.conditional)} {ids[edge.target]};")
    if with_styles:
        lines += _CLASS_DEFS
    return "\n".join(lines) + "\n"


def mermaid_ids(names: list[str]) -> dict[str, str]:
    """A distinct, parseable mermaid id for each name: the name itself when it is a plain identifier."""
    ids: dict[str, str] = {}
    taken = {name for name in names if _is_plain(name)}
    for name in names:
        if _is_plain(name):
            ids[name] = name
            continue
        candidate = "n_" + name.encode("utf-8").hex()
        while candidate in taken:  # only when another node is literally called like the encoding
            candidate += "_"
        taken.add(candidate)
        ids[name] = candidate
    return ids


def check_mermaid_png_options(options: dict[str, object]) -> None:
    """Accept LangGraph's `draw_mermaid_png()` keywords (ignored offline); reject anything else by name."""
    unknown = sorted(set(options) - LANGGRAPH_PNG_OPTIONS)
    if unknown:
        raise TypeError(f"draw_mermaid_png() got unexpected keyword argument(s) "
                        f"{', '.join(f'`{name}`' for name in unknown)}; it takes output_file_path, "
                        f"background_color and LangGraph's {', '.join(sorted(LANGGRAPH_PNG_OPTIONS))}")


def _is_plain(name: str) -> bool:
    return bool(_PLAIN_ID.match(name)) and name not in _RESERVED


def _node_line(mermaid_id: str, text: str, kind: str, with_styles: bool, metadata: dict | None = None) -> str:
    if kind in ("start", "end"):
        suffix = (":::first" if kind == "start" else ":::last") if with_styles else ""
        return f"{mermaid_id}([<p>{_entities(text, strict=True)}</p>]){suffix}"
    notes = _metadata_lines(metadata or {})
    if _PLAIN_LABEL.match(text) and text.strip():
        return f"{mermaid_id}({text}{notes})"
    return f'{mermaid_id}("{_entities(text, strict=False)}{notes}")'


def _metadata_lines(metadata: dict) -> str:
    """LangGraph's note under a node's name: one `key = value` line per plain (or list of plain) value."""
    lines = []
    for key, value in metadata.items():
        plain = (str, int, float, bool)
        if isinstance(value, plain):
            shown = str(value)
        elif isinstance(value, (list, tuple, set)) and all(isinstance(v, plain) for v in value):
            shown = ", ".join(sorted(map(str, value)) if isinstance(value, set) else map(str, value))
        else:
            continue
        lines.append(f"{key} = {shown}".replace("#", "#35;").translate(_METADATA_ESCAPES))
    return f"<hr/><small><em>{chr(10).join(lines)}</em></small>" if lines else ""


_METADATA_ESCAPES = str.maketrans({"[": "#91;", "]": "#93;", "(": "#40;", ")": "#41;", "{": "#123;",
                                   "}": "#125;", '"': "#quot;", "<": "#60;", ">": "#62;", "|": "#124;"})


def _arrow(label: str | None, conditional: bool) -> str:
    if label is None:
        return "-.->" if conditional else "-->"
    text = f"&nbsp;{_entities(label, strict=True)}&nbsp;"
    return f"-. {text} .->" if conditional else f"-- {text} -->"


def _entities(text: str, *, strict: bool) -> str:
    """`text` with risky characters as `#NN;` codes; `strict` (unquoted spots) keeps only word characters."""
    out = []
    for char in text:
        if char == "\n":
            out.append("<br>")
        elif (strict and not _EDGE_LABEL_SAFE.match(char)) or char in '"#<>&':
            out.append(f"#{ord(char)};")
        else:
            out.append(char)
    return "".join(out)
